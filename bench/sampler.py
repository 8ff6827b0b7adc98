"""Where a service process spends its time: a sampling profiler for `pingyi serve`.

    python -m bench.sampler OUT.json serve survey

runs `pingyi serve survey` in this process with a thread that looks at every other thread's
stack every `PINGYI_BENCH_SAMPLE_MS` milliseconds (default 2) and counts each sample under
the step it belongs to (the most specific step named on the stack wins; a thread waiting in
a selector, a lock, a queue or a child process outside a push is idle and not counted; a
push waiting for PostgreSQL counts as its insert). The counts
are written to OUT.json every half second, since uvicorn ends the process with the signal
it was stopped with (no exit hooks run). The service's relay is a child process of its
own and is not sampled.

A sampler instead of cProfile: cProfile sees one thread, the request threads are many, and
its per-call overhead would change the proportions it is meant to show. py-spy would do the
same from outside the process but is not installed everywhere.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

# (category, function names; a file fragment that must match too, or None), most specific
# first: the first category with a frame on the stack is the sample's.
STEPS: tuple[tuple[str, frozenset[str], str | None], ...] = (
    # scoring (`bench.score_latency --profile`); the file fragments keep them to its frames
    (
        "scoring: standings fold catch-up (read input batches, decode, fold)",
        frozenset({"_catch_up"}),
        "scoring",
    ),
    ("scoring: shipped schemes read (YAML)", frozenset({"builtin_schemes"}), "scoring"),
    ("scoring: compute_round (standings)", frozenset({"compute_round"}), "scoring"),
    ("scoring: input batch (relevant messages dumped)", frozenset({"inputs_of"}), "scoring"),
    ("insert (PostgreSQL, incl. waiting)", frozenset({"insert_events"}), None),
    ("message body encoding (to_payload, canonical JSON)", frozenset({"_body"}), "application"),
    ("event encoding (stored event, transcoder)", frozenset({"to_stored_event"}), None),
    ("integrity screening", frozenset({"screen"}), "integrity"),
    ("per-row checks (Checker, duplicates in batch)", frozenset({"_valid_rows"}), None),
    (
        "aggregate and event creation (Response.record, Batch, Wave)",
        frozenset({"_record", "record", "bring", "accept_batch"}),
        "survey",
    ),
    ("save: other (collect events, notify)", frozenset({"save"}), "eventsourcing"),
    ("wave read, idempotency lookup", frozenset({"run_idempotent"}), "idempotency"),
    ("wave read, idempotency lookup", frozenset({"wave", "_get"}), "survey"),
    (
        "request JSON read and validated at once (BatchIn.from_json_body)",
        frozenset({"from_json_body"}),
        "survey",
    ),
    ("request validation (pydantic, rows())", frozenset({"parse_rows", "rows"}), "survey"),
    ("request body fingerprint (idempotency)", frozenset({"body_fingerprint"}), "idempotency"),
    (
        "request validation (FastAPI body model)",
        frozenset({"request_body_to_args", "_validate_value_with_model_field", "validate"}),
        "fastapi",
    ),
    ("request JSON parsing", frozenset({"json", "body"}), "starlette"),
    (
        "response serialisation",
        frozenset({"serialize_response", "jsonable_encoder", "render"}),
        None,
    ),
    ("views, consumers (registry copy)", frozenset({"apply", "fetch", "run"}), "shared/"),
)
IDLE = frozenset(
    {
        "select",
        "poll",
        "wait",
        "_wait_for_tstate_lock",
        "get",
        "sleep",
        "_worker",
        "_try_wait",
        "_wait",
        "accept",
        "recv",
        "recv_into",
        "readinto",
        "run_forever",
        "_run_once",
    }
)


OTHER = "other (HTTP server, framework, logging)"


def classify(frame: FrameType | None) -> str | None:
    names: list[tuple[str, str]] = []
    innermost = frame.f_code.co_name if frame is not None else ""
    while frame is not None:
        names.append((frame.f_code.co_name, frame.f_code.co_filename))
        frame = frame.f_back
    if innermost in IDLE and not any(name == "record_batch" for name, _ in names):
        return None  # waiting, outside a push (a push's waits are its insert's)
    for category, functions, fragment in STEPS:
        for name, filename in names:
            if name in functions and (fragment is None or fragment in filename):
                return category
    return OTHER


class Sampler(threading.Thread):
    def __init__(self, out: Path, interval: float) -> None:
        super().__init__(name="bench-sampler", daemon=True)
        self.out = out
        self.interval = interval
        self.counts: Counter[str] = Counter()
        self.other: Counter[str] = Counter()
        self.samples = 0

    def run(self) -> None:
        me = threading.get_ident()
        written = time.monotonic()
        while True:
            time.sleep(self.interval)
            self.samples += 1
            for ident, frame in sys._current_frames().items():
                if ident != me:
                    category = classify(frame)
                    if category is not None:
                        self.counts[category] += 1
                    if category == OTHER:
                        code = frame.f_code
                        where = f"{Path(code.co_filename).name}:{code.co_name}"
                        self.other[where] += 1
            if time.monotonic() - written > 0.5:
                self.write()
                written = time.monotonic()

    def write(self) -> None:
        document: dict[str, Any] = {
            "interval_seconds": self.interval,
            "samples": self.samples,
            "busy": dict(self.counts.most_common()),
            "other_innermost": dict(self.other.most_common(30)),
        }
        temporary = self.out.with_suffix(".tmp")
        temporary.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        temporary.replace(self.out)


def breakdown(path: Path) -> list[tuple[str, float]]:
    """(category, share of all busy samples), largest first."""
    busy: dict[str, int] = json.loads(path.read_text(encoding="utf-8"))["busy"]
    total = sum(busy.values()) or 1
    return [(name, count / total) for name, count in busy.items()]


def main() -> None:
    out = Path(sys.argv[1])
    interval = float(os.environ.get("PINGYI_BENCH_SAMPLE_MS", "2")) / 1000
    Sampler(out, interval).start()
    sys.argv = ["pingyi", *sys.argv[2:]]
    from pingyi.cli import app

    app()


if __name__ == "__main__":
    main()
