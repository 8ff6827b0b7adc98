from typing import Any

INTERFACE: int

def row_codes(rows: list[object], table: bytes, /) -> bytes | None: ...
def indices(names: list[Any], index: dict[Any, int], /) -> bytes | None: ...
def count(
    codes: Any,
    group_of: Any,
    point_of: Any,
    skip: bytes,
    group_grid: Any,
    point_grid: Any,
    group_rows: Any,
    point_rows: Any,
    units: int,
    width: int,
    sign: int,
    /,
) -> None: ...
def datetimes(values: list[object], /) -> bool: ...
def texts_or_none(values: list[object], /) -> bool: ...
def members(values: list[object], allowed: frozenset[object], /) -> bool: ...
def read_part(
    body: bytes, channels: tuple[bytes, ...], defer: frozenset[str], /
) -> tuple[Any, ...] | None: ...
