"""Writing a campaign round's audit bundle from the stored logs (`pingyi audit export`):
the upstream logs read with the offline reader (`shared.persistence.message_log`), each up
to the position it had when the export began, the results computed from exactly those
messages, and all of it written with `pingyi.audit_bundle`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from pingyi.audit_bundle import ORIGINS, write_bundle
from pingyi.audit_search import Compute
from shared.contracts.envelope import IntegrationMessage
from shared.persistence.message_log import (
    StoreMissing,
    has_store,
    last_position,
    read_bodies,
    read_messages,
    store_location,
)
from shared.settings import CommonSettings

REQUIRED = ("registry", "survey")
"""Without these there is no round to score; inspection and scoring are read when present."""


class SchemeFileError(Exception):
    pass


def load_scheme(path: Path) -> dict[str, Any]:
    """A scheme document from a JSON or YAML file (the engine validates its content)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SchemeFileError(f"cannot read the scheme file {path}: {error}") from None
    try:
        document = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        raise SchemeFileError(f"{path} is not JSON or YAML: {error}") from None
    if not isinstance(document, dict):
        raise SchemeFileError(f"{path} holds no scheme document (a mapping)")
    return document


def origins_to_export(common: CommonSettings) -> list[str]:
    """The upstream logs present, checked before anything is computed or written."""
    for service in REQUIRED:
        if not has_store(common, service):
            raise StoreMissing(f"no {service} event store at {store_location(common, service)}")
    return [origin for origin in ORIGINS if has_store(common, origin)]


def export_bundle(
    common: CommonSettings,
    *,
    campaign_id: str,
    round_: int,
    scheme: Mapping[str, Any],
    out: Path,
    compute: Compute,
) -> dict[str, Any]:
    """Compute the round from the logs as they stand and write its bundle; the manifest."""
    origins = origins_to_export(common)
    # Logs only grow: reading each twice up to the same position gives the same messages.
    read_to = {origin: last_position(common, origin) or 0 for origin in origins}

    from services.scoring.engine.fold.decode import decode_stored

    def decoded() -> Iterator[IntegrationMessage]:
        # The stored bodies decoded the engine's way: the same messages, about half the cost.
        for origin in origins:
            for position, previous, body in read_bodies(common, origin, stop=read_to[origin]):
                yield decode_stored(origin, position, previous, body)

    results = compute(scheme, decoded(), campaign_id, round_)
    encoded = {
        origin: (m.data for m in read_messages(common, origin, stop=read_to[origin]))
        for origin in origins
    }
    about = {"campaign_id": campaign_id, "round": round_, "read_to": read_to}
    return write_bundle(out, scheme=scheme, messages=encoded, results=results, about=about)


def file_sha256(path: Path) -> str:
    hashed = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            hashed.update(chunk)
    return hashed.hexdigest()


class NoStoredRun(Exception):
    pass


def export_stored_run(
    common: CommonSettings,
    *,
    campaign_id: str,
    round_: int,
    out: Path,
    run_id: str | None = None,
) -> dict[str, Any]:
    """Write the bundle of a run scoring stored: its scheme document, every upstream message
    up to the positions the run names, and the results as stored (not recomputed: verifying
    the bundle is what checks them). Without `run_id`, the round's latest final run, else its
    latest run."""
    origins_to_export(common)
    run, scheme = _stored_run(common, campaign_id, round_, run_id)
    read_to = dict(run.upstream_positions)
    encoded = {
        origin: (m.data for m in read_messages(common, origin, stop=stop))
        for origin, stop in read_to.items()
    }
    results = {**run.results, "upstream_positions": read_to}
    about = {
        "campaign_id": campaign_id,
        "round": round_,
        "read_to": read_to,
        "run_id": str(run.id),
        "final": run.final,
    }
    return write_bundle(out, scheme=scheme, messages=encoded, results=results, about=about)


def _stored_run(
    common: CommonSettings, campaign_id: str, round_: int, run_id: str | None
) -> tuple[Any, dict[str, Any]]:
    """The run from scoring's store and the scheme document it was computed by (the
    composition root may open scoring's store with scoring's code; the verifier never does)."""
    from uuid import UUID

    from services.scoring.application import ScoringApplication
    from services.scoring.rounds.domain import RoundRunNotFound, SchemeNotFound
    from services.scoring.settings import ScoringSettings
    from shared.settings import eventsourcing_env

    if not has_store(common, "scoring"):
        raise StoreMissing(f"no scoring event store at {store_location(common, 'scoring')}")
    app = ScoringApplication(
        eventsourcing_env(common, "scoring", ScoringSettings().postgres_schema)
    )
    try:
        if run_id is not None:
            try:
                run = app.round_run(UUID(run_id))
            except (ValueError, RoundRunNotFound):
                raise NoStoredRun(f"no round run {run_id}") from None
        else:
            runs = app.round_runs(UUID(campaign_id), round_)
            finals = [r for r in runs if r.final]
            if not runs:
                raise NoStoredRun(
                    f"scoring holds no run of campaign {campaign_id} round {round_}; "
                    "pass --scheme to compute one for the bundle"
                )
            run = (finals or runs)[-1]
        ref = run.scheme
        try:
            scheme = app.scheme(ref["scheme_id"], ref["version"])
        except SchemeNotFound:
            raise NoStoredRun(
                f"the run's scheme {ref['scheme_id']} v{ref['version']} is unknown"
            ) from None
        return run, scheme.document()
    finally:
        app.close()
