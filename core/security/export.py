"""The security log as an office ledger (.xlsx)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _

from core.xlsx import write_ledger

from .models import SecurityEvent


def write_security_log(out: IO[bytes], events: Iterable[SecurityEvent]) -> int:
    """Write the lines; return how many. Everything typed (usernames, labels) stays text."""
    actions = dict(SecurityEvent.Action.choices)
    results = dict(SecurityEvent.Result.choices)
    columns = (
        (_("序号"), 6),
        (_("时间"), 20),
        (_("用户名"), 16),
        (_("地址"), 16),
        (_("操作"), 18),
        (_("结果"), 8),
        (_("对象类型"), 14),
        (_("对象编号"), 10),
        (_("对象"), 30),
        (_("请求地址"), 30),
    )

    def to_cells(index: int, e: SecurityEvent) -> list:
        return [
            index,
            f"{timezone.localtime(e.at):%Y-%m-%d %H:%M:%S}",
            e.username,
            e.address,
            str(actions.get(e.action, e.action)),
            str(results.get(e.result, e.result)),
            e.object_type,
            e.object_id,
            e.object_label,
            e.request_path,
        ]

    return write_ledger(
        out,
        sheet_name=_("安全日志"),
        title=_("安全审计日志"),
        columns=columns,
        rows=events.iterator(chunk_size=2000) if hasattr(events, "iterator") else events,
        to_cells=to_cells,
        empty=_("没有符合条件的记录"),
        late_column=5,
        is_late=lambda e: e.result != SecurityEvent.Result.OK,
    )
