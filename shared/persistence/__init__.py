"""Event-store adapters of our own: PostgreSQL recorders that avoid psycopg's pipeline mode,
the write watchdog, and which persistence failures mean "the database is unavailable"."""
