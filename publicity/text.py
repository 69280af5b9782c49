"""Scrubbing what is about to be published: phone and ID-card numbers never reach a public page,
even when someone typed one into a progress record, a review or an opinion."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

# 18-digit (and old 15-digit) ID-card numbers, mobile numbers with or without separators,
# and landlines with an area code. Digits around the match must not continue the number.
_PATTERNS = [
    re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])"),
    re.compile(r"(?<![0-9])[1-9][0-9]{14}(?![0-9])"),
    re.compile(r"(?<![0-9])(?:\+?86[\s-]?)?1[3-9][0-9][\s-]?[0-9]{4}[\s-]?[0-9]{4}(?![0-9])"),
    re.compile(r"(?<![0-9])0[0-9]{2,3}[\s-]?[0-9]{7,8}(?![0-9])"),
]


def redact(text: str) -> str:
    """The text with every phone or ID-card number replaced by a marker."""
    if not text:
        return ""
    text = text.replace("\x00", "")
    for pattern in _PATTERNS:
        text = pattern.sub(_("〔号码已隐去〕"), text)
    return text
