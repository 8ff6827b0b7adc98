"""What a campaign command refuses with: a campaign that does not exist or cannot change so,
and an enrolment refused, missing or in a state that does not allow the change. Defined
apart from the aggregate and re-exported by `services.registry.domain.campaigns`."""

from __future__ import annotations

from services.registry.domain.errors import RegistryError
from shared.errors import ConflictError, InvalidError, NotFoundError


class CampaignNotFound(RegistryError, NotFoundError):
    code = "campaign_not_found"


class CampaignConflict(RegistryError, ConflictError):
    code = "campaign_conflict"


class EnrolmentRefused(RegistryError, InvalidError):
    """The unit or category cannot be part of this campaign at all."""

    code = "enrolment_refused"


class EnrolmentNotFound(RegistryError, NotFoundError):
    code = "enrolment_not_found"


class EnrolmentConflict(RegistryError, ConflictError):
    """The enrolment's current state does not allow the change (e.g. enrolled twice)."""

    code = "enrolment_conflict"
