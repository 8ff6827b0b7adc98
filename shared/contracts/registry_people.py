"""Published registry facts about representatives, appointments and random draws."""

from __future__ import annotations
