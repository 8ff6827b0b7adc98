"""The survey log of `bench.round_world`'s round: the questionnaires, stored as batch parts
of pushes or one message each, the decisions about them and the close (a mixin of
`RoundWorld`, which gives the wave, its units and the sizes)."""

from __future__ import annotations

import functools
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any
from uuid import UUID, uuid5

from pydantic import TypeAdapter

from shared.canonical import message_json
from shared.contracts import IntegrationPayload
from shared.contracts.survey import (
    Answers,
    BatchWithdrawn,
    Flag,
    ResponseCorrected,
    ResponseQuarantined,
    ResponseRecorded,
    ResponseRejected,
    ResponseReleased,
    ResponseVoided,
    WaveClosed,
    WaveOpened,
)
from shared.contracts.survey_batch import BatchRecorded, row_chars
from shared.contracts.wire import encode_body

NS = UUID("9d3c1f0e-5b7a-4e21-8c44-2f6a1b0d9e93")
ACTOR = "office:省纠风办"
OCCURRED = datetime(2026, 7, 2, 1, 0, tzinfo=UTC)
COLLECTED = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
LEVELS = ("满意", "基本满意", "不满意", "不了解")
POINTS = 16
GROUPS = ("服务对象", "监督员", "群众")
BATCH_WITHDRAWN = 200
"""Questionnaires of the one batch that is withdrawn, the first push (they are among the
decided ones)."""
PUSH = 1000
"""Questionnaires an agency pushes at once (the ingest benchmark's request)."""
PART = 500
"""Questionnaires a `survey.batch.recorded` part holds at most, as the survey splits a push."""
_NO_EXTRAS: dict[str, Any] = {
    "device": None,
    "dimension_ratings": {},
    "district_id": None,
    "opinions": [],
    "recommended_key_targets": [],
    "respondent_id": None,
}
"""A part's extra as JSON, less its index and flags, for a questionnaire with only flags."""
_DATETIME = TypeAdapter(datetime)

Row = tuple[str, bytes]
"""(topic, message body) of one stored event; its notification id is its place + 1."""


def uid(*parts: object) -> UUID:
    return uuid5(NS, ":".join(map(str, parts)))


class Questionnaires:
    """The survey's part of the round; needs `questionnaires`, `units`, `unit_ids`,
    `decisions`, `seed`, `grain`, `wave_id` and `wave()` of the world."""

    questionnaires: int
    units: int
    decisions: int
    seed: int
    grain: str

    @property
    def unit_ids(self) -> list[UUID]:
        raise NotImplementedError

    @property
    def wave_id(self) -> UUID:
        raise NotImplementedError

    def wave(self) -> WaveOpened:
        raise NotImplementedError

    def survey(self) -> Iterator[Row]:
        yield row_of(self.wave(), "survey")
        rows = self._row_pool()
        if self.grain == "single":
            for i in range(self.questionnaires):
                yield "Response.Recorded", self.recording_body(i, rows[i % len(rows)])
        else:
            for batch, part, parts, first, last in self.parts():
                yield "Batch.Recorded", self.part_body(batch, part, parts, first, last, rows)
        for payload in self._decisions():
            yield row_of(payload, "survey")
        yield row_of(WaveClosed(wave_id=self.wave_id, actor=ACTOR, reason="测评结束"), "survey")

    def pushes(self) -> list[tuple[int, int]]:
        """(first, end) questionnaire of each push: the withdrawn batch, then pushes of
        `PUSH`."""
        bounds = [0, min(BATCH_WITHDRAWN, self.questionnaires)]
        bounds += range(bounds[-1] + PUSH, self.questionnaires, PUSH)
        bounds.append(self.questionnaires)
        return [(a, b) for a, b in pairwise(bounds) if b > a]

    def parts(self) -> Iterator[tuple[int, int, int, int, int]]:
        """(push, part, parts, first, end) of every part, in log order."""
        for push, (first, end) in enumerate(self.pushes()):
            starts = range(first, end, PART)
            for part, start in enumerate(starts, 1):
                yield push, part, len(starts), start, min(start + PART, end)

    def batch_id(self, i: int) -> UUID:
        """The batch questionnaire `i` came in (its push's), in either grain."""
        head = min(BATCH_WITHDRAWN, self.questionnaires)
        return _batch_uid(0 if i < head else 1 + (i - head) // PUSH)

    def part_payload(
        self, push: int, part: int, parts: int, first: int, end: int, rows: list[list[str | None]]
    ) -> dict[str, Any]:
        """The payload `BatchRecorded(...).model_dump(mode="json")` gives, built directly: a
        v2 part in columns, its levels the wave's scale (as survey publishes them), each
        row one text of level codes, the flags in `extras`."""
        questionnaires = [self.recording(i, rows[i % len(rows)]) for i in range(first, end)]
        texts = self._row_texts(rows)
        return {
            "agency_id": str(uid("agency")),
            "batch_id": str(_batch_uid(push)),
            "channels": [q["channel"] for q in questionnaires],
            "collected_at": [q["collected_at"] for q in questionnaires],
            "extras": [
                {**_NO_EXTRAS, "flags": q["flags"], "index": index}
                for index, q in enumerate(questionnaires)
                if q["flags"]
            ],
            "groups": [q["group"] for q in questionnaires],
            "levels": list(LEVELS),
            "part": part,
            "parts": parts,
            "questionnaire_ids": [q["questionnaire_id"] for q in questionnaires],
            "response_ids": [q["response_id"] for q in questionnaires],
            "rows": [texts[i % len(rows)] for i in range(first, end)],
            "survey_points": [q["survey_point"] for q in questionnaires],
            "wave_id": str(self.wave_id),
        }

    def part_body(
        self, push: int, part: int, parts: int, first: int, end: int, rows: list[list[str | None]]
    ) -> bytes:
        return message_json(
            {
                "event_type": BatchRecorded.event_type,
                "occurred_at": _OCCURRED_TEXT,
                "origin": "survey",
                "payload": self.part_payload(push, part, parts, first, end, rows),
                "schema_version": BatchRecorded.schema_version,
            }
        )

    def response_id(self, i: int) -> UUID:
        return uid("response", i)

    def recording(self, i: int, row: list[str | None]) -> dict[str, Any]:
        """The payload `ResponseRecorded(...).model_dump(mode="json")` gives, built directly."""
        flagged = i % 997 == 5
        return {
            "agency_id": str(uid("agency")),
            "batch_id": str(self.batch_id(i)),
            "channel": "survey_point",
            "collected_at": _DATETIME.dump_python(COLLECTED + timedelta(seconds=i), mode="json"),
            "device": None,
            "dimension_ratings": {},
            "district_id": None,
            "flags": [{"code": "burst", "detail": "同一测评点短时集中提交"}] if flagged else [],
            "group": GROUPS[i % 4 % 3],
            "opinions": [],
            "questionnaire_id": f"SN2026-{i:08d}",
            "ratings": {},
            "recommended_key_targets": [],
            "respondent_id": None,
            "response_id": str(self.response_id(i)),
            "row": row,
            "survey_point": f"P{(i * 5) % POINTS:02d}",
            "wave_id": str(self.wave_id),
        }

    def recording_body(self, i: int, row: list[str | None]) -> bytes:
        return message_json(
            {
                "event_type": ResponseRecorded.event_type,
                "occurred_at": _OCCURRED_TEXT,
                "origin": "survey",
                "payload": self.recording(i, row),
                "schema_version": ResponseRecorded.schema_version,
            }
        )

    def check_recordings(self, sample: int = 50) -> None:
        """The directly built bodies are the ones the contract model would encode: a sample
        of single recordings, and the first and last parts."""
        rows = self._row_pool()
        if self.grain == "single":
            for i in range(min(sample, self.questionnaires)):
                model = ResponseRecorded.model_validate(self.recording(i, rows[i % len(rows)]))
                if encode_body("survey", model, OCCURRED) != self.recording_body(
                    i, rows[i % len(rows)]
                ):
                    raise AssertionError(f"questionnaire {i}: body differs from the contract's")
            return
        every = list(self.parts())
        for where in {0, len(every) - 1} if every else set():
            part = BatchRecorded.model_validate(self.part_payload(*every[where], rows))
            if encode_body("survey", part, OCCURRED) != self.part_body(*every[where], rows):
                raise AssertionError(f"part {every[where]}: body differs from the contract's")

    def _row_texts(self, rows: list[list[str | None]]) -> list[str]:
        """Each pool row as a v2 row text with the wave's scale as levels (made once per
        pool; the pool is kept with them, so its id is not reused)."""
        made = _TEXTS.get(id(rows))
        if made is None:
            chars = row_chars(LEVELS)
            made = _TEXTS[id(rows)] = rows, ["".join(chars[a] for a in row) for row in rows]
        return made[1]

    def _row_pool(self) -> list[list[str | None]]:
        """4,093 answer rows; each unit has its own leaning, so units rank apart."""
        rng = random.Random(self.seed)
        leanings = []
        for _ in self.unit_ids:
            satisfied, basic = 0.4 + 0.45 * rng.random(), 0.1 + 0.2 * rng.random()
            leanings.append((satisfied, basic, max(0.02, 1 - satisfied - basic), 0.05))
        pool: list[list[str | None]] = []
        for _ in range(4093):
            pool.append(
                [
                    None if rng.random() < 0.02 else rng.choices(LEVELS, weights)[0]
                    for weights in leanings
                ]
            )
        return pool

    def _decisions(self) -> Iterator[IntegrationPayload]:
        """A fixed number of decisions, spread over the questionnaires."""
        n = min(self.decisions, self.questionnaires // 5)
        wave = self.wave_id
        for k in range(n):
            r = self.response_id((k * 7919 + 11) % self.questionnaires)
            kind = k % 5
            if kind == 0:
                answers = Answers(ratings={self.unit_ids[k % self.units]: "不满意"})
                yield ResponseCorrected(
                    wave_id=wave,
                    response_id=r,
                    version=2,
                    answers=answers,
                    reason="录入错误更正",
                    actor=ACTOR,
                )
            elif kind == 1:
                yield ResponseVoided(wave_id=wave, response_id=r, reason="重复录入", actor=ACTOR)
            elif kind == 2:
                flags = (Flag(code="point_departure", detail="测评点分布异常"),)
                yield ResponseQuarantined(wave_id=wave, response_id=r, flags=flags, actor=ACTOR)
            elif kind == 3:
                # released: one recorded with flags (see `recording`)
                flagged = self.response_id((997 * (k // 5) + 5) % self.questionnaires)
                yield ResponseReleased(
                    wave_id=wave, response_id=flagged, reason="复核无误", actor=ACTOR
                )
            else:
                yield ResponseRejected(wave_id=wave, response_id=r, reason="复核不实", actor=ACTOR)
        if self.questionnaires >= BATCH_WITHDRAWN:
            yield BatchWithdrawn(
                wave_id=wave,
                batch_id=_batch_uid(0),
                agency_id=uid("agency"),
                response_ids=tuple(self.response_id(i) for i in range(BATCH_WITHDRAWN)),
                reason="测评机构弄虚作假",
                actor=ACTOR,
            )


_OCCURRED_TEXT = _DATETIME.dump_python(OCCURRED, mode="json")
_TEXTS: dict[int, tuple[list[list[str | None]], list[str]]] = {}


@functools.cache
def _batch_uid(push: int) -> UUID:
    return uid("batch", push)


def row_of(payload: IntegrationPayload, origin: str) -> Row:
    return type(payload).__name__, encode_body(origin, payload, OCCURRED)
