"""A CSV's bytes as text: the charset the sender declared, else what the bytes are (UTF-8
with or without a BOM, UTF-16 with a BOM, else GB18030, what a Chinese Windows Excel writes
as "CSV"), refused in words that say which when they are neither."""

from __future__ import annotations

import codecs

from shared.tabular.limits import UnreadableFile


def decode_text(data: bytes, encoding: str | None = None) -> str:
    """The text in `encoding` when the sender declared one; else UTF-8 (BOM or not), UTF-16
    with a BOM, else GB18030, which covers GBK and GB2312."""
    if encoding is not None:
        return _declared(data, encoding)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode(data, "utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode(data, "gb18030")


def _declared(data: bytes, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        # The Content-Type said so: the sender labelled the file wrong, not a damaged file.
        raise UnreadableFile(
            f"文件编码与声明的 charset 不符 (the body is not {encoding} text as the "
            f"Content-Type's charset says (byte {exc.start}); send the charset the file is "
            "saved in)",
            field="Content-Type",
        ) from None
    return text.removeprefix("\ufeff")  # a BOM is no part of the first cell


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            "文件既不是 UTF-8 也不是 GB18030 编码, 请另存为 UTF-8 CSV (the text is neither "
            f"UTF-8 nor GB18030 (byte {exc.start}); save it as UTF-8 CSV)",
            field="file",
        ) from None
