"""How the audit commands word what they print: Chinese first, for the offices and auditors
who read it, and the English after it in brackets, as every refusal of the product is."""

from __future__ import annotations


def said(chinese: str, english: str) -> str:
    return f"{chinese} ({english})"
