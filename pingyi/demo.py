"""The demo: Luohe's 80 units (seed 000) and one survey wave of generated questionnaires,
loaded through the public HTTP API exactly as an office and an agency would."""

from __future__ import annotations

import csv
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import httpx

from services.registry.domain import UNIT_KIND_BY_LABEL

SURVEY_POINTS = (
    "源汇区固定测评点",
    "郾城区固定测评点",
    "召陵区固定测评点",
    "舞阳县固定测评点",
    "临颍县固定测评点",
)
DEMO_WAVE = "2026年度民主评议政风行风问卷测评(演示)"
Progress = Callable[[str, int, int], None]


def luohe_units() -> list[dict[str, str]]:
    text = resources.files("pingyi.samples").joinpath("luohe_000_units.csv").read_text("utf-8")
    return [
        {
            "name": row["单位名称"],
            "kind": UNIT_KIND_BY_LABEL[row["单位类型"]],
            "category": row["类别"],
        }
        for row in csv.DictReader(text.splitlines())
    ]


class DemoLoader:
    def __init__(self, urls: dict[str, str], admin_key: str, progress: Progress | None = None):
        self._urls = urls
        self._admin = {"X-API-Key": admin_key}
        self._http = httpx.Client(timeout=60)
        self._progress = progress or (lambda step, done, total: None)

    def _call(
        self,
        service: str,
        method: str,
        path: str,
        key: dict[str, str] | None = None,
        idempotency: str | None = None,
        **kwargs: Any,
    ) -> Any:
        headers = dict(key or self._admin)
        if idempotency:
            headers["Idempotency-Key"] = idempotency
        response = self._http.request(method, self._urls[service] + path, headers=headers, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {service}{path}: {response.status_code} {response.text}")
        return response.json()

    def wait_caught_up(self, downstream: str, upstream: str, timeout: float = 120) -> None:
        head = self._call(upstream, "GET", "/positions")["head"]
        deadline = time.monotonic() + timeout
        while head is not None:
            applied = self._call(downstream, "GET", "/positions")["consumers"].get(upstream)
            if applied is not None and applied >= head:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{downstream} did not catch up with {upstream}")
            time.sleep(0.1)

    def load(self, questionnaires: int = 3000, seed: int = 0) -> dict[str, Any]:
        existing = [w for w in self._call("survey", "GET", "/waves") if w["name"] == DEMO_WAVE]
        if existing:
            found: dict[str, Any] = existing[0]
            return found
        self._progress("登记辖区和参评单位", 0, 3)
        province = self._call(
            "registry",
            "POST",
            "/jurisdictions",
            idempotency="demo-province",
            json={"name": "河南省", "level": "province"},
        )
        city = self._call(
            "registry",
            "POST",
            "/jurisdictions",
            idempotency="demo-luohe",
            json={"name": "漯河市", "level": "city", "parent_id": province["jurisdiction_id"]},
        )
        units = self._call(
            "registry",
            "POST",
            "/units:batch",
            idempotency="demo-luohe-units",
            json={
                "units": [u | {"jurisdiction_id": city["jurisdiction_id"]} for u in luohe_units()]
            },
        )["units"]
        agency = self._call(
            "registry",
            "POST",
            "/principals",
            json={"name": "漯河市社情民意调查中心", "role": "agency"},
        )
        self._progress("登记辖区和参评单位", 3, 3)
        self.wait_caught_up("survey", "registry")
        wave = self._call(
            "survey",
            "POST",
            "/waves",
            json={
                "name": DEMO_WAVE,
                "jurisdiction_id": city["jurisdiction_id"],
                "agency_id": agency["principal_id"],
                "unit_ids": [u["unit_id"] for u in units],
            },
        )
        self._push(wave["wave_id"], units, {"X-API-Key": agency["api_key"]}, questionnaires, seed)
        self._call("survey", "POST", f"/waves/{wave['wave_id']}/close", json={"reason": "回收结束"})
        for downstream, upstream in (
            ("scoring", "registry"),
            ("scoring", "survey"),
            ("reporting", "scoring"),
        ):
            self.wait_caught_up(downstream, upstream)
        opened: dict[str, Any] = wave
        return opened

    def _push(
        self,
        wave_id: str,
        units: list[dict[str, Any]],
        agency: dict[str, str],
        total: int,
        seed: int,
        batch: int = 500,
    ) -> None:
        rng = random.Random(seed)
        # Each unit gets its own leaning so the rankings have a shape worth reading.
        leaning = {u["unit_id"]: rng.uniform(0.45, 0.9) for u in units}
        start = datetime(2026, 10, 8, 9, 0, tzinfo=UTC)
        for first in range(0, total, batch):
            chunk = []
            for number in range(first, min(total, first + batch)):
                rated = rng.sample(units, 12)
                chunk.append(
                    {
                        "questionnaire_id": f"LH-2026-{number + 1:05d}",
                        "survey_point": rng.choice(SURVEY_POINTS),
                        "collected_at": (start + timedelta(minutes=number)).isoformat(),
                        "ratings": {u["unit_id"]: _rate(rng, leaning[u["unit_id"]]) for u in rated},
                    }
                )
            self._call(
                "survey",
                "POST",
                f"/waves/{wave_id}/questionnaires:batch",
                key=agency,
                idempotency=f"demo-{wave_id}-{first}",
                json={"questionnaires": chunk},
            )
            self._progress("上传问卷", min(total, first + batch), total)

    def rankings(self, wave_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("reporting", "GET", f"/waves/{wave_id}/rankings")
        return result


def _rate(rng: random.Random, leaning: float) -> str:
    draw = rng.random()
    if draw < 0.06:
        return "不了解"
    if draw < 0.06 + leaning * 0.94:
        return "满意"
    return "基本满意" if rng.random() < 0.7 else "不满意"
