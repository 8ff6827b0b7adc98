"""Who a caller is: API keys, principals and jurisdiction scoping, free of any web framework
(applications and the relay and views processes use it; `shared.auth` adds FastAPI's
dependencies on top).

Keys are random, shown once, and stored only as a sha256 hash (they carry 256 bits of
entropy, so a slow hash adds nothing). Every service resolves keys against its own copy
of the registry's principals; the bootstrap admin key from settings exists for first start.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID, uuid5

from shared.contracts.registry import ACTIVE, Role
from shared.errors import UnauthenticatedError, UnavailableError
from shared.registry_view import RegistryView

WRITE_ROLES: frozenset[str] = frozenset({"admin", "office", "agency", "inspector", "unit"})
KEY_PREFIX = "pyk_"
BOOTSTRAP_PRINCIPAL_ID = uuid5(
    UUID("00000000-0000-0000-0000-000000000000"), "pingyi:bootstrap-admin"
)


def new_api_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


_ISSUED_SHAPE = re.compile(re.escape(KEY_PREFIX) + r"[A-Za-z0-9_-]{43}")
"""What every key `new_api_key` makes looks like: the prefix and 32 random bytes in URL-safe
base64 without padding."""


def could_be_issued(key: str | None) -> bool:
    """Whether `key` has the shape of an issued key: one that has not could never be one
    issued a moment ago, so nothing is waited for before it is refused."""
    return key is not None and _ISSUED_SHAPE.fullmatch(key) is not None


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Principal:
    principal_id: UUID
    name: str
    role: Role
    jurisdiction_id: UUID | None
    unit_id: UUID | None = None
    """The unit a key of role unit speaks for; None for every other role and for unit keys
    issued before keys named their unit (those are scoped by jurisdiction alone: legacy)."""
    unit_ended: str | None = None
    """"merged", "split" or "dissolved" when the unit this key speaks for has ended: it
    still reads what it could, and writes nothing (`shared.policy.checks.check_role`)."""

    @property
    def actor(self) -> str:
        return f"{self.role}:{self.principal_id}"

    @property
    def sees_everything(self) -> bool:
        return self.role in ("admin", "auditor")

    @property
    def own_unit(self) -> str | None:
        """The one unit whose records this caller is limited to: a unit key that names its
        unit. None for everyone else, legacy unit keys included."""
        return str(self.unit_id) if self.role == "unit" and self.unit_id is not None else None


class AuthUnavailable(UnavailableError):
    code = "auth_unavailable"


UNKNOWN_OR_REVOKED = "密钥不存在或已吊销 (unknown or revoked API key)"
"""Said alike of a key never issued and a revoked one: which it is is not the caller's to
learn."""


class UnknownKey(UnauthenticatedError):
    """A key this service's copy has never seen: wrong, or issued a moment ago and not here
    yet (`shared.web.gate` waits a little for the copy before answering). A revoked key is
    refused at once, with plain `UnauthenticatedError`."""


class PrincipalLookup(Protocol):
    """An authoritative source of principals by key hash (the registry's own event store),
    consulted before the view: what it says about a key is current the moment it is saved."""

    def principal_by_key_hash(self, key_hash: str) -> dict[str, Any] | None: ...


class Authenticator:
    """Resolves keys against the service's security view, which its own consumer keeps
    current. When that view cannot be shown to be current (`fresh()` is False: its consumer
    has not caught up with the registry's log recently, or is stalled), every key but the
    bootstrap key is refused with 503: a revoked key must never work because the news of its
    revocation is late. The registry itself answers from its own store (`authority`).

    `reachable` raises (503 `database_unavailable`) when the database did not answer its
    last ping (`shared.service.reachability`): a lookup would wait out the pool's timeout
    for the same answer."""

    def __init__(
        self,
        registry: RegistryView,
        bootstrap_key: str | None,
        *,
        fresh: Callable[[], bool] | None = None,
        authority: PrincipalLookup | None = None,
        reachable: Callable[[], None] | None = None,
    ) -> None:
        self._registry = registry
        self._reachable = reachable
        self._bootstrap_hash = hash_api_key(bootstrap_key) if bootstrap_key else None
        self._fresh = fresh
        self._authority = authority

    def authenticate(self, key: str | None) -> Principal:
        if not key:
            raise UnauthenticatedError(
                "请在 X-API-Key 请求头中提供 API 密钥 (an API key is required in the X-API-Key "
                "header)",
                field="X-API-Key",
            )
        key_hash = hash_api_key(key)
        if self._bootstrap_hash and hmac.compare_digest(key_hash, self._bootstrap_hash):
            return Principal(BOOTSTRAP_PRINCIPAL_ID, "bootstrap admin", "admin", None)
        doc = self._lookup(key_hash)
        if doc is None:
            raise UnknownKey(UNKNOWN_OR_REVOKED, field="X-API-Key")
        if doc.get("revoked"):
            raise UnauthenticatedError(UNKNOWN_OR_REVOKED, field="X-API-Key")
        # A unit key's jurisdiction is where its unit is now: the records it is read from
        # apply the unit's moves and ends to it (`shared.registry_view.unit_keys`).
        jurisdiction = doc.get("jurisdiction_id")
        unit = doc.get("unit_id")
        status = doc.get("unit_status")
        return Principal(
            UUID(doc["principal_id"]),
            doc["name"],
            doc["role"],
            UUID(jurisdiction) if jurisdiction else None,
            UUID(unit) if unit else None,
            unit_ended=status if status and status != ACTIVE else None,
        )

    def _lookup(self, key_hash: str) -> dict[str, Any] | None:
        if self._reachable is not None:
            self._reachable()
        if self._authority is not None:
            found = self._authority.principal_by_key_hash(key_hash)
            if found is not None:
                return found
        if self._fresh is not None and not self._fresh():
            raise AuthUnavailable(
                "暂时无法确认 API 密钥是否有效, 请稍后重试 (cannot confirm that API keys are "
                "still valid right now: the copy of keys and revocations is behind; retry "
                "shortly)",
                field="X-API-Key",
            )
        return self._registry.principal_by_key_hash(key_hash)

    def visible_jurisdictions(self, principal: Principal) -> set[str] | None:
        """The jurisdictions whose records the caller may read; None means all of them."""
        if principal.sees_everything:
            return None
        if principal.jurisdiction_id is None:
            return set()
        return self._registry.subtree(str(principal.jurisdiction_id))

    def in_scope(self, principal: Principal, jurisdiction_id: UUID | str) -> bool:
        if principal.sees_everything:
            return True
        if principal.jurisdiction_id is None:
            return False
        return str(principal.jurisdiction_id) in self._registry.lineage(str(jurisdiction_id))
