"""The sealing key: ed25519, 32 raw bytes given as 64 hex digits or base64.

`PINGYI_SEAL_KEY` (private) signs checkpoints; `PINGYI_SEAL_PUBLIC_KEY` is all a verifier
needs, and is what auditors should hold apart from the servers. In embedded mode without a
configured key, the first start writes one to `<data_dir>/seal-key` (mode 0600): the
checkpoints then show accidental or careless edits, but not a deliberate one by whoever can
also read that file; a production deployment sets the key from its secrets.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from shared.settings import CommonSettings, seal_key_bytes

KEY_FILE = "seal-key"


class SealKeyError(ValueError):
    """A key setting that is not 32 bytes of hex or base64."""


def _raw(text: str, name: str) -> bytes:
    try:
        return seal_key_bytes(text, name)
    except ValueError as error:
        raise SealKeyError(str(error)) from None


def public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    """Names the key a checkpoint was signed with (it proves nothing by itself)."""
    return hashlib.sha256(public_bytes(key)).hexdigest()[:16]


def signing_key(common: CommonSettings, *, create: bool = False) -> Ed25519PrivateKey | None:
    """The configured private key; in embedded mode the data directory's key file, made
    first when `create`. None when there is none (memory mode never seals)."""
    if common.seal_key is not None:
        return Ed25519PrivateKey.from_private_bytes(
            _raw(common.seal_key.get_secret_value(), "PINGYI_SEAL_KEY")
        )
    if common.mode != "embedded":
        return None
    path = common.data_dir / KEY_FILE
    if not path.is_file():
        if not create:
            return None
        _write_new_key(path)
    return Ed25519PrivateKey.from_private_bytes(_raw(path.read_text("ascii"), str(path)))


def _write_new_key(path: Path) -> None:
    """Written whole under another name, then linked into place: the services of `pingyi up`
    start at once, and none may read a key file that another has only begun to write."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(os.urandom(32).hex() + "\n")
    try:
        os.link(draft, path)
    except FileExistsError:
        pass  # another service made it first: everyone uses that one
    finally:
        draft.unlink()


def verifying_key(common: CommonSettings) -> Ed25519PublicKey | None:
    """The public key checkpoints are verified with: PINGYI_SEAL_PUBLIC_KEY when given,
    else the public half of the signing key."""
    if common.seal_public_key:
        return Ed25519PublicKey.from_public_bytes(
            _raw(common.seal_public_key, "PINGYI_SEAL_PUBLIC_KEY")
        )
    private = signing_key(common)
    return None if private is None else private.public_key()


def verify(key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True
