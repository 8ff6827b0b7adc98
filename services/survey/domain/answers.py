"""What a questionnaire must satisfy to be recorded into a wave: every problem found, not
just the first, each with the field and a reason the agency can act on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson

from services.survey.domain.canonical import canonical_code, code_lookup
from services.survey.domain.errors import InvalidQuestionnaire, nothing_done
from services.survey.domain.reasons import (
    IN_FUTURE,
    NEEDS_DISTRICT,
    NEEDS_GROUP,
    NEEDS_MEMBER,
    NEEDS_POINT,
    NO_DIMENSIONS,
    NO_OPINIONS,
    NO_RATING,
    NO_RECOMMENDATIONS,
    NOT_A_PANEL,
    NOT_DIMENSION,
    NOT_MEMBER,
    OTHER_CHANNEL,
    OTHER_DISTRICT,
    UNIT_NOT_IN_WAVE,
    UNIT_TWICE,
    named,
    office_time,
    quoted,
)
from services.survey.domain.reasons import POINTS_NAMED as POINTS_NAMED  # imported here before
from services.survey.domain.wave import Wave
from shared.contracts.survey import SCALE_LABELS, WaveKind

FUTURE_TOLERANCE = timedelta(minutes=10)
"""Clocks of collection devices drift; a questionnaire from further ahead is a typo."""
MAX_OPEN_ANSWER_BYTES = 256 * 1024
"""Opinions, dimension answers and recommendations of one questionnaire, as UTF-8 JSON.
Every message must stay under NATS's 1 MiB: a batch part is cut at 512 KiB, but one
questionnaire is never split (200 opinions of 2,000 characters would be 1.2 MB)."""


@dataclass(frozen=True)
class Problem:
    field: str
    reason: str
    code: str


Salvaged = tuple[int, dict[str, Any], frozenset[str]]
"""A row a request's validation refused, for what it still says: (row, its fields that read,
as a good row's command holds them, a broken one absent; the top-level fields that broke,
left out or read without their broken entries). Read by the schemas, judged by the intake."""


def refusal(found: list[Problem]) -> InvalidQuestionnaire:
    """One questionnaire's problems (a correction's, a vote's) as one error naming each by
    its body field, as a push's row names them, not the first alone: the caller fixes every
    answer in one round trip. Each entry keeps its problem's code in `code_detail`."""
    errors = [InvalidQuestionnaire(p.reason, field=p.field, code_detail=p.code) for p in found]
    if len(errors) == 1:
        return errors[0]
    error = InvalidQuestionnaire(nothing_done(len(errors)), field=None)
    error.several = tuple(errors)
    return error


class Checker:
    """The wave's rules, prepared once per batch (sets built once, not per questionnaire)."""

    def __init__(self, wave: Wave, now: datetime, districts: frozenset[str] | None = None) -> None:
        """`districts`: the jurisdictions a respondent's district may be (the wave's and
        those below it); None when the caller has not looked them up (nothing checked)."""
        self.wave = wave
        self.districts = districts
        self.now = now
        self.units = {str(u) for u in wave.unit_ids}
        self.levels = wave.levels
        template = wave.template
        self.template = template
        self.dimensions = {d.code for d in template.dimensions}
        self.points = frozenset(p.code for p in wave.points)
        self.point_codes = code_lookup([p.code for p in wave.points])
        self.points_named = named([f"{p.code}（{p.name}）" for p in wave.points])
        self.channels = {c.value for c in wave.channels}
        self.groups = frozenset(g.code for g in wave.groups)
        self.group_codes = code_lookup([g.code for g in wave.groups])
        self.groups_named = "、".join(f"{g.code}（{g.name}）" for g in wave.groups)
        self.panel = wave.panel
        self.representative = wave.kind == WaveKind.REPRESENTATIVE_EVALUATION
        # Read once: each is parsed from the wave's setup on every read.
        self.opens_at, self.closes_at = wave.opens_at, wave.closes_at
        self.latest = now + FUTURE_TOLERANCE

    def with_codes(self, q: dict[str, Any]) -> dict[str, Any]:
        """`q` with its survey point and respondent group as the wave writes them: ＹＨ－０１
        that reads as the wave's YH-01 (`canonical_code`) is YH-01, stored so, so that a
        re-push is a duplicate and its counts land on YH-01. `q` itself when both are the
        wave's codes already or none it has (those the checks refuse, as ever)."""
        point, group = q["survey_point"], q["group"]
        if (point is None or point in self.points) and (group is None or group in self.groups):
            return q  # the common case: two set lookups
        found = {
            "survey_point": canonical_code(point, self.points, self.point_codes),
            "group": canonical_code(group, self.groups, self.group_codes),
        }
        return q | found

    def problems(self, q: dict[str, Any], *, ratings_checked: bool = False) -> list[Problem]:
        """`ratings_checked`: the caller found the overall ratings good already (one of the
        wave's units each, on its scale, at least one), so they are not looked at again."""
        found: list[Problem] = []
        self._when(q["collected_at"], found)
        self._where(q, found)
        return found + self.answer_problems(q, ratings_checked=ratings_checked)

    def answer_problems(self, q: dict[str, Any], *, ratings_checked: bool = False) -> list[Problem]:
        """The answers only: what a correction is checked against."""
        found: list[Problem] = []
        if not ratings_checked:
            self._ratings(q["ratings"], found)
        self._dimensions(q["dimension_ratings"], q["ratings"], found)
        self._opinions(q["opinions"], found)
        self._recommendations(q["recommended_key_targets"], found)
        self._size(q, found)
        return found

    def _size(self, q: dict[str, Any], found: list[Problem]) -> None:
        open_answers = (q["opinions"], q["dimension_ratings"], q["recommended_key_targets"])
        if not any(open_answers):
            return
        size = len(orjson.dumps(open_answers, default=str))
        if size > MAX_OPEN_ANSWER_BYTES:
            reason = (
                f"意见、维度评价和推荐共 {size:,} 字节, 每份问卷至多 {MAX_OPEN_ANSWER_BYTES:,}"
                f" 字节 (opinions, dimension answers and recommendations take {size:,} bytes;"
                f" at most {MAX_OPEN_ANSWER_BYTES:,} a questionnaire)"
            )
            found.append(Problem("opinions", reason, "too_large"))

    def _when(self, collected_at: datetime, found: list[Problem]) -> None:
        opens_at, closes_at = self.opens_at, self.closes_at
        if opens_at is not None and collected_at < opens_at:
            when = office_time(opens_at)
            found.append(
                Problem(
                    "collected_at",
                    f"采集时间早于本次评议开始 {when}（北京时间） "
                    f"(collected before the wave's window opens at {when}, Beijing time)",
                    "outside_window",
                )
            )
        elif closes_at is not None and collected_at > closes_at:
            when = office_time(closes_at)
            found.append(
                Problem(
                    "collected_at",
                    f"采集时间晚于本次评议结束 {when}（北京时间） "
                    f"(collected after the wave's window closed at {when}, Beijing time)",
                    "outside_window",
                )
            )
        elif collected_at > self.latest:
            found.append(Problem("collected_at", IN_FUTURE, "in_future"))

    def _where(self, q: dict[str, Any], found: list[Problem]) -> None:
        point = q["survey_point"]
        if self.points and point is not None and point not in self.points:
            reason = (
                f"不是本次评议的测评点 (not one of the wave's survey points: {self.points_named})"
            )
            found.append(Problem("survey_point", reason, "unknown_point"))
        if self.points and point is None and q["channel"] in (None, "survey_point"):
            found.append(Problem("survey_point", NEEDS_POINT, "missing_point"))
        channel = q["channel"]
        if self.channels and channel is not None and channel not in self.channels:
            found.append(Problem("channel", OTHER_CHANNEL, "channel"))
        group = q["group"]
        if self.groups and group is not None and group not in self.groups:
            reason = (
                f"不是本次评议的受访群体 (not one of the wave's respondent groups: "
                f"{self.groups_named})"
            )
            found.append(Problem("group", reason, "group"))
        if self.template.asks_group and group is None:
            found.append(Problem("group", NEEDS_GROUP, "group"))
        district = q["district_id"]
        if self.template.asks_district and district is None:
            found.append(Problem("district_id", NEEDS_DISTRICT, "district"))
        elif self._unknown_district(district):
            found.append(Problem("district_id", OTHER_DISTRICT, "district"))
        respondent = q["respondent_id"]
        if self.representative:
            if respondent is None:
                found.append(Problem("respondent_id", NEEDS_MEMBER, "panel"))
            elif str(respondent) not in self.panel:
                found.append(Problem("respondent_id", NOT_MEMBER, "panel"))
        elif respondent is not None:
            # A questionnaire is the agency's (its id) in any other wave: a respondent_id
            # there would make each re-push another questionnaire (严禁复制测评问卷).
            found.append(Problem("respondent_id", NOT_A_PANEL, "not_a_panel"))

    def _unknown_district(self, district: Any) -> bool:
        return (
            district is not None
            and self.districts is not None
            and (str(district) not in self.districts)
        )

    def _answer(self, field: str, value: Any, found: list[Problem]) -> None:
        if not _on_scale(value, self.levels):
            found.append(Problem(field, self.off_scale(value), "scale"))

    def off_scale(self, value: Any) -> str:
        """Why `value` is no answer of this wave, with the scale's Chinese name and answers,
        not its code: the reason is read by the agency's staff (or a voter), who know 四级
        and 不了解, not `four_level`. Whether it is another scale's answer (非常满意 on a
        four-level wave) or none at all (很好), the fix is the same: one of these."""
        scale = SCALE_LABELS[self.template.scale]
        text = _number_text(value)
        if text is not None and text in self.levels:
            # "on no scale" alone sends an agency looking for a wrong value where only the
            # type is wrong (95 on a 百分制 wave).
            return (
                f'答案须为文本, 数字也加引号: "{text}", 不是数字 {text} '
                f'(answers are text, numbers too: "{text}", not the number {text} ({scale}))'
            )
        # The value read is quoted, clipped as a cell's is: the agency finds the answer
        # (很好) in its data without reading every one of the row's.
        return (
            f"不是本次评议量表上的答案：“{quoted(value)}” "
            f"(not an answer on the wave's scale ({scale}))"
        )

    def _unit(self, field: str, unit_id: str, found: list[Problem]) -> bool:
        if unit_id in self.units:
            return True
        found.append(Problem(field, UNIT_NOT_IN_WAVE, "unknown_unit_in_wave"))
        return False

    def _ratings(self, ratings: dict[str, Any], found: list[Problem]) -> None:
        if not ratings:
            found.append(Problem("ratings", NO_RATING, "required"))
        if self.units.issuperset(ratings) and _all_on_scale(ratings.values(), self.levels):
            return  # the common case, checked by two set operations
        for unit_id, value in ratings.items():
            if self._unit(f"ratings.{unit_id}", unit_id, found):
                self._answer(f"ratings.{unit_id}", value, found)

    def _dimensions(
        self, by_unit: dict[str, dict[str, Any]], ratings: dict[str, Any], found: list[Problem]
    ) -> None:
        if by_unit and not self.dimensions:
            found.append(Problem("dimension_ratings", NO_DIMENSIONS, "dimension"))
            return
        for unit_id, values in by_unit.items():
            field = f"dimension_ratings.{unit_id}"
            if not self._unit(field, unit_id, found):
                continue
            for code, value in values.items():
                if code not in self.dimensions:
                    found.append(Problem(f"{field}.{code}", NOT_DIMENSION, "dimension"))
                else:
                    self._answer(f"{field}.{code}", value, found)

    def _opinions(self, opinions: list[dict[str, Any]], found: list[Problem]) -> None:
        if opinions and not self.template.opinions:
            found.append(Problem("opinions", NO_OPINIONS, "opinions"))
            return
        for index, opinion in enumerate(opinions):
            unit_id = opinion["unit_id"]
            if unit_id is not None:
                self._unit(f"opinions.{index}.unit_id", unit_id, found)

    def _recommendations(self, unit_ids: list[str], found: list[Problem]) -> None:
        if unit_ids and not self.template.recommendations:
            found.append(
                Problem(
                    "recommended_key_targets",
                    NO_RECOMMENDATIONS,
                    "recommendations",
                )
            )
            return
        listed: set[str] = set()
        for index, unit_id in enumerate(unit_ids):
            field = f"recommended_key_targets.{index}"
            if unit_id in listed:
                found.append(Problem(field, UNIT_TWICE, "recommended_twice"))
            elif self._unit(field, unit_id, found):
                listed.add(unit_id)


def _on_scale(value: Any, levels: frozenset[str]) -> bool:
    # An answer arrives as any JSON value (a list cannot be looked up in a set): requests
    # take it as sent, so that this is the one place an answer is checked against a scale.
    return isinstance(value, str) and value in levels


def _all_on_scale(values: Iterable[Any], levels: frozenset[str]) -> bool:
    try:
        return levels.issuperset(values)
    except TypeError:  # an unhashable value (a list, an object): no answer of any scale
        return False


def _number_text(value: Any) -> str | None:
    """A JSON number as the text it would be on a numeric scale ("95" for 95 or 95.0)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not value.is_integer():
        return str(value)
    return str(int(value))
