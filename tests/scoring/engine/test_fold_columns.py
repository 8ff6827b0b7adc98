"""The fast reader of `survey.batch.recorded` v2 parts (`fold.columns`) reads a part only
where the model accepts it, and to the model's values: parts as survey publishes them (any
order of levels, unused levels, extras with flags) are read plainly; a part broken in
generated ways (a field of the part, an entry of a column or of an extra changed, dropped or
spelled otherwise, a key an extra does not have) is never read plainly where the model
refuses it."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from services.scoring.engine.fold.columns import plain_columns
from shared.contracts.survey_batch import ROW_ALPHABET, BatchRecorded

from .test_fold_batch_plain import parts as v1_parts
from .test_fold_plain import JSON, ODD_SPELLINGS, TEXT


@st.composite
def v2_parts(draw: st.DrawFn) -> BatchRecorded:
    """A v1 part upcast, then its levels put in another order, with some no row uses."""
    payload = BatchRecorded.upcast_from_previous(draw(v1_parts).model_dump(mode="json"))
    unused = draw(st.lists(TEXT.filter(bool), max_size=2))
    levels = list(dict.fromkeys([*payload["levels"], *unused]))
    order = draw(st.permutations(levels))
    char = {
        ROW_ALPHABET[old]: ROW_ALPHABET[order.index(level) + 1]
        for old, level in enumerate(payload["levels"], start=1)
    }
    payload["levels"] = list(order)
    payload["rows"] = ["".join(char.get(c, c) for c in row) for row in payload["rows"]]
    return BatchRecorded.model_validate(payload)


def facts(model: BatchRecorded) -> tuple[Any, ...]:
    """What the fold reads of each questionnaire, from the v3 recordings it stands for."""
    return str(model.wave_id), [
        (str(r.response_id), list(r.row or ()), r.group, r.survey_point, bool(r.flags))
        for r in model.responses()
    ]


def read(payload: dict[str, Any]) -> tuple[Any, ...] | None:
    found = plain_columns(payload)
    if found is None:
        return None
    answers = [None, *found.levels]
    return found.wave_id, [
        (
            response_id,
            [answers[code] for code in found.codes[i].tolist()],
            found.groups[i],
            found.points[i],
            i in found.flagged,
        )
        for i, response_id in enumerate(found.response_ids)
    ]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=v2_parts())
def test_what_survey_publishes_is_read_plainly_to_the_models_values(model: BatchRecorded) -> None:
    assert read(model.model_dump(mode="json")) == facts(model)


def mutated(draw: st.DrawFn, node: dict[str, Any]) -> dict[str, Any]:
    name = draw(st.sampled_from([*sorted(node), "unknown_field"]))
    how = draw(st.sampled_from(["value", "odd", "drop", "entry", "entry_odd"]))
    node = dict(node)
    if how == "drop":
        node.pop(name, None)
    elif how == "odd":
        node[name] = draw(ODD_SPELLINGS)
    elif how.startswith("entry") and isinstance(node.get(name), list) and node[name]:
        entries = list(node[name])
        at = draw(st.integers(0, len(entries) - 1))
        entries[at] = draw(ODD_SPELLINGS if how == "entry_odd" else JSON | TEXT)
        node[name] = entries
    else:
        node[name] = draw(JSON)
    return node


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=v2_parts(), data=st.data())
def test_a_part_the_model_refuses_is_never_read_plainly(
    model: BatchRecorded, data: st.DataObject
) -> None:
    payload = model.model_dump(mode="json")
    for _ in range(data.draw(st.integers(1, 3))):
        extras = payload.get("extras")
        if isinstance(extras, list) and extras and data.draw(st.booleans()):
            at = data.draw(st.integers(0, len(extras) - 1))
            if isinstance(extras[at], dict):
                extras = list(extras)
                extras[at] = mutated(data.draw, extras[at])
                payload = payload | {"extras": extras}
                continue
        payload = mutated(data.draw, payload)
    plainly = read(payload)
    known = {k: v for k, v in payload.items() if k in BatchRecorded.model_fields}
    try:
        parsed = BatchRecorded.model_validate(known)
    except ValidationError:
        assert plainly is None
        return
    if plainly is not None:
        assert plainly == facts(parsed)


def test_spellings_each_column_check_must_refuse() -> None:
    """Spellings a check of a joined column could miss: a text shaped as a UUID of `x`s,
    a questionnaire's two ids in one entry, rows of one total length but two widths, a
    datetime of `d`s."""
    payload = BatchRecorded.of_questionnaires(
        wave_id=uuid4(),
        batch_id=uuid4(),
        agency_id=None,
        part=1,
        parts=1,
        questionnaires=[
            {
                "response_id": str(uuid4()),
                "questionnaire_id": f"q{i}",
                "survey_point": None,
                "collected_at": "2026-03-02T01:00:00Z",
                "row": ["满意", None],
            }
            for i in range(3)
        ],
    ).model_dump(mode="json")
    assert plain_columns(payload) is not None
    ids = payload["response_ids"]
    for name, value in (
        ("response_ids", ["xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", *ids[1:]]),
        ("response_ids", [ids[0] + ids[1], ids[2]]),
        ("rows", ["1", "100", "10"]),
        ("collected_at", ["dddd-dd-ddTdd:dd:ddZ", *payload["collected_at"][1:]]),
        ("collected_at", ["2026-03-02T01:00:00Z,2026-03-02T01:00:00Z", "x", "y"]),
    ):
        broken = payload | {name: value}
        assert plain_columns(broken) is None
        with pytest.raises(ValidationError):
            BatchRecorded.model_validate(broken)
