"""Wave-wide integrity checks run on demand: a survey point whose answers depart sharply
from the rest of the wave's has its counted questionnaires put in quarantine for review."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from services.survey.application.decisions import DecisionCommands
from services.survey.integrity import departure_flag, point_departures
from services.survey.views.waves import PROGRESS, QUESTIONNAIRES
from shared.idempotency import Response as Result
from shared.principals import Principal as Caller
from shared.views import ViewStore

PAGE = 500


class ScanCommands(DecisionCommands):
    def scan_points(self, caller: Caller, wave_id: UUID, views: ViewStore) -> Result:
        wave = self.wave(wave_id)
        rules = wave.integrity
        progress = views.get(PROGRESS, str(wave_id)) or {}
        departures = point_departures(
            progress.get("answers_by_point", {}),
            rules,
            questionnaires_by_point=progress.get("counted_by_point", {}),
        )
        out: list[dict[str, Any]] = []
        total = 0
        for departure in departures:
            flag = departure_flag(departure, rules).model_dump()
            moved = 0
            for ids in self._counted_at(views, wave_id, departure.point):
                moved += len(self.quarantine(caller, wave_id, ids, [flag]))
            total += moved
            out.append(
                {
                    "survey_point": departure.point,
                    "questionnaires": departure.questionnaires,
                    "distance_percent": str(departure.distance_percent),
                    "quarantined": moved,
                }
            )
        return {
            "wave_id": str(wave_id),
            "threshold_percent": rules.point_departure_percent,
            "departures": out,
            "quarantined": total,
        }

    @staticmethod
    def _counted_at(views: ViewStore, wave_id: UUID, point: str) -> list[list[UUID]]:
        where = {"wave_id": str(wave_id), "survey_point": point, "status": "counted"}
        # Read whole, as one state, before any is quarantined: the pages must not shift
        # under the cursor (a questionnaire counted or re-sorted meanwhile would be skipped,
        # or quarantined twice); then taken PAGE at a time.
        ids = [UUID(doc["response_id"]) for doc in views.everything(QUESTIONNAIRES, where=where)]
        return [ids[at : at + PAGE] for at in range(0, len(ids), PAGE)]
