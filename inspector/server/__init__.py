"""The district server: FastAPI application, database, auth, sync API and the authoritative ledger."""
