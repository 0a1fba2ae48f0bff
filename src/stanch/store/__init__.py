"""Event stores: SQLite by default, PostgreSQL by URL, one migration set for both."""
