"""Email addresses out of a touchpoint's attributes, in URLs too: a page's query string can carry
one ("/reset?email=...", "%40" for "@"). Numbers stay, unlike a comment's: attributes hold order,
product and session ids, which the phone rule would take for phone numbers."""

from __future__ import annotations

import re
from urllib.parse import unquote

from streams.text.redact import redact_emails

# An address's local part may hold "/", "?", "=" and "&", so in a URL the address is read from
# between those: the path and the other parameters stay readable.
_URL_PART = re.compile(r"[^/?&=#;\s]+")
# What every email address in a record's UTF-8 bytes holds one of: "@", the fullwidth at sign or
# "%40".
_AT_SIGNS = (b"@", "\uff20".encode(), b"%40")


def redacted_attributes(attributes: dict[str, str]) -> dict[str, str]:
    """Attribute values with their email addresses replaced by <email>."""
    return {key: _without_emails(value) for key, value in attributes.items()}


def may_hold_email(encoded: bytes) -> bool:
    """Whether a record's bytes may hold an email address: a string's bytes in Avro and JSON
    are its UTF-8 (JSON's escapes aside), so without an at sign in any form they hold none."""
    return any(sign in encoded for sign in _AT_SIGNS)


def _without_emails(value: str) -> str:
    if "@" not in value and "\uff20" not in value and "%40" not in value:
        return value
    return _URL_PART.sub(_url_part, value)


def _url_part(match: re.Match[str]) -> str:
    part = match.group()
    plain = unquote(part) if "%" in part else part
    redacted = redact_emails(plain)
    return part if redacted == plain else redacted
