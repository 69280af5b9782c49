"""导入承诺: pledges prepared offline in Excel (new drafts from the template, content edits from
the exported ledger), written in one transaction; see pledges.uploads.pledge_import for the file's
shape and checks."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from core.db import analyse
from core.errors import TransitionError
from core.locks import lock_row
from core.security.models import SecurityEvent
from core.security.services import security_log
from core.xlsx_import import Checker, FileRefused, open_workbook, read_table

from ..models import Organization, Pledge, PledgeEvent
from ..rules import organization as organization_rules
from ..uploads.pledge_import import shape
from ..uploads.pledge_import.checking import (
    Owners,
    check_cells,
    check_rules,
    ledger_year,
    match_book,
    match_ledger,
)
from ..uploads.pledge_import.shape import PledgeImportResult, Row
from .pledge import pledge_create, pledge_update


@transaction.atomic
def pledges_import(
    *,
    org: Organization,
    by,
    file: UploadedFile,
    year: int,
    half: int = Pledge.Half.WHOLE_YEAR,
    check_only: bool = False,
) -> PledgeImportResult:
    """Read and check every row; only if nothing is wrong, create the template's new rows as
    drafts and write the ledger's edited content through pledge_update."""
    if not organization_rules.can_manage_organization(by, org):
        raise PermissionDenied
    result = PledgeImportResult(check_only=check_only, year=year, half=half)
    try:
        workbook, sheet = open_workbook(
            file, max_bytes=shape.MAX_BYTES, max_unpacked_bytes=shape.MAX_UNPACKED_BYTES
        )
    except FileRefused as e:
        result.refuse(str(e))
        return result
    try:
        table = read_table(
            sheet,
            layouts=[shape.TEMPLATE, shape.LEDGER],
            anchor=shape.ANCHOR,
            report=result,
            limit=shape.MAX_ROWS,
            make_row=Row,
            skip=shape.is_not_a_pledge,
        )
    finally:
        workbook.close()
    if table is None:
        return result
    rows: list[Row] = table.rows
    if len(rows) > shape.MAX_ROWS:
        message = _("一个文件最多导入 %(n)d 项承诺，请分批导入") % {"n": shape.MAX_ROWS}
        result.refuse(message, rows[-1].number)
        return result
    result.rows = len(rows)
    result.is_ledger = table.layout is shape.LEDGER
    if result.is_ledger:
        # A ledger covers a whole year, whatever the form says; its title names the year, and
        # the organization it was exported for.
        result.year = ledger_year(table.title) or year
        if table.title and not table.title.startswith(f"{org.name} "):
            message = _(
                "这是“%(title)s”，不是%(org)s的台账；只能在各党组织自己的页面导入其台账"
            ) % {"title": table.title, "org": org.name}
            result.refuse(message)
            return result
    if not rows:
        result.refuse(_("表格中没有承诺数据"))
        return result
    # Two uploads of one file at once: the second waits, then finds the first one's work.
    lock_row(org)
    owners = Owners(org)
    checkers = [Checker(row, result.errors, table.layout) for row in rows]
    for row, checker in zip(rows, checkers, strict=True):
        check_cells(row, checker, owners)
        if not result.is_ledger:
            check_rules(row, checker, result.year, half)
    if result.is_ledger:
        match_ledger(rows, checkers, org, by, result.year)
    else:
        match_book(rows, checkers, owners, result.year, half)
    result.sort_errors()
    new = [row for row in rows if row.existing is None]
    edited = [row for row in rows if row.changes]
    result.unchanged = len(rows) - len(new) - len(edited)
    if result.errors:
        return result
    result.updated = [(row.number, row.existing, _labels(row.changes)) for row in edited]
    if check_only:
        result.to_create = len(new)
        return result
    try:
        with transaction.atomic():
            for row in new:
                result.created.append(
                    pledge_create(
                        by=by,
                        owner_org=row.owner_org,
                        owner_member=row.owner,
                        content=row.content,
                        year=result.year,
                        half=half,
                    )
                )
            for row in edited:
                # The version the row was exported at: a change made in the book since then
                # is refused here too, not overwritten.
                pledge_update(pledge=row.existing, by=by, content=row.content, version=row.version)
    except (TransitionError, PermissionDenied) as e:  # checked above; this is a safety net
        result.created, result.updated = [], []
        result.refuse(str(e) or _("无权修改这项承诺"))
        return result
    analyse(Pledge, PledgeEvent, rows=len(new))
    if new or edited:
        security_log(
            action=SecurityEvent.Action.IMPORT,
            user=by,
            obj=org,
            object_label=_("%(org)s：导入承诺，新增 %(n)d 项，修改 %(m)d 项")
            % {"org": org.name, "n": len(new), "m": len(edited)},
            org_path=org.path,
        )
    return result


def _labels(fields: list[str]) -> list[str]:
    return [str(Pledge._meta.get_field(name).verbose_name) for name in fields]
