"""Pure domain logic: checklists, scoring, the ledger state machine, ids, time, jurisdictions (no I/O)."""
