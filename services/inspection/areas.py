"""The parts of inspection beyond findings, each a package with the same exports, so the
service is assembled from them in one place (main.py, application, integration)."""

from __future__ import annotations

from services.inspection import assessments, complaints, rectification, tasks

AREAS = (rectification, complaints, assessments, tasks)
