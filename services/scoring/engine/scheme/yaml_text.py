"""YAML text read as a JSON document is: what `POST /schemes` takes with a YAML media type.

PyYAML's `safe_load` alone would take more than a JSON body can say, and say less than an
office needs to mend its file: it keeps the last of two equal keys without a word, reads
`yes:` or `1:` as a key that is not text, `2024-01-01` as a date, and expands aliases
without bound (a few hundred bytes of nested aliases make a billion values for validation to
walk). So the text is composed first (the node tree, with every node's line and column),
checked, and only then constructed with the safe constructor: one document, keys that are
text and each said once, values of JSON's kinds (text, number, true/false, null, lists and
mappings), numbers written as plain decimals, a bounded size once aliases are expanded.
Each refusal names the path of the
value (as the document's fields are named: `document.components.0.weight`) and its line
and column, counted from 1 as editors count them.

Only `true` and `false` (any case YAML 1.2 allows: `True`, `TRUE`) are booleans, as in YAML
1.2 and JSON: PyYAML, after YAML 1.1, also reads `yes`, `no`, `on` and `off` as true/false, so
`ranked: on` was silently true and a level named `no` a boolean. Here they are text, which a
flag refuses by name (须为 true 或 false) and a level or a code reads as written.

A document read so is the same data as the same document sent as JSON, so it validates to
the same `Scheme` and the same `scheme_hash`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, TypeVar, cast

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

__all__ = ["MAX_NESTING", "MAX_VALUES", "YamlRefused", "core_booleans", "read_yaml"]

_BOOL = "tag:yaml.org,2002:bool"
_CORE_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
"""YAML 1.2's booleans (its core schema), JSON's two words among them."""

_Loader = TypeVar("_Loader", bound=type[BaseResolver])


def core_booleans(loader: _Loader) -> _Loader:
    """`loader` resolving only YAML 1.2's words as booleans (`yes`, `on`, … stay text): a
    subclass, its own copy of the implicit resolvers without YAML 1.1's boolean one."""
    resolvers = {
        first: [(tag, regexp) for tag, regexp in found if tag != _BOOL]
        for first, found in loader.yaml_implicit_resolvers.items()
    }
    strict: Any = type(f"Core{loader.__name__}", (loader,), {"yaml_implicit_resolvers": resolvers})
    strict.add_implicit_resolver(_BOOL, _CORE_BOOL, list("tTfF"))
    return cast(_Loader, strict)


MAX_VALUES = 100_000
"""Values a document may hold once aliases are expanded (a shipped scheme holds about 500)."""
MAX_NESTING = 64
"""How deeply the text may nest (the scheme language itself allows 32 below `document`)."""

_TAG = "tag:yaml.org,2002:"
_SCALARS = {f"{_TAG}{kind}" for kind in ("str", "int", "float", "bool", "null")}
_MERGE = f"{_TAG}merge"
_NUMBERS = {f"{_TAG}int", f"{_TAG}float"}
PLAIN_NUMBER = re.compile(r"[-+]?(?:0|[1-9][0-9]*)(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?")
"""A number as JSON and an office write it (1.1 for `1.`, and a `+` allowed). YAML 1.1 reads
more forms as numbers, each silently a number other than the one an office meant: `060` is
octal 48, `0b11` is 3, `0x1` is 1, `1_000` is 1000, `1:30` is 90 (base 60), `.inf` is
infinity; so they are refused, and a quoted one is text, as it was."""
_KINDS = {
    "timestamp": ("a date or time", "日期或时间"),
    "binary": ("binary data", "二进制数据"),
    "set": ("a set", "集合"),
    "omap": ("an ordered mapping", "有序映射"),
    "pairs": ("a list of pairs", "键值对列表"),
    "value": ("a `=` value", "`=` 值"),
    "int": ("a number", "数字"),
    "float": ("a number", "数字"),
    "bool": ("true/false", " true/false"),
    "null": ("null", " null"),
    "map": ("a mapping", "映射"),
    "seq": ("a list", "列表"),
}
"""What YAML reads a value as, in English and in Chinese."""


class YamlRefused(ValueError):
    """Why the text is not a JSON document: `code` (`yaml_syntax`, `duplicate_key`,
    `key_not_text`, `value_not_json`, `number_not_plain`, `too_large`, `not_utf8`), the
    `path` of the value (empty: the text as a whole), the `line` and `column` (from 1; None
    when the reader has no place to name) and the `reason` in words: Chinese first, the
    English after it, each with the place (`第 5 行第 8 列: … (line 5, column 8: …)`);
    `words` the two apart, for a caller that words its own refusal around them."""

    def __init__(
        self,
        code: str,
        words: tuple[str, str],
        path: tuple[str, ...] = (),
        mark: yaml.Mark | None = None,
    ) -> None:
        self.code = code
        self.path = path
        self.line = None if mark is None else mark.line + 1
        self.column = None if mark is None else mark.column + 1
        chinese, english = words
        if mark is not None:
            chinese = f"第 {self.line} 行第 {self.column} 列: {chinese}"
            english = f"line {self.line}, column {self.column}: {english}"
        self.words = (chinese, english)
        self.reason = f"{chinese} ({english})"
        super().__init__(self.reason)


def read_yaml(text: bytes | str) -> Any:
    """The one document in the text, as JSON's kinds of value; `YamlRefused` otherwise."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise YamlRefused(
                "not_utf8",
                (
                    f"文本须为 UTF-8 编码的 YAML, 第 {error.start} 字节不是",
                    f"the YAML text is not UTF-8 (byte {error.start} is not)",
                ),
            ) from None
    try:
        loader = _LOADER(text)
    except yaml.YAMLError as error:  # the reader's: a character YAML does not allow
        raise _unreadable(error) from None
    try:
        node = _composed(loader)
        if node is None:
            raise YamlRefused(
                "yaml_syntax", ("文本中没有 YAML 文档", "the YAML text holds no document")
            )
        _check(node, (), 0, iter(range(MAX_VALUES)))
        try:
            return loader.construct_document(node)
        except yaml.MarkedYAMLError as error:  # a merge key on what is not a mapping
            raise _syntax(error) from None
    finally:
        loader.dispose()


_LOADER = core_booleans(yaml.SafeLoader)


def _composed(loader: yaml.SafeLoader) -> Node | None:
    try:
        return loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        raise _syntax(error) from None
    except yaml.YAMLError as error:  # the reader's: a character YAML does not allow
        raise _unreadable(error) from None
    except RecursionError:
        raise YamlRefused(
            "too_large",
            (f"嵌套超过 {MAX_NESTING} 层", f"nested deeper than {MAX_NESTING} levels"),
        ) from None


_NOT_YAML = "不是有效的 YAML, 请检查此处的缩进、括号、引号和冒号"
"""PyYAML says what it expected in English only; the Chinese names what to look at."""


def _syntax(error: yaml.MarkedYAMLError) -> YamlRefused:
    said = "; ".join(str(p) for p in (error.context, error.problem) if p)
    return YamlRefused(
        "yaml_syntax", (_NOT_YAML, f"not valid YAML: {said}"), (), error.problem_mark
    )


def _unreadable(error: yaml.YAMLError) -> YamlRefused:
    """The reader's error (a character YAML does not allow): its text names the place."""
    said = " ".join(str(error).split())  # PyYAML puts the place on a line of its own
    return YamlRefused(
        "yaml_syntax",
        ("不是有效的 YAML, 含有 YAML 不允许的字符", f"not valid YAML: {said}"),
    )


def _check(node: Node, path: tuple[str, ...], depth: int, budget: Iterator[int]) -> None:
    """Refuses what JSON cannot say, walking the tree as validation will: an alias as often
    as it is used (so a document that expands past `MAX_VALUES` is refused before it is
    built, and one that contains itself goes past `MAX_NESTING`)."""
    if next(budget, None) is None:
        raise YamlRefused(
            "too_large",
            (
                f"别名展开后文档的值超过 {MAX_VALUES} 个",
                f"the document holds more than {MAX_VALUES} values once its aliases are expanded",
            ),
            path,
            node.start_mark,
        )
    if depth > MAX_NESTING:
        raise YamlRefused(
            "too_large",
            (
                f"嵌套超过 {MAX_NESTING} 层 (或别名指向包含它自身的值)",
                f"nested deeper than {MAX_NESTING} levels (or an alias refers to a value it is in)",
            ),
            path[:8],
            node.start_mark,
        )
    if isinstance(node, ScalarNode):
        if node.tag not in _SCALARS:
            _not_json(node, path)
        if node.tag in _NUMBERS and not PLAIN_NUMBER.fullmatch(node.value):
            _not_plain(node, path)
    elif isinstance(node, SequenceNode):
        if node.tag != f"{_TAG}seq":
            _not_json(node, path)
        for index, item in enumerate(node.value):
            _check(item, (*path, str(index)), depth + 1, budget)
    elif isinstance(node, MappingNode):
        if node.tag != f"{_TAG}map":
            _not_json(node, path)
        _check_mapping(node, path, depth, budget)


def _check_mapping(
    node: MappingNode, path: tuple[str, ...], depth: int, budget: Iterator[int]
) -> None:
    seen: set[str] = set()
    for key, value in node.value:
        if key.tag == _MERGE:  # `<<: *defaults`: YAML's own way to reuse a mapping's keys
            _check(value, path, depth + 1, budget)
            continue
        if not isinstance(key, ScalarNode) or key.tag != f"{_TAG}str":
            raise YamlRefused(
                "key_not_text",
                (
                    f"键 {_shown(key, chinese=True)} 不是文本 (YAML 读作{_kind(key)[1]}), 请加引号",
                    f"the key {_shown(key)} is not text (YAML reads it as {_kind(key)[0]}): "
                    "write it in quotes",
                ),
                path,
                key.start_mark,
            )
        if key.value in seen:
            raise YamlRefused(
                "duplicate_key",
                (
                    f"键 {key.value!r} 在同一映射中出现两次, 请只保留一个",
                    f"the key {key.value!r} is given twice in one mapping: keep one",
                ),
                (*path, key.value),
                key.start_mark,
            )
        seen.add(key.value)
        _check(value, (*path, key.value), depth + 1, budget)


def _not_json(node: Node, path: tuple[str, ...]) -> None:
    raise YamlRefused(
        "value_not_json",
        (
            f"{_shown(node, chinese=True)} 是{_kind(node)[1]}, JSON 文档无法容纳: "
            "请加引号写成文本 (或写成它代表的数字、列表或映射)",
            f"{_shown(node)} is {_kind(node)[0]}, which a JSON document cannot hold: "
            "write it in quotes as text (or as the number, list or mapping it stands for)",
        ),
        path,
        node.start_mark,
    )


def _not_plain(node: ScalarNode, path: tuple[str, ...]) -> None:
    read = SafeConstructor().construct_object(node)
    raise YamlRefused(
        "number_not_plain",
        (
            f"数字 {_shown(node)} 不是普通的十进制写法, YAML 会读作 {read!r}: 请写成普通十进制数 "
            "(如 48、0.5、1000), 或加引号作为文本",
            f"{_shown(node)} is not a plain decimal, and YAML reads it as {read!r}: write it "
            "as a plain decimal, or quote it",
        ),
        path,
        node.start_mark,
    )


def _kind(node: Node) -> tuple[str, str]:
    """What YAML reads the node as: (English, Chinese)."""
    tag = str(node.tag)
    name = tag.removeprefix(_TAG)
    if tag.startswith(_TAG):
        return _KINDS.get(name, (name, name))
    return f"the tag {tag}", f"标签 {tag} 所标的值"


def _shown(node: Node, *, chinese: bool = False) -> str:
    if isinstance(node, ScalarNode):
        text = str(node.value)
        return repr(text if len(text) <= 60 else text[:60] + "…")
    if chinese:
        return "此列表" if isinstance(node, SequenceNode) else "此映射"
    return "a list" if isinstance(node, SequenceNode) else "a mapping"
