"""Registry domain errors; the shared handler maps them to HTTP status codes."""

from __future__ import annotations

from shared.errors import ConflictError, InvalidError, NotFoundError, PingyiError


class RegistryError(PingyiError):
    """Base of every registry domain error."""


class JurisdictionNotFound(RegistryError, NotFoundError):
    code = "jurisdiction_not_found"


class UnitNotFound(RegistryError, NotFoundError):
    code = "unit_not_found"


class PrincipalNotFound(RegistryError, NotFoundError):
    code = "principal_not_found"


class InvalidRegistration(RegistryError, InvalidError):
    code = "invalid_registration"


class AlreadyRevoked(RegistryError, ConflictError):
    code = "already_revoked"


class LifecycleConflict(RegistryError, ConflictError):
    """A change that the record's current state does not allow (e.g. renaming a dissolved unit)."""

    code = "lifecycle_conflict"
