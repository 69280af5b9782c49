"""导入承诺: pledges prepared offline in Excel, written as drafts in one transaction; see
pledges.pledge_file for the file's shape and checks."""

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

from .. import permissions
from ..models import Organization, Pledge, PledgeEvent
from ..pledge_file import shape
from ..pledge_file.checking import Owners, check_cells, check_rules, ledger_year, match_book
from ..pledge_file.shape import PledgeImportResult, Row
from .pledge import pledge_create


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
    """Read, check every row, and create the new rows as drafts only if nothing is wrong."""
    if not permissions.can_manage_organization(by, org):
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
        # A ledger covers a whole year, whatever the form says; its title names the year.
        result.year = ledger_year(table.title) or year
    if not rows:
        result.refuse(_("表格中没有承诺数据"))
        return result
    # Two uploads of one file at once: the second waits, then finds the first one's drafts.
    lock_row(org)
    owners = Owners(org)
    checkers = [Checker(row, result.errors, table.layout) for row in rows]
    for row, checker in zip(rows, checkers, strict=True):
        check_cells(row, checker, owners)
        if not result.is_ledger:
            check_rules(row, checker, result.year, half)
    match_book(rows, checkers, org, result.year, None if result.is_ledger else half)
    result.sort_errors()
    new = [row for row in rows if row.existing is None]
    result.unchanged = len(rows) - len(new)
    if result.errors:
        return result
    if check_only:
        result.to_create = len(new)
        return result
    try:
        with transaction.atomic():
            for row in new:
                result.created.append(
                    pledge_create(
                        by=by,
                        owner_org=org,
                        owner_member=row.owner,
                        content=row.content,
                        year=result.year,
                        half=half,
                    )
                )
    except TransitionError as e:  # the rules were checked above; this is a safety net
        result.created = []
        result.refuse(str(e))
    else:
        analyse(Pledge, PledgeEvent, rows=len(new))
        security_log(
            action=SecurityEvent.Action.IMPORT,
            user=by,
            obj=org,
            object_label=_("%(org)s：导入承诺 %(n)d 项") % {"org": org.name, "n": len(new)},
            org_path=org.path,
        )
    return result
