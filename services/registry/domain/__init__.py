"""Registry aggregates. Re-exported here so stored topics such as
`services.registry.domain:Unit` keep resolving after the split into modules."""

from services.registry.domain.campaign_schedule import (
    CYCLE_LENGTHS,
    CYCLE_ROUNDS,
    PROGRAM_PATTERNS,
    InvalidCampaign,
)
from services.registry.domain.campaigns import (
    KEY_TARGET_REASONS,
    Campaign,
    CampaignConflict,
    CampaignNotFound,
    EnrolmentConflict,
    EnrolmentNotFound,
    EnrolmentRefused,
    enrolment_refusal,
)
from services.registry.domain.common import (
    UNIT_KIND_BY_LABEL,
    UNIT_KIND_LABELS,
    JurisdictionLevel,
    Role,
    UnitKind,
    required_text,
)
from services.registry.domain.credit_code import normalize_credit_code
from services.registry.domain.draws import Draw, DrawConflict, DrawNotFound, InvalidDraw
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
from services.registry.domain.people import (
    SECTOR_LABELS,
    AppointmentConflict,
    ContactClaim,
    Person,
    PersonDisqualified,
    PersonNotFound,
)
from services.registry.domain.principals import Principal
from services.registry.domain.units import UNIT_STATUSES, Change, Unit, UnitSpec

__all__ = [
    "CYCLE_LENGTHS",
    "CYCLE_ROUNDS",
    "KEY_TARGET_REASONS",
    "PROGRAM_PATTERNS",
    "SECTOR_LABELS",
    "UNIT_KIND_BY_LABEL",
    "UNIT_KIND_LABELS",
    "UNIT_STATUSES",
    "AlreadyRevoked",
    "AppointmentConflict",
    "Campaign",
    "CampaignConflict",
    "CampaignNotFound",
    "Change",
    "ContactClaim",
    "Draw",
    "DrawConflict",
    "DrawNotFound",
    "EnrolmentConflict",
    "EnrolmentNotFound",
    "EnrolmentRefused",
    "InvalidCampaign",
    "InvalidDraw",
    "InvalidRegistration",
    "Jurisdiction",
    "JurisdictionLevel",
    "JurisdictionNotFound",
    "LifecycleConflict",
    "Person",
    "PersonDisqualified",
    "PersonNotFound",
    "Principal",
    "PrincipalNotFound",
    "RegistryError",
    "Role",
    "Unit",
    "UnitKind",
    "UnitNotFound",
    "UnitSpec",
    "enrolment_refusal",
    "normalize_credit_code",
    "required_text",
]
