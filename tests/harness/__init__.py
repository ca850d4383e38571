"""Test helpers: databases on SQLite and PostgreSQL, and a mocked Telegram session."""
