"""Dictionary (pinyin) order of Chinese names (`shared.text_order`): the key, and the text
the view stores sort by, which orders alike."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shared.text_order import pinyin_key, pinyin_sort_text


def test_pinyin_order_of_chinese_names() -> None:
    names = ["郑州", "北京", "安阳", "漯河", "孟州", "重庆", "长沙"]
    assert sorted(names, key=pinyin_key) == ["安阳", "北京", "长沙", "重庆", "漯河", "孟州", "郑州"]


def test_the_sort_text_orders_as_the_key() -> None:
    names = ["上传问卷", "代表评议", "第二轮问卷", "网上评议", "边界测试", "中华", "中国", "交通"]
    assert sorted(names, key=pinyin_sort_text) == sorted(names, key=pinyin_key)
    assert sorted(names, key=pinyin_sort_text) == [
        "边界测试",
        "代表评议",
        "第二轮问卷",
        "交通",
        "上传问卷",
        "网上评议",
        "中国",
        "中华",
    ]


NAMES = st.text(
    alphabet=st.characters(categories=("Lo", "Lu", "Ll", "Nd"), max_codepoint=0x9FFF), max_size=6
)


@given(NAMES, NAMES)
def test_any_two_names_compare_alike_as_keys_and_as_sort_texts(a: str, b: str) -> None:
    by_key = (pinyin_key(a) > pinyin_key(b)) - (pinyin_key(a) < pinyin_key(b))
    by_text = (pinyin_sort_text(a) > pinyin_sort_text(b)) - (
        pinyin_sort_text(a) < pinyin_sort_text(b)
    )
    assert by_text == by_key
