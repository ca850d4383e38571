"""Outer middlewares: a database transaction per update, then who is acting and in which language."""
