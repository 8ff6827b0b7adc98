"""The survey push's per-request CPU before its questionnaires reach the domain: the body's
JSON read and validated into rows (commands), and the request's identity for its
Idempotency-Key, in µs per questionnaire, in this process.

    python -m bench.push_parse [--n 1000] [--units 80] [--repeat 9]

- ordinary: what every push took before bodies were read by their model (and what a body
  wrong as a whole still takes on its way to a 422): `json.loads` (Starlette's
  `Request.json`), FastAPI's validation of `BatchIn` (rows as dicts), `BatchIn.rows()` (the
  rows validated as `QuestionnaireIn`, commands built), and `fingerprint` of the request
  `record_batch` builds; with one bad row, `rows()` validates them all once more, one by one;
- read from JSON: `BatchIn.from_json_body` (one `validate_json` pass), FastAPI's
  validation of the instance it gives, `rows()`, and `body_fingerprint` of the raw body;
  with one bad row, that row alone is validated again for its report.

Each figure is the best of `repeat` runs (the least disturbed by other processes), after a
warm-up run; the questionnaires are the ingest bench's (`bench.survey_ingest`).
"""

from __future__ import annotations

import argparse
import json
import os
import time
import uuid
from collections.abc import Callable
from typing import Any

import orjson
from pydantic import TypeAdapter

from bench.survey_ingest import questionnaires
from services.survey.schemas.batches import BatchIn
from shared.canonical import fingerprint
from shared.idempotency import body_fingerprint

FASTAPI_BODY = TypeAdapter(BatchIn)
"""What FastAPI validates a `body: BatchIn` parameter with."""


def _request(wave_id: uuid.UUID, body: BatchIn) -> dict[str, Any]:
    rows, refused = body.rows()
    return {
        "wave_id": wave_id,
        "rows": [[index, q] for index, q in rows],
        "refused": list(refused),
        "all_or_nothing": body.all_or_nothing,
    }


def ordinary(raw: bytes, wave_id: uuid.UUID) -> str:
    body = FASTAPI_BODY.validate_python(json.loads(raw), from_attributes=True)
    return fingerprint(_request(wave_id, body))


def read_from_json(raw: bytes, wave_id: uuid.UUID) -> str:
    read = BatchIn.from_json_body(raw)
    assert read is not None, "the bench's batch is read at once"
    body = FASTAPI_BODY.validate_python(read, from_attributes=True)
    _request(wave_id, body)
    return body_fingerprint(raw)


def one_bad_row(raw: bytes, wave_id: uuid.UUID) -> str:
    read = BatchIn.from_json_body(raw)
    assert read is not None, "a bad row is kept as sent, to be reported"
    body = FASTAPI_BODY.validate_python(read, from_attributes=True)
    assert body.rows()[1], "the bad row is reported"
    _request(wave_id, body)
    return body_fingerprint(raw)


def best(step: Callable[[], object], repeat: int) -> float:
    step()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return min(times)


def stages(raw: bytes, wave_id: uuid.UUID, repeat: int) -> dict[str, float]:
    """The ordinary path's stages one by one, to show where its time went."""
    decoded = json.loads(raw)
    body = FASTAPI_BODY.validate_python(decoded, from_attributes=True)
    request = _request(wave_id, body)
    read = BatchIn.from_json_body(raw)
    assert read is not None
    return {
        "  json.loads": best(lambda: json.loads(raw), repeat),
        "  FastAPI's BatchIn validation (rows as dicts)": best(
            lambda: FASTAPI_BODY.validate_python(decoded, from_attributes=True), repeat
        ),
        "  rows(): QuestionnaireIn validation, commands": best(body.rows, repeat),
        "  fingerprint(request)": best(lambda: fingerprint(request), repeat),
        "  BatchIn.from_json_body (validate_json)": best(
            lambda: BatchIn.from_json_body(raw), repeat
        ),
        "  rows() of the clean batch (commands)": best(read.rows, repeat),
        "  body_fingerprint(raw)": best(lambda: body_fingerprint(raw), repeat),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.push_parse", description=__doc__)
    parser.add_argument("--n", type=int, default=1000, help="questionnaires in the batch")
    parser.add_argument("--units", type=int, default=80, help="units rated in each")
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args(argv)
    units = [str(uuid.uuid4()) for _ in range(args.units)]
    rows = questionnaires(args.n, units)
    raw = orjson.dumps({"questionnaires": rows})
    bad = orjson.dumps({"questionnaires": [*rows[:-1], rows[-1] | {"ratings": {"x": "满意"}}]})
    wave_id = uuid.uuid4()
    n = args.n
    print(f"{n} questionnaires of {args.units} ratings, {len(raw) / n:,.0f} bytes each")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    figures = {
        "before: ordinary": best(lambda: ordinary(raw, wave_id), args.repeat),
        "before: ordinary, one bad row": best(lambda: ordinary(bad, wave_id), args.repeat),
        "after: read from JSON": best(lambda: read_from_json(raw, wave_id), args.repeat),
        "after: read from JSON, one bad row": best(lambda: one_bad_row(bad, wave_id), args.repeat),
        **stages(raw, wave_id, args.repeat),
    }
    for name, seconds in figures.items():
        print(f"{name:52s} {seconds * 1e6 / n:8.1f} µs/questionnaire")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
