"""Workbooks for the regression tests: a real one, and ways to damage it that the import
endpoints must answer with a 4xx."""

from __future__ import annotations

import io
import struct
import zipfile

from tests.fuzz.seed import GOV


def workbook(rows: int = 20) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["单位名称", "单位类型", "类别"])
    for i in range(rows):
        # Varied text, so the compressed sheet is long enough to damage half way through.
        sheet.append([f"舞阳县单位{i:04d}", "政府部门", f"{GOV}{i * 7919 % 1000}"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_part(whole: bytes, name: str, content: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(whole)) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, data in (parts | {name: content}).items():
            archive.writestr(part, data)
    return out.getvalue()


def with_compression_method(whole: bytes, part: str, method: int) -> bytes:
    """The workbook with `part` claiming another compression method in the central directory."""
    data = bytearray(whole)
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_length] == part.encode():
            struct.pack_into("<H", data, at + 10, method)
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)
