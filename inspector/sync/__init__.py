"""Client sync engine: protocol client, credentials, outbox push, blob upload, pull and conflicts."""
