"""API keys, one per source: ``source=key,source=key`` from the settings. A request names its
key in ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``; the source it belongs to is
stamped on everything that request produces."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping

_SOURCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_MIN_KEY_CHARS = 16


def parse_api_keys(spec: str) -> dict[str, bytes]:
    """Source name -> SHA-256 of its key. Raises ValueError naming the bad entry (never the
    key itself)."""
    keys: dict[str, bytes] = {}
    digests: set[bytes] = set()
    for number, entry in enumerate((e.strip() for e in spec.split(",")), start=1):
        if not entry:
            continue
        source, sep, key = (part.strip() for part in entry.partition("="))
        if not sep or not _SOURCE.fullmatch(source):
            raise ValueError(f"API key entry {number}: expected source=key with a source name")
        if len(key) < _MIN_KEY_CHARS:
            raise ValueError(f"API key of {source}: shorter than {_MIN_KEY_CHARS} characters")
        digest = _digest(key)
        if source in keys or digest in digests:
            raise ValueError(f"API key of {source}: source or key given twice")
        keys[source] = digest
        digests.add(digest)
    if not keys:
        raise ValueError("no API keys configured (TOUCHSTREAM_COLLECTOR_API_KEYS)")
    return keys


def presented_key(headers: Mapping[str, str]) -> str | None:
    authorization = headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return headers.get("x-api-key") or None


def source_of(key: str, keys: Mapping[str, bytes]) -> str | None:
    """The source whose key this is. Digests have one length and every key is compared, so the
    time taken says nothing about how close a guess came or which source it nearly matched."""
    digest = _digest(key)
    found = None
    for source, expected in keys.items():
        if hmac.compare_digest(digest, expected):
            found = source
    return found


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()
