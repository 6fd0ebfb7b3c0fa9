"""Client storage: the local SQLite database, migrations, repositories, outbox and the photo store."""
