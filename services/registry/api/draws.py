"""随机抽取: verifiable random draws of evaluators from the pool (评议人员库).

Commit (POST /draws with sha256 of a secret seed) → freeze the pool → reveal the seed.
Anyone can re-check a finished draw with `pingyi verify-draw <draw_id>`.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Query

from services.registry.api.deps import RegistryApp
from services.registry.schemas.draws import DrawIn, DrawOut, RevealIn
from shared.auth import CurrentPrincipal
from shared.policy import Policy, PolicyRouter, allow, body, path
from shared.web.idempotency import IdempotencyKey

router = PolicyRouter(tags=["draws 随机抽取"])
DRAW = path("draw_id", "draw")


@router.post(
    "/draws",
    status_code=201,
    response_model=DrawOut,
    **allow(
        Policy.write(
            "office",
            scope=(
                body("jurisdiction_id", "jurisdiction"),
                body("campaign_id", "campaign", "skip"),
            ),
        )
    ),
)
def create_draw(
    body: DrawIn,
    caller: CurrentPrincipal,
    app: RegistryApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """创建抽取并提交种子承诺: records size, quotas and sha256(seed), with the time.

    Keep the seed secret until the reveal; e.g. seed = secrets.token_hex(32),
    commitment = hashlib.sha256(seed.encode()).hexdigest().
    """
    return app.create_draw(caller, body.model_dump(exclude_none=True), idempotency_key)


@router.post(
    "/draws/{draw_id}/pool/freeze",
    response_model=DrawOut,
    **allow(Policy.write("office", scope=DRAW)),
)
def freeze_pool(
    draw_id: UUID,
    caller: CurrentPrincipal,
    app: RegistryApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """冻结人员库: everyone appointed for the cycle and purpose in the jurisdiction subtree and
    not disqualified, as of now; records the sorted ids, their digest and the pool size.
    Only once (409), and 422 naming size or quotas.<sector> if the pool is too small."""
    return app.freeze_pool(caller, draw_id, idempotency_key)


@router.post(
    "/draws/{draw_id}/reveal", response_model=DrawOut, **allow(Policy.write("office", scope=DRAW))
)
def reveal_seed(
    draw_id: UUID,
    body: RevealIn,
    caller: CurrentPrincipal,
    app: RegistryApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """公布种子并抽取: 422 (field seed) unless sha256(seed) equals the commitment."""
    return app.reveal_seed(caller, draw_id, body.seed, idempotency_key)


@router.get("/draws/{draw_id}", response_model=DrawOut, **allow(Policy.read("office", scope=DRAW)))
def get_draw(
    draw_id: UUID,
    app: RegistryApp,
    include_pool: Annotated[bool, Query(description="Also list the frozen pool's ids")] = False,
) -> dict[str, Any]:
    """一次抽取: its commitment, frozen pool and, once revealed, the seed and who was chosen."""
    return app.draw_out(app.draw(draw_id), include_pool)
