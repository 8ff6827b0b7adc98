"""The registry's own read models, fed from its own published log (like every other
service's copy). They extend the shared registry copy in one view, so the unit history can
read each unit document as the same transaction updates it."""

from __future__ import annotations

from services.registry.projections import campaigns, people, principals, unit_categories, units
from shared.messaging.inbox import combine_handlers
from shared.registry_view import REGISTRY_COPY
from shared.views import Collection

REGISTRY_MODELS = REGISTRY_COPY.extended(
    "registry_models",
    9,  # 7: corrected 生效日期 in the unit history (and the copy, v6); 8: whether stated;
    # 9: unit keys in the list follow their unit's moves and ends
    (
        Collection(units.UNIT_HISTORY),
        Collection(unit_categories.UNIT_CATEGORIES),
        Collection(campaigns.CAMPAIGNS, index=("jurisdiction_id",), sort="list_order"),
        Collection(
            campaigns.ENROLMENTS,
            index=("campaign_id", "category", "status", "is_key_target"),
            sort="list_order",
        ),
        Collection(
            people.PEOPLE,
            index=("jurisdiction_id", "sector", "disqualified"),
            search=people.CYCLES_TEXT,
            sort="name",
            sort_as="pinyin",
        ),
        Collection(people.APPOINTMENTS),
        Collection(
            principals.PRINCIPAL_LIST,
            index=("jurisdiction_id", "role", "revoked"),
            sort="name",
            sort_as="pinyin",
        ),
        Collection(principals.PRINCIPAL_UNITS),
    ),
    {
        "registry": combine_handlers(
            units.HANDLERS,
            unit_categories.HANDLERS,
            campaigns.HANDLERS,
            people.HANDLERS,
            principals.HANDLERS,
        )
    },
    "Units with their dated history and category spellings, campaigns with enrolments, the "
    "representatives' pool and the keys issued (without the keys), as the registry's own API "
    "reads them.",
)
