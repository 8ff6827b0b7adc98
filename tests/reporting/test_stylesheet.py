"""The office pages and the public results pages, rendered by two Jinja environments, have
one stylesheet (`rounds/templates/stylesheet.html`): each page's inline `<style>` starts
with it, so a rule changed for one is changed for both. They were near-copies that had
drifted (one comment, one table width) and could drift further."""

from __future__ import annotations

import re

from services.reporting.documents import PAGES
from services.reporting.rounds.page_api import TEMPLATES
from tests.conftest import in_memory
from tests.harness import Cluster

HTML = {"Accept": "text/html"}
CJK_FONTS = (
    'font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei",\n'
    '         "PingFang SC", "HanaMinA", "HanaMinB", sans-serif;'
)


def _style(page: str) -> str:
    found = re.search(r"<style>(.*?)</style>", page, re.S)
    assert found is not None, page[:300]
    return found.group(1)


def test_office_and_public_pages_start_their_style_with_one_stylesheet() -> None:
    stylesheet = PAGES.get_template("stylesheet.html").render()
    assert TEMPLATES.get_template("stylesheet.html").render() == stylesheet
    assert CJK_FONTS in stylesheet
    with Cluster(in_memory(), ["reporting"]) as cluster:
        office = cluster["reporting"].get("/signin", headers=HTML)
        public = cluster["reporting"].get("/public/pages", headers=HTML)
    for page in (office, public):
        assert page.status_code == 200, page.text
        assert _style(page.text).startswith(stylesheet)
    # What only each kind of page needs follows it, and stays its own.
    assert ".overdue" in _style(office.text) and ".overdue" not in _style(public.text)
    assert "tbody th" in _style(public.text) and "tbody th" not in _style(office.text)
