"""Schemes in campaign-round scoring, mixed into `RoundScoring`: the shipped ones and those
offices registered, whose each registered one is, and registering a new version.

A scheme id belongs to the jurisdiction of the office that registered its first version;
every version's `SchemeRecord.Registered` event (v2) records that jurisdiction and the
principal that registered the version. A shipped scheme is no one's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from services.scoring.engine.scheme import Scheme, SchemeError, builtin_schemes
from services.scoring.rounds.domain import (
    SchemeCatalogue,
    SchemeIdTaken,
    SchemeInvalid,
    SchemeNotFound,
    SchemeRecord,
    SchemeShipped,
    SchemeVersionTaken,
    scheme_record_id,
)
from services.scoring.rounds.keys import as_application
from shared.idempotency import Response, run_idempotent
from shared.principals import Principal


@dataclass(frozen=True)
class Registration:
    """Who a registered version is, as its event recorded it."""

    owner: str | None
    """The jurisdiction the scheme id belongs to; None: no office's (an admin registered
    it first, or it was registered before owners were recorded)."""
    actor: str
    """The principal that registered this version (`role:principal_id`)."""


SHIPPED: dict[str, Any] = {"builtin": True, "owner": None, "registered_by": None}
SCHEME_SCOPE = "scheme"
"""The Idempotency-Key scope of POST /schemes."""


class SchemeCatalog:
    """Needs the eventsourcing `Application` it is mixed into (repository, save, lock)."""

    lock: threading.Lock

    def _get(self, aggregate_id: UUID, cls: type[Any]) -> Any | None:
        try:
            found = self.repository.get(aggregate_id)  # type: ignore[attr-defined]
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, cls) else None

    def scheme(self, scheme_id: str, version: int, field: str = "scheme_id") -> Scheme:
        builtin = builtin_schemes().get((scheme_id, version))
        if builtin is not None:
            return builtin
        record = self._get(scheme_record_id(scheme_id, version), SchemeRecord)
        if record is None:
            versions = self._versions(scheme_id)
            if versions:  # the scheme exists: the version is what is wrong, and is named
                shown = ", ".join(str(v) for v in versions)
                raise SchemeNotFound(
                    f"计分方案 {scheme_id} 没有第 {version} 版, 现有版本: {shown} "
                    f"(scheme {scheme_id} has no version {version} (it has {shown}))",
                    field=field.removesuffix("scheme_id") + "version",
                )
            raise SchemeNotFound(
                f"没有计分方案 {scheme_id} v{version} (no scheme {scheme_id} v{version})",
                field=field,
            )
        return Scheme.from_document(record.document)

    def _versions(self, scheme_id: str) -> list[int]:
        shipped = [v for (sid, v) in builtin_schemes() if sid == scheme_id]
        catalogue = self._get(SchemeCatalogue.create_id(), SchemeCatalogue)
        entries = [] if catalogue is None else catalogue.entries
        return sorted({*shipped, *(e["version"] for e in entries if e["scheme_id"] == scheme_id)})

    def schemes(self) -> list[dict[str, Any]]:
        """Every scheme, shipped first, each with `builtin`, its `owner` (a jurisdiction id
        or None) and who `registered_by` it (None for a shipped one)."""
        shipped = [
            {**scheme.ref(), "title": scheme.title, **SHIPPED}
            for _, scheme in sorted(builtin_schemes().items())
        ]
        catalogue = self._get(SchemeCatalogue.create_id(), SchemeCatalogue)
        registered = [] if catalogue is None else catalogue.entries
        return shipped + [
            {**entry, **self._whose(entry["scheme_id"], entry["version"])} for entry in registered
        ]

    def scheme_described(self, scheme: Scheme) -> dict[str, Any]:
        """`builtin`, `owner` and `registered_by` of a scheme `scheme()` returned."""
        if scheme.key in builtin_schemes():
            return dict(SHIPPED)
        return self._whose(scheme.scheme_id, scheme.version)

    def _whose(self, scheme_id: str, version: int) -> dict[str, Any]:
        found = self.registration(scheme_id, version)
        return {
            "builtin": False,
            "owner": None if found is None else found.owner,
            "registered_by": None if found is None else found.actor,
        }

    def registration(self, scheme_id: str, version: int) -> Registration | None:
        """The registered version's owner and registrant; None when it is not registered.
        Kept per process once read: a registration never changes, and the list of schemes
        would otherwise load every registered document on each request."""
        known: dict[tuple[str, int], Registration] = self.__dict__.setdefault("_registrations", {})
        found = known.get((scheme_id, version))
        if found is None:
            record = self._get(scheme_record_id(scheme_id, version), SchemeRecord)
            if record is None:
                return None
            found = Registration(record.jurisdiction_id, record.actor)
            known[(scheme_id, version)] = found
        return found

    def scheme_owner(self, scheme_id: str) -> tuple[bool, str | None]:
        """(whether the id is registered, the jurisdiction it belongs to): that recorded
        with its first registered version (None: no office's)."""
        catalogue = self._get(SchemeCatalogue.create_id(), SchemeCatalogue)
        entries = [] if catalogue is None else catalogue.entries
        first = next((e for e in entries if e["scheme_id"] == scheme_id), None)
        if first is None:
            return False, None
        found = self.registration(scheme_id, first["version"])
        return True, None if found is None else found.owner

    def register_scheme(
        self,
        caller: Principal,
        document: dict[str, Any],
        reason: str,
        may_extend: Callable[[str | None], bool],
        *,
        key: str | None = None,
        request: dict[str, Any] | None = None,
    ) -> tuple[Scheme, bool]:
        """Registers the document as its (scheme_id, version); the same document again is
        the same registration, a different one under a taken version is refused. Returns
        the version and whether this request registered it.

        A scheme id belongs to the jurisdiction of the office that registered its first
        version (recorded with every version); `may_extend(owner)` says whether the caller
        may add a version to it (the route's scope rule: the owner's office, an office above
        it, an admin; None, no office's: an admin). A shipped scheme's versions come with
        Pingyi's releases only.

        With an Idempotency-Key (`key`, and the `request` it was sent with) a retry answers
        what the first request was answered (the same version, 201 or 200), before the
        document is checked again; the same key with another request is refused (409)."""

        def command() -> tuple[list[Any], Response]:
            aggregates, scheme = self._registration(caller, document, reason, may_extend)
            answer = {"scheme_id": scheme.scheme_id, "version": scheme.version}
            return aggregates, answer | {"status_code": 201 if aggregates else 200}

        answer = run_idempotent(
            as_application(self),
            principal_id=caller.principal_id,
            scope=SCHEME_SCOPE,
            key=key,
            request=request or {},
            command=command,
            lock=self.lock,
        )
        scheme = self.scheme(answer["scheme_id"], answer["version"])
        return scheme, answer["status_code"] == 201

    def _registration(
        self,
        caller: Principal,
        document: dict[str, Any],
        reason: str,
        may_extend: Callable[[str | None], bool],
    ) -> tuple[list[Any], Scheme]:
        """(the unsaved aggregates registering the document: none when this very document
        is registered already; the scheme). Under the lock."""
        scheme = self._new_scheme(document)
        try:
            known = self.scheme(scheme.scheme_id, scheme.version)
        except SchemeNotFound:
            known = None
        if known is not None:
            if known.scheme_hash == scheme.scheme_hash:
                return [], known
            raise SchemeVersionTaken(
                f"{scheme.scheme_id} v{scheme.version} 已以另一份文档登记, "
                "修改后的方案须用新版本号 "
                f"({scheme.scheme_id} v{scheme.version} is registered with another "
                "document; a changed scheme is a new version)",
                field="document.version",
                scheme_hash=known.scheme_hash,
            )
        owner = self._owner_for(caller, scheme, may_extend)
        record = SchemeRecord(
            scheme.scheme_id,
            scheme.version,
            scheme.document(),
            scheme.scheme_hash,
            caller.actor,
            reason,
            owner,
        )
        catalogue = self._get(SchemeCatalogue.create_id(), SchemeCatalogue)
        catalogue = catalogue or SchemeCatalogue()
        catalogue.listed(scheme.scheme_id, scheme.version, scheme.scheme_hash, scheme.title)
        return [record, catalogue], scheme

    def _owner_for(
        self, caller: Principal, scheme: Scheme, may_extend: Callable[[str | None], bool]
    ) -> str | None:
        """The jurisdiction a new version of the scheme id is recorded as belonging to:
        the id's owner, or the caller's when the id is new; refused when the caller may not
        add to it."""
        if any(key[0] == scheme.scheme_id for key in builtin_schemes()):
            raise SchemeShipped(
                f"{scheme.scheme_id} 是系统内置方案, 其版本只随系统发布; 请用自己的方案编号 "
                "(如 市名加评议项目) 登记 "
                f"({scheme.scheme_id} is shipped with Pingyi: its versions come with a "
                "release only. Register your own version under a scheme id of your own, "
                "e.g. the city's name and the program)",
                field="document.scheme_id",
            )
        registered, owner = self.scheme_owner(scheme.scheme_id)
        if not registered:
            return None if caller.jurisdiction_id is None else str(caller.jurisdiction_id)
        if not may_extend(owner):
            whose = f"jurisdiction {owner}" if owner else "no office (an admin's)"
            zh_whose = f"辖区 {owner}" if owner else "管理员, 不属于任何纠风办"
            raise SchemeIdTaken(
                f"方案编号 {scheme.scheme_id} 属于{zh_whose}, 只有该纠风办 (或其上级纠风办) "
                "可以登记新版本; 请用自己的方案编号登记 "
                f"(scheme id {scheme.scheme_id} belongs to {whose}: only its office (or "
                "an office above it) may register a new version. Register yours under a "
                "scheme id of your own)",
                field="document.scheme_id",
                jurisdiction_id=owner,
            )
        return owner

    @staticmethod
    def _new_scheme(document: dict[str, Any]) -> Scheme:
        """A document being registered or tried: every rule, every problem named."""
        try:
            return Scheme.from_new_document(document)
        except SchemeError as error:
            raise SchemeInvalid(error.problems) from None
