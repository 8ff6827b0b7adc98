"""Dictionary (pinyin) order of Chinese names (`services.reporting.ranking`)."""

from __future__ import annotations

from services.reporting.ranking import pinyin_key


def test_pinyin_order_of_chinese_names() -> None:
    names = ["郑州", "北京", "安阳", "漯河", "孟州", "重庆", "长沙"]
    assert sorted(names, key=pinyin_key) == ["安阳", "北京", "长沙", "重庆", "漯河", "孟州", "郑州"]
