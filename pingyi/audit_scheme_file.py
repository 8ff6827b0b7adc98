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
    except FileNotFoundError:  # as `audit verify` says of a missing bundle
        raise SchemeFileError(said(f"没有这个文件: {path}", f"no such file: {path}")) from None
    except OSError as error:  # the reason without Python's `[Errno 21] …: 'path'` around it
        raise SchemeFileError(
            said(
                f"无法读取方案文件 {path}",
                f"cannot read the scheme file {path}: {error.strerror or error}",
            )
        ) from None
    except SchemeError as error:  # not UTF-8, not YAML/JSON: the reason names the file
        raise SchemeFileError(error.reason) from None
    try:
        Scheme.from_document(document)
    except SchemeError as error:
        why = str(error)
        if is_request_body(document):
            why = said(
                "这是 POST /schemes 的请求体, 请只给出其中的 document",
                "this is a POST /schemes body: give only its document",
            )
        raise SchemeFileError(
            f"{said(f'方案文件 {path} 不是有效的计分方案', f'{path} is not a valid scheme')}: {why}"
        ) from None
    return dict(document)


def is_request_body(document: Any) -> bool:
    """Whether the file is what `POST /schemes` takes (`document:` holding the scheme, and
    `reason:`) rather than the scheme: refused with that said, not unwrapped, because the
    bundle holds the scheme document as the file wrote it (its hash is the scheme's), and
    the engine's refusal alone names the scheme's fields as missing, not the wrapper."""
    if not isinstance(document, dict):
        return False
    others = set(document) - {"document", "reason"}
    return isinstance(document.get("document"), dict) and "reason" in document and len(others) <= 2
