"""Tamper evidence for the stored event logs (docs/tamper-evidence.md).

A *sealer* follows each service's stored events after commit, as the relay does, and extends
a hash chain over them; every N rows or T seconds it writes a checkpoint signed with the
ed25519 key from settings (`chain`, `checkpoints`, `sealer`). `pingyi audit verify-log`
recomputes every chain from the stored rows and checks each checkpoint (`verify`). Score
records are checked against their own digests on read and periodically (`scores`).

Nothing here is on the event write path: a row is sealed after it was committed.
"""
