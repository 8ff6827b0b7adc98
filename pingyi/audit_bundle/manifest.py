"""Reading a bundle's manifest: its format and version, the kinds of its fields, and every
part and origin it lists accounted for, before any part is read."""

from __future__ import annotations

import zipfile
from typing import Any

import orjson

from pingyi.audit_words import said

from .layout import (
    FORMAT,
    MANIFEST,
    MAX_MANIFEST,
    ORIGINS,
    RESULTS,
    SCHEME,
    UNREADABLE,
    VERSION,
    BundleError,
    message_part,
)


def read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = orjson.loads(read_whole(archive, MANIFEST, MAX_MANIFEST))
    except KeyError:
        raise BundleError(MANIFEST, said("缺失", "missing")) from None
    except (orjson.JSONDecodeError, *UNREADABLE) as error:
        raise BundleError(MANIFEST, unreadable(error)) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BundleError(MANIFEST, said(f"不是 {FORMAT} 清单", f"not a {FORMAT} manifest"))
    if manifest.get("version") != VERSION:
        found = manifest.get("version")
        raise BundleError(
            MANIFEST,
            said(
                f"版本为 {found!r}, 本程序读取版本 {VERSION}",
                f"version {found!r}, this reads {VERSION}",
            ),
        )
    for key, kind in (("parts", dict), ("origins", list), ("logs", dict), ("about", dict)):
        if not isinstance(manifest.get(key), kind):
            raise BundleError(
                MANIFEST,
                said(
                    f"{key} 缺失或不是 {kind.__name__}", f"{key} missing or not a {kind.__name__}"
                ),
            )
    for required in (SCHEME, RESULTS):
        if required not in manifest["parts"]:
            raise BundleError(required, said("清单中未列出", "not listed in the manifest"))
    origins = manifest["origins"]
    named = all(isinstance(origin, str) for origin in origins)  # an object is unhashable
    if not named or len(set(origins)) != len(origins) or not set(origins) <= set(ORIGINS):
        among = ", ".join(ORIGINS)
        raise BundleError(
            MANIFEST,
            said(
                f"来源 {origins!r} 不都在 {among} 之中",
                f"origins {origins!r} are not among {among}",
            ),
        )
    for origin in origins:
        if message_part(origin) not in manifest["parts"]:
            raise BundleError(
                message_part(origin),
                said("清单中没有这个来源的部分", "an origin with no part in the manifest"),
            )
    return manifest


def read_whole(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """An entry of at most `limit` bytes, read whole (a longer one is refused unread)."""
    inflated = archive.getinfo(name).file_size
    if inflated > limit:
        raise BundleError(
            name,
            said(
                f"解压后为 {inflated} 字节, 超过 {limit} (未读取)",
                f"inflates to {inflated} bytes, more than {limit} (not read)",
            ),
        )
    return archive.read(name)


def unreadable(error: BaseException) -> str:
    return said("无法读取", f"unreadable: {error}")
