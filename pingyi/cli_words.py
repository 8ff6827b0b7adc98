"""Typer's own refusals of a wrong argument (a number out of range, not a number, not one of
the choices, a missing or unknown option) said Chinese first, Typer's English after it, as
every refusal of the product is: `--round 须为不小于 1 的整数 (Invalid value for '--round':
Input should be greater than or equal to 1)`. Exit 2 as before. A refusal a command words
itself (already Chinese first) is left as it is.

Typer (0.29) parses with its own copy of Click (`typer._click`) and checks a value with
pydantic, so the refusal is that copy's, and what was wrong is the pydantic error it wraps."""

from __future__ import annotations

import re
from typing import Any

from typer._click.core import Context, Parameter
from typer._click.exceptions import BadParameter, MissingParameter, NoSuchOption, UsageError
from typer.core import TyperGroup, TyperOption

_CHINESE = re.compile(r"[\u4e00-\u9fff]")


class ChineseFirstGroup(TyperGroup):
    """The top `pingyi` group: every command's and sub-group's arguments are parsed inside
    its `invoke` (its own options in `make_context`), so their refusals pass through here."""

    def make_context(self, *args: Any, **kwargs: Any) -> Context:
        try:
            return super().make_context(*args, **kwargs)
        except UsageError as error:
            raise chinese_first(error) from None

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as error:
            raise chinese_first(error) from None


def chinese_first(error: UsageError) -> UsageError:
    """The refusal with the Chinese in front of Typer's whole English line, same context
    (the usage line and `--help` hint above it are unchanged)."""
    english = error.format_message()
    if _CHINESE.search(english):
        return error
    chinese = _chinese(error)
    if chinese is None:
        return error
    said = UsageError(f"{chinese} ({english})", error.ctx)
    said.exit_code = error.exit_code
    return said


def _chinese(error: UsageError) -> str | None:
    if isinstance(error, NoSuchOption):
        return f"没有选项 {error.option_name}"
    if isinstance(error, MissingParameter):
        return "缺少参数" if error.param is None else f"缺少 {_name(error.param)}"
    if isinstance(error, BadParameter):
        if error.param is None:
            return "参数值无效"
        return f"{_name(error.param)} {_wanted(error.param, error.__cause__)}"
    return None


def _name(param: Parameter) -> str:
    if isinstance(param, TyperOption) and param.opts:
        return max(param.opts, key=len)  # `--round`, not a short alias
    return str(param.name or "")  # as Typer names an argument: `bundle_file`


_BOUNDS = {
    "greater_than_equal": ("ge", "不小于"),
    "greater_than": ("gt", "大于"),
    "less_than_equal": ("le", "不大于"),
    "less_than": ("lt", "小于"),
}
_KINDS = {
    "int_parsing": "须为整数",
    "int_from_float": "须为整数",
    "int_type": "须为整数",
    "float_parsing": "须为数",
    "float_type": "须为数",
    "bool_parsing": "须为 true 或 false",
    "uuid_parsing": "须为 UUID",
}


def _wanted(param: Parameter, cause: BaseException | None) -> str:
    """What the value must be, in Chinese, from the pydantic error Typer refused it with."""
    errors = getattr(cause, "errors", None)
    found = errors()[0] if callable(errors) and errors() else {}
    kind, context = found.get("type", ""), found.get("ctx") or {}
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    number = "数" if annotation is float else "整数"
    if kind in _BOUNDS:
        key, bound = _BOUNDS[kind]
        return f"须为{bound} {context.get(key)} 的{number}"
    if kind in _KINDS:
        return _KINDS[kind]
    choices = getattr(getattr(param, "type_descriptor", None), "choices", None)
    if choices:
        return f"须为 {'、'.join(str(getattr(c, 'value', c)) for c in choices)} 之一"
    return "的值无效"
