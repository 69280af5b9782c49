"""ID-card numbers of the roster are sensitive personal information (个人信息保护法, art. 28):
shown masked everywhere but the member's own page and where the office edits the roster, never
in a ledger, and every reading in full is in the security log
(`services.personal.member_id_card_read`)."""

from __future__ import annotations

KEEP_HEAD = 6  # the region code: where, not who
KEEP_TAIL = 4


def mask_id_card(value: str | None) -> str:
    """110105198001010021 → 110105********0021; a short or odd value is masked whole."""
    value = (value or "").strip()
    if len(value) <= KEEP_HEAD + KEEP_TAIL:
        return "*" * len(value)
    hidden = len(value) - KEEP_HEAD - KEEP_TAIL
    return value[:KEEP_HEAD] + "*" * hidden + value[-KEEP_TAIL:]
