"""Where voters' SMS codes live while they are valid: a table beside the event store, never
the event store itself. A code is a short-lived secret, not a fact: it is kept only as a keyed
hash (`VotingCommands.code_hash`), with its expiry and the wrong tries it has left, and is
deleted once used, expired or spent. What a vote was verified by is the vote's own fact
(`Response.Recorded.details["voter_check"]`), never the code.

Each send is kept for an hour too (the voter's keyed hash, the wave, when): the rate limits
count them. One implementation over SQL for both stores (`book`): SQLite (a file of its own
beside the embedded store; in memory mode an in-memory database that lives with the
application) and PostgreSQL (a table in the service's schema, shared by every replica; each
change is one transaction holding an advisory lock of the voter, and a send the wave's lock
too, so two replicas never both pass a limit or both use one code) (`stores`). Everyone's old
rows are cleared after a send, in a transaction of its own that waits for no row (`_sweep`).
"""

from services.survey.verification.codes.book import (
    HOUR,
    MINUTE,
    SCHEMA,
    Check,
    CodeBook,
    Cursor,
    Limits,
)
from services.survey.verification.codes.stores import (
    CODE_LOCK_SPACE,
    WAVE_BUDGET_SPACE,
    PostgresCodeBook,
    SQLiteCodeBook,
)

__all__ = [
    "CODE_LOCK_SPACE",
    "HOUR",
    "MINUTE",
    "SCHEMA",
    "WAVE_BUDGET_SPACE",
    "Check",
    "CodeBook",
    "Cursor",
    "Limits",
    "PostgresCodeBook",
    "SQLiteCodeBook",
]
