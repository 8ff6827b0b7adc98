"""Registry aggregates. Re-exported here so stored topics such as
`services.registry.domain:Unit` keep resolving after the split into modules."""

from services.registry.domain.common import (
    UNIT_KIND_BY_LABEL,
    UNIT_KIND_LABELS,
    JurisdictionLevel,
    Role,
    UnitKind,
    required_text,
)
from services.registry.domain.errors import (
    AlreadyRevoked,
    InvalidRegistration,
    JurisdictionNotFound,
    LifecycleConflict,
    PrincipalNotFound,
    RegistryError,
    UnitNotFound,
)
from services.registry.domain.jurisdictions import Jurisdiction
from services.registry.domain.principals import Principal
from services.registry.domain.units import Unit

__all__ = [
    "UNIT_KIND_BY_LABEL",
    "UNIT_KIND_LABELS",
    "AlreadyRevoked",
    "InvalidRegistration",
    "Jurisdiction",
    "JurisdictionLevel",
    "JurisdictionNotFound",
    "LifecycleConflict",
    "Principal",
    "PrincipalNotFound",
    "RegistryError",
    "Role",
    "Unit",
    "UnitKind",
    "UnitNotFound",
    "required_text",
]
