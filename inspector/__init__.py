"""Inspector: offline-first field inspection and hazard ledger for city management."""

__version__ = "0.1.0"
