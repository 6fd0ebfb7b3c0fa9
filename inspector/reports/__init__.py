"""Documents and exports: the Excel ledger, PDF inspection records and rectification notices."""
