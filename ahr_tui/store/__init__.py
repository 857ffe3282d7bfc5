"""SQLModel tables, the engine factory, schema version and queries. Never commits on its own:
the caller (``service``) owns the transaction."""
