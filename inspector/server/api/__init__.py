"""HTTP routers of the server API (paths and replies as in docs/sync-protocol.md)."""
