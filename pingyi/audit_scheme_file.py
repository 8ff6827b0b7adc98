"""The scheme file `pingyi audit export --scheme` computes a round under: read by the scoring
engine's own reader, so a file is refused here in the words the engine and the API use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pingyi.audit_words import said


class SchemeFileError(Exception):
    pass


def load_scheme(path: Path) -> dict[str, Any]:
    """The scheme document of a JSON or YAML file as written, read and validated by the
    scoring engine (`load_scheme`'s reading): a file it refuses is refused here, naming the
    field, before any log is read."""
    from services.scoring.engine.scheme import Scheme, SchemeError, read_scheme_document

    try:
        document = read_scheme_document(path)
    except OSError as error:
        raise SchemeFileError(
            said(f"无法读取方案文件 {path}", f"cannot read the scheme file {path}: {error}")
        ) from None
    except SchemeError as error:  # not UTF-8, not YAML/JSON: the reason names the file
        raise SchemeFileError(error.reason) from None
    try:
        Scheme.from_document(document)
    except SchemeError as error:
        raise SchemeFileError(
            f"{said(f'方案文件 {path} 不是有效的计分方案', f'{path} is not a valid scheme')}: "
            f"{error}"
        ) from None
    return dict(document)
