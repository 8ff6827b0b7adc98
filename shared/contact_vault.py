"""Sealed personal contacts (representatives' in the registry, named complainants' in
inspection): the plaintext exists only in the request. What is stored is an HMAC-SHA256 of
the normalised value (duplicate detection) and a Fernet-encrypted copy (masked display to
offices). Both keys derive from one secret, which each service takes from
`shared.secrets.service_secret` under its own variable."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from cryptography.fernet import Fernet, InvalidToken

_SEPARATORS = re.compile(r"[\s\-()（）]")
_CHINA_MOBILE = re.compile(r"^(?:\+?86|0086)(1\d{10})$")


class ContactVault:
    """Keyed hash and reversible seal of contacts; the one place that sees plaintext."""

    def __init__(self, secret: str) -> None:
        root = secret.encode("utf-8")
        self._hash_key = hmac.new(root, b"pingyi/contact/hash", hashlib.sha256).digest()
        seal_key = hmac.new(root, b"pingyi/contact/seal", hashlib.sha256).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(seal_key))
        # Stored with each sealed contact so a later key rotation knows what to re-seal.
        self.key_id = hmac.new(root, b"pingyi/contact/key-id", hashlib.sha256).hexdigest()[:16]

    def fingerprint(self, contact: str) -> str:
        return hmac.new(self._hash_key, contact.encode("utf-8"), hashlib.sha256).hexdigest()

    def seal(self, contact: str) -> str:
        return self._fernet.encrypt(contact.encode("utf-8")).decode("ascii")

    def open(self, sealed: str) -> str | None:
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode("utf-8")
        except InvalidToken:
            return None


def canonical_contact(value: str) -> str:
    """Separators dropped, lower case, a mainland mobile without its country code."""
    cleaned = _SEPARATORS.sub("", value).lower()
    mobile = _CHINA_MOBILE.match(cleaned)
    return mobile.group(1) if mobile else cleaned


def mask_contact(contact: str) -> str:
    """138****5678 for a mobile number; enough to recognise, not enough to call."""
    if "@" in contact:
        local, _, domain = contact.partition("@")
        return f"{local[:1]}***@{domain}"
    if len(contact) >= 11:
        return f"{contact[:3]}****{contact[-4:]}"
    if len(contact) >= 6:
        return f"****{contact[-2:]}"
    return "****"
