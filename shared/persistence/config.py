"""Names and defaults of the eventsourcing environment keys our recorders read; kept apart
from the recorders so that settings can name them without importing PostgreSQL code."""

from __future__ import annotations

APPLICATION_RECORDER_TOPIC = "shared.persistence.postgres:PingyiApplicationRecorder"
PROCESS_RECORDER_TOPIC = "shared.persistence.postgres:PingyiProcessRecorder"
SQLITE_APPLICATION_RECORDER_TOPIC = "shared.persistence.sqlite:PingyiSQLiteApplicationRecorder"
SQLITE_PROCESS_RECORDER_TOPIC = "shared.persistence.sqlite:PingyiSQLiteProcessRecorder"
MEMORY_PERSISTENCE_MODULE = "shared.persistence.memory:PingyiPOPOFactory"
IN_MEMORY_MODULES = frozenset({"eventsourcing.popo", MEMORY_PERSISTENCE_MODULE})
"""Event stores that live and die with the process (memory mode, tests)."""

STATEMENT_TIMEOUT_KEY = "PINGYI_WRITE_STATEMENT_TIMEOUT"
STALL_AFTER_KEY = "PINGYI_WRITE_STALL_AFTER"
TERMINATE_AFTER_KEY = "PINGYI_WRITE_TERMINATE_AFTER"

DEFAULT_STATEMENT_TIMEOUT = 30.0
DEFAULT_STALL_AFTER = 15.0
DEFAULT_TERMINATE_AFTER = 60.0

POSTGRES_PERSISTENCE_MODULE = "shared.persistence.postgres:PingyiPostgresFactory"
CONNECTION_PARAMS_KEY = "POSTGRES_CONNECTION_PARAMS"
"""The database URL's parameters beyond the five POSTGRES_* keys the library reads (sslmode,
sslrootcert, options, target_session_attrs, ...), as a conninfo string; the factory adds them
to every connection of the event store's pool."""
