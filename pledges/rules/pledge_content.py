"""The pledge content rules (承诺的内容规则): what a pledge says and what makes it acceptable.

Used by the services that write a pledge's content (services.pledge) and by the Excel import
(uploads.pledge_import), so neither has to import the other for them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.dates import is_sane
from core.middleware import has_control_chars
from core.text import LONG_TEXT_MAX, TITLE_MAX

from ..models import Pledge


@dataclass(frozen=True)
class PledgeContent:
    kind: str
    title: str
    measures: str
    deadline: datetime.date | None
    expected_result: str


def period_bounds(year: int, half: int) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a pledge period (一年一诺, or a half year)."""
    start = datetime.date(year, 7 if half == Pledge.Half.SECOND else 1, 1)
    end = datetime.date(year, 6, 30) if half == Pledge.Half.FIRST else datetime.date(year, 12, 31)
    return start, end


def content_problems(
    content: PledgeContent, year: int, half: int, *, within_period: bool = False
) -> list[tuple[str, str]]:
    """Every problem with a pledge's content, as (field, Chinese message): the one copy of the
    pledge rules, used by each service that writes content and by the Excel import.

    `within_period` also refuses a deadline after the period: a file prepared for a period
    holds that period's items, while the entry page allows an item running past year end.
    """
    problems: list[tuple[str, str]] = []
    labels = {"title": _("承诺事项"), "measures": _("践诺措施"), "expected_result": _("预期效果")}
    for name, label in labels.items():
        value = getattr(content, name)
        limit = TITLE_MAX if name == "title" else LONG_TEXT_MAX
        if not value.strip():
            problems.append((name, _("请填写%(label)s") % {"label": label}))
        elif len(value) > limit:
            problems.append(
                (
                    name,
                    _("%(label)s不能超过 %(max)d 个字（现有 %(n)d 个）")
                    % {"label": label, "max": limit, "n": len(value)},
                )
            )
        elif has_control_chars(value):
            problems.append((name, _("%(label)s含有无法保存的控制字符") % {"label": label}))
    if content.kind not in Pledge.Kind.values:
        problems.append(("kind", _("承诺类别无效")))
    start, end = period_bounds(year, half)
    if content.deadline is None:
        problems.append(("deadline", _("请填写完成时限")))
    elif not is_sane(content.deadline):
        problems.append(("deadline", _("完成时限应在 2000 年至 2100 年之间")))
    elif content.deadline < start:
        problems.append(
            (
                "deadline",
                _("“%(title)s”的完成时限 %(deadline)s 早于承诺期间的开始日期 %(start)s")
                % {"title": content.title, "deadline": content.deadline, "start": start},
            )
        )
    elif within_period and content.deadline > end:
        problems.append(
            (
                "deadline",
                _("完成时限 %(deadline)s 晚于承诺期间的结束日期 %(end)s")
                % {"deadline": content.deadline, "end": end},
            )
        )
    return problems
