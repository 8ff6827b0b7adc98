"""The same scheme and inputs give byte-identical results; the order of lists inside the
inputs (where the document's meaning does not depend on it) and the caller's decimal
context change nothing."""

from __future__ import annotations

import copy
import decimal
import random

from services.scoring.engine.compute import compute_round
from services.scoring.engine.scheme import builtin_schemes
from shared.canonical import canonical_json
from tests.scoring.engine.test_scheme_luohe import luohe_round

LUOHE = ("luohe-2yr-zhengfeng", 1)


def test_recomputation_is_byte_identical():
    scheme, inputs = builtin_schemes()[LUOHE], luohe_round()
    first = canonical_json(compute_round(scheme, inputs))
    again = canonical_json(compute_round(builtin_schemes()[LUOHE], copy.deepcopy(inputs)))
    assert first == again


def test_the_callers_decimal_context_does_not_matter():
    scheme, inputs = builtin_schemes()[LUOHE], luohe_round()
    expected = canonical_json(compute_round(scheme, inputs))
    with decimal.localcontext(decimal.Context(prec=5, rounding=decimal.ROUND_FLOOR)):
        assert canonical_json(compute_round(scheme, inputs)) == expected


def _shuffled(inputs, seed: int):
    rng = random.Random(seed)
    doc = copy.deepcopy(inputs)
    rng.shuffle(doc["units"])
    rng.shuffle(doc["waves"])
    for key in ("findings", "complaints", "vetoes", "cancellations", "rectification", "tasks"):
        doc[key] = dict(reversed(list(doc[key].items())))
        for facts in doc[key].values():
            rng.shuffle(facts)
    doc["survey"] = {w: dict(reversed(list(t.items()))) for w, t in reversed(doc["survey"].items())}
    return doc


def test_list_orders_in_the_inputs_do_not_change_any_unit_result():
    scheme, inputs = builtin_schemes()[LUOHE], luohe_round()
    inputs["findings"][next(iter(inputs["findings"]))].append(
        {
            "finding_id": "40000000-0000-4000-8000-000000000009",
            "method": "明察",
            "item": None,
            "severity": "一般",
            "deduction": None,
            "found_on": "2024-06-01",
        }
    )
    expected = compute_round(scheme, inputs)
    for seed in range(5):
        got = compute_round(scheme, _shuffled(inputs, seed))
        # The inputs digest is over the document as given (a reordered document is another
        # document); everything computed from it is the same.
        for key in ("inputs_digest", "results_digest"):
            got.pop(key), expected.pop(key, None)
        assert canonical_json(got) == canonical_json(expected)


def test_digests_cover_the_results():
    results = compute_round(builtin_schemes()[LUOHE], luohe_round())
    from shared.canonical import digest

    body = {k: v for k, v in results.items() if k != "results_digest"}
    assert results["results_digest"] == digest(body)
    for unit in results["units"]:
        assert unit["result_digest"] == digest(
            {k: v for k, v in unit.items() if k != "result_digest"}
        )
