"""Roster import: write the members (and logins) of a clean file, in one transaction; see
pledges.uploads.roster for the file's shape and checks."""

from __future__ import annotations

import secrets

from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.db import analyse
from core.security.models import SecurityEvent
from core.security.services import passwords_change_require, security_log
from core.xlsx_import import FileRefused, RowError

from .. import tallies
from ..models import Member, Organization
from ..rules.organization import can_import_roster
from ..uploads.roster.checking import OrgLookup, check_cells, check_duplicates
from ..uploads.roster.reading import open_sheet, read_roster
from ..uploads.roster.shape import (
    MAX_LOGINS,
    MAX_ROWS,
    PASSWORD_ALPHABET,
    ImportResult,
    NewLogin,
    Row,
)


def _password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(10))


@transaction.atomic
def roster_import(
    *, org: Organization, by, file: UploadedFile, check_only: bool = False
) -> ImportResult:
    """Read, check every row, and write the members (and logins) only if nothing is wrong."""
    if not can_import_roster(by, org):
        raise PermissionDenied
    result = ImportResult(check_only=check_only)
    try:
        workbook, sheet = open_sheet(file)
    except FileRefused as e:
        result.refuse(str(e))
        return result
    try:
        table = read_roster(sheet, result, MAX_ROWS)
    finally:
        workbook.close()
    if table is None:
        return result
    rows = table.rows
    if len(rows) > MAX_ROWS:
        message = _("一个文件最多导入 %(n)d 名党员，请分批导入") % {"n": MAX_ROWS}
        result.refuse(message, rows[-1].number)
        return result
    orgs = OrgLookup(org, by)
    for row in rows:
        check_cells(row, result.errors, orgs)
    result.rows = len(rows)
    if not rows and not result.errors:
        result.errors.append(RowError(None, None, None, _("表格中没有党员数据")))
    logins = [row for row in rows if row.username]
    if len(logins) > MAX_LOGINS:
        result.errors.append(
            RowError(
                None,
                None,
                None,
                _("一个文件最多为 %(max)d 人创建登录账号（本文件有 %(n)d 人），请分批导入")
                % {"max": MAX_LOGINS, "n": len(logins)},
            )
        )
    check_duplicates(rows, result.errors)
    result.sort_errors()
    if result.errors or check_only:
        if check_only and not result.errors:
            result.logins = [NewLogin(r.name, r.org.name, r.username, "") for r in logins]
        return result
    try:
        _write(rows, by, result, org=org)
    except IntegrityError:
        # Someone added one of these members or logins while we were checking.
        result.created, result.logins = [], []
        result.errors.append(
            RowError(None, None, None, _("导入期间名册已被他人修改，未写入任何数据，请重新导入"))
        )
    return result


def _write(rows: list[Row], by, result: ImportResult, *, org: Organization) -> None:
    User = get_user_model()
    # Hash before the savepoint: slow, and needs no lock.
    users: dict[int, object] = {}
    for row in rows:
        if row.username:
            password = _password()
            user = User(username=row.username, first_name=row.name[:150])
            user.set_password(password)
            users[row.number] = user
            result.logins.append(NewLogin(row.name, row.org.name, row.username, password))
    with transaction.atomic():
        User.objects.bulk_create(users.values())
        members = Member.objects.bulk_create(
            [
                Member(
                    organization=row.org,
                    name=row.name,
                    gender=row.gender,
                    kind=row.kind,
                    probationary=row.probationary,
                    phone=row.phone,
                    id_card=row.id_card,
                    user=users.get(row.number),
                )
                for row in rows
            ]
        )
        # bulk_create sends no signal: recount these branches' counters.
        tallies.rebuild({row.org.pk for row in rows}, [Member])
        # Who imported whom: the admin history, one insert for the whole file.
        LogEntry.objects.log_actions(
            user_id=by.pk,
            queryset=members,
            action_flag=ADDITION,
            change_message=_("从名册文件导入"),
        )
    # The office set these passwords: each account changes its own at first login.
    passwords_change_require(users=list(users.values()), by=by, org_path=org.path)
    security_log(
        action=SecurityEvent.Action.IMPORT,
        user=by,
        obj=org,
        object_label=_("%(org)s：导入党员 %(n)d 名") % {"org": org.name, "n": len(members)},
        org_path=org.path,
    )
    result.created = members
    analyse(Member, get_user_model(), rows=len(members))
