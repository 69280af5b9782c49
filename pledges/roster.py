"""Roster import: an .xlsx of members is read, every row is checked, and only a clean file is
written, in one transaction.

Logins: a row with 登录账号 gets a user with a random initial password that is shown once on the
result page (to be handed over in person) and stored only as a hash. An unusable password would
leave the login dead, since nobody but an administrator could set it. Hashing is slow on purpose
(~0.3 s each), so one file may create at most MAX_LOGINS logins.

An existing member with the same name in the same organization is refused ("已存在"), never
updated: a roster file silently overwriting kinds or ID numbers would be hard to notice.
"""

from __future__ import annotations

import datetime
import io
import re
import secrets
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from . import permissions
from .models import Member, Organization

MAX_BYTES = 5 * 1024 * 1024
# A 5 MB zip can hide gigabytes of XML; real rosters of 5,000 rows are a few MB unpacked.
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
MAX_ROWS = 5000
MAX_LOGINS = 50
MAX_ERRORS_SHOWN = 200
# Header search: a title row above the header is common in hand-made rosters.
HEADER_SEARCH_ROWS = 10
READ_COLUMNS = 30

YES, NO = "是", "否"
EXAMPLE_NAME = "张三（示例行，导入时忽略）"
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool  # the header must be present
    width: int
    note: object  # lazy Chinese text


COLUMNS = (
    Column("name", "姓名", True, 12, gettext_lazy("必填，同一党组织内不能重名")),
    Column("gender", "性别", True, 8, gettext_lazy("必填：男 或 女")),
    Column(
        "org",
        "所在党组织",
        False,
        28,
        gettext_lazy("填写党支部或党小组的全称；空白表示导入页面所在的党组织"),
    ),
    Column("kind", "党员类别", True, 16, gettext_lazy("必填，从下拉列表中选择")),
    Column("probationary", "预备党员", False, 10, gettext_lazy("是 或 否，空白视为否")),
    Column("phone", "联系电话", False, 16, gettext_lazy("选填，请以文本格式填写")),
    Column(
        "id_card",
        "身份证号",
        False,
        22,
        gettext_lazy("选填，18 位，请以文本格式填写（数字格式会丢失末几位）"),
    ),
    Column(
        "username",
        "登录账号",
        False,
        16,
        gettext_lazy("选填：填写后为该党员创建登录账号，初始密码导入后显示一次"),
    ),
)
HEADERS = {c.header: c for c in COLUMNS}
# Columns people add for their own use; read past them silently.
IGNORED_HEADERS = {"序号", "备注"}


@dataclass
class RowError:
    row: int | None
    column: str | None  # the sheet's column letter
    header: str | None
    message: str

    def __str__(self) -> str:
        if self.row and self.column:
            return _("第 %(row)d 行 %(col)s 列（%(header)s）：%(msg)s") % {
                "row": self.row,
                "col": self.column,
                "header": self.header,
                "msg": self.message,
            }
        if self.row:
            return _("第 %(row)d 行：%(msg)s") % {"row": self.row, "msg": self.message}
        return self.message


@dataclass
class NewLogin:
    name: str
    organization: str
    username: str
    password: str  # empty when only checking


@dataclass
class ImportResult:
    rows: int = 0
    created: list[Member] = field(default_factory=list)
    logins: list[NewLogin] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    check_only: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def shown_errors(self) -> list[RowError]:
        return self.errors[:MAX_ERRORS_SHOWN]

    @property
    def hidden_error_count(self) -> int:
        return max(0, len(self.errors) - MAX_ERRORS_SHOWN)


@dataclass
class _Row:
    number: int
    cells: dict[str, tuple[str, object]]  # key -> (column letter, raw value)
    name: str = ""
    gender: str = ""
    org: Organization | None = None
    kind: str = ""
    probationary: bool = False
    phone: str = ""
    id_card: str = ""
    username: str = ""


class _FileRefused(Exception):
    """The file as a whole cannot be read; the message says why."""


# --- reading -----------------------------------------------------------------------------


def _open_sheet(upload: UploadedFile):
    if upload.size is not None and upload.size > MAX_BYTES:
        raise _FileRefused(_("文件超过 5 MB，请分批导入"))
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _FileRefused(_("文件超过 5 MB，请分批导入"))
    if not data:
        raise _FileRefused(_("文件是空的"))
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        # OLE2: an old .xls, or an .xlsx saved with a password.
        raise _FileRefused(
            _("这是旧版 .xls 或加密的文件，请在 Excel 中“另存为” .xlsx 格式（不设密码）后再导入")
        )
    not_xlsx = _("文件不是有效的 .xlsx 表格（可能已损坏或不是 Excel 文件），请使用下载的模板")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise _FileRefused(_("表格内容过大，请分批导入"))
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except _FileRefused:
        raise
    except (zipfile.BadZipFile, InvalidFileException, KeyError, IndexError) as e:
        raise _FileRefused(not_xlsx) from e
    except Exception as e:  # openpyxl raises many kinds of errors on damaged parts
        raise _FileRefused(not_xlsx) from e
    # Some writers store a wrong <dimension>; read the rows as they are.
    sheet.reset_dimensions()
    return workbook, sheet


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).strip()


def _rows(sheet, errors: list[RowError]) -> Iterator[_Row]:
    """Yield the non-blank data rows under the header row, keyed by column."""
    rows = sheet.iter_rows(min_row=1, max_col=READ_COLUMNS, values_only=True)
    mapping: dict[int, Column] | None = None
    for number, values in enumerate(rows, start=1):
        texts = [_text(v) for v in values]
        if mapping is None:
            if number > HEADER_SEARCH_ROWS:
                break
            if "姓名" in texts:
                mapping = _map_header(number, texts, errors)
                if mapping is None:
                    return
                name_at = next(i for i, c in mapping.items() if c.key == "name")
            continue
        if not any(texts[i] for i in mapping):
            continue
        if texts[name_at] == EXAMPLE_NAME:
            continue
        cells = {
            col.key: (get_column_letter(i + 1), values[i] if i < len(values) else None)
            for i, col in mapping.items()
        }
        yield _Row(number=number, cells=cells)
    if mapping is None:
        errors.append(
            RowError(
                None,
                None,
                None,
                _("未找到表头行（应包含“姓名”“性别”“党员类别”等列），请使用下载的模板"),
            )
        )


def _map_header(number: int, texts: list[str], errors: list[RowError]) -> dict[int, Column] | None:
    mapping: dict[int, Column] = {}
    seen: set[str] = set()
    before = len(errors)
    for i, text in enumerate(texts):
        if not text or text in IGNORED_HEADERS:
            continue
        letter = get_column_letter(i + 1)
        col = HEADERS.get(text)
        if col is None:
            errors.append(
                RowError(
                    number,
                    None,
                    None,
                    _("%(col)s 列的表头“%(text)s”无法识别，应为：%(valid)s")
                    % {"col": letter, "text": text, "valid": "、".join(HEADERS)},
                )
            )
        elif text in seen:
            errors.append(RowError(number, None, None, _("表头“%(text)s”重复") % {"text": text}))
        else:
            seen.add(text)
            mapping[i] = col
    for col in COLUMNS:
        if col.required and col.header not in seen:
            errors.append(
                RowError(
                    number,
                    None,
                    None,
                    _("缺少表头“%(text)s”，请使用下载的模板") % {"text": col.header},
                )
            )
    return mapping if len(errors) == before else None


# --- checking ----------------------------------------------------------------------------

ID_CARD_RE = re.compile(r"^\d{17}[\dX]$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
PHONE_RE = re.compile(r"^[0-9+\-() ]{5,20}$")


def id_card_problem(value: str) -> str | None:
    """Why an 18-character resident ID number is wrong, or None (GB 11643: MOD 11-2)."""
    if not ID_CARD_RE.match(value):
        return _("应为 18 位（前 17 位数字，最后一位数字或 X）")
    try:
        birth = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return _("出生日期部分无效")
    if not datetime.date(1900, 1, 1) <= birth <= timezone.localdate():
        return _("出生日期部分无效")
    total = sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS, strict=True))
    if "10X98765432"[total % 11] != value[17]:
        return _("校验位不正确，请核对")
    return None


class _Checker:
    """Cell checks for one row; each problem becomes a RowError naming row and column."""

    def __init__(self, row: _Row, errors: list[RowError]):
        self.row, self.errors = row, errors

    def raw(self, key: str) -> object:
        return self.row.cells.get(key, ("", None))[1]

    def text(self, key: str) -> str:
        return _text(self.raw(key))

    def error(self, key: str, message: str) -> None:
        letter = self.row.cells.get(key, (None, None))[0]
        header = next(c.header for c in COLUMNS if c.key == key)
        self.errors.append(RowError(self.row.number, letter, header, message))


def _check_cells(row: _Row, errors: list[RowError], orgs: _OrgLookup) -> None:
    c = _Checker(row, errors)
    row.name = c.text("name")
    if not row.name:
        c.error("name", _("不能为空"))
    elif len(row.name) > 50:
        c.error("name", _("不能超过 50 个字"))

    genders = {str(label): value for value, label in Member.Gender.choices}
    gender = c.text("gender")
    if gender in genders:
        row.gender = genders[gender]
    else:
        c.error("gender", _bad_choice(gender, _("性别"), genders))

    kinds = {str(label): value for value, label in Member.Kind.choices}
    kind = c.text("kind")
    if kind in kinds:
        row.kind = kinds[kind]
    else:
        c.error("kind", _bad_choice(kind, _("类别"), kinds))

    probationary = c.text("probationary")
    if probationary in ("", NO):
        row.probationary = False
    elif probationary == YES:
        row.probationary = True
    else:
        c.error(
            "probationary",
            _("“%(value)s” 无效，应为：是、否（空白视为否）") % {"value": probationary},
        )

    org_name = c.text("org")
    found, problem = orgs.find(org_name)
    if problem:
        c.error("org", problem)
    row.org = found

    row.phone = c.text("phone")
    if row.phone and not PHONE_RE.match(row.phone):
        c.error("phone", _("“%(value)s” 不是有效的电话号码") % {"value": row.phone})

    raw_id = c.raw("id_card")
    if isinstance(raw_id, int | float) and not isinstance(raw_id, bool):
        c.error("id_card", _("请将身份证号设置为文本格式后重新填写（数字格式会丢失末几位）"))
    else:
        row.id_card = c.text("id_card").upper().replace(" ", "")
        problem = id_card_problem(row.id_card) if row.id_card else None
        if problem:
            message = _("“%(value)s” %(problem)s") % {"value": row.id_card, "problem": problem}
            c.error("id_card", message)

    row.username = c.text("username")
    if row.username:
        try:
            UnicodeUsernameValidator()(row.username)
            if len(row.username) > 150:
                raise ValidationError("too long")
        except ValidationError:
            c.error(
                "username",
                _("“%(value)s” 不是有效的登录账号：只能包含字母、数字和 @ . + - _，最长 150 个字符")
                % {"value": row.username},
            )


def _bad_choice(value: str, what: str, choices: dict) -> str:
    valid = "、".join(choices)
    if not value:
        return _("不能为空，应为：%(valid)s") % {"valid": valid}
    return _("“%(value)s” 不是有效的%(what)s，应为：%(valid)s") % {
        "value": value,
        "what": what,
        "valid": valid,
    }


class _OrgLookup:
    """Organization names under the page's organization: one query for the whole file."""

    def __init__(self, org: Organization, by):
        self.org, self.by = org, by
        self.by_name: dict[str, list[Organization]] = {}
        nodes = Organization.objects.subtree_of(org).only("id", "name", "path", "level", "depth")
        for node in nodes:
            self.by_name.setdefault(node.name.strip(), []).append(node)

    def find(self, name: str) -> tuple[Organization | None, str | None]:
        if not name:
            target = self.org
        else:
            matches = self.by_name.get(name, [])
            if not matches:
                return None, _("“%(value)s” 不是%(org)s下属的党组织，或不在您的管理范围内") % {
                    "value": name,
                    "org": self.org.name,
                }
            if len(matches) > 1:
                return None, _(
                    "%(org)s下有 %(n)d 个名为“%(value)s”的党组织，无法确定，请分别在各自的页面导入"
                ) % {"value": name, "org": self.org.name, "n": len(matches)}
            target = matches[0]
        if not permissions.can_import_roster(self.by, target):
            return None, _("“%(value)s” 不在您的管理范围内") % {"value": target.name}
        if not target.is_branch_level:
            return None, _(
                "“%(value)s” 不是党支部或党小组，党员应编入党支部；请填写所在党支部的名称"
            ) % {"value": target.name}
        return target, None


def _check_duplicates(rows: list[_Row], errors: list[RowError]) -> None:
    """Within the file, then against what is stored: a few queries for the whole file."""
    first_by_name: dict[tuple[int, str], int] = {}
    first_by_id: dict[str, int] = {}
    first_by_username: dict[str, int] = {}
    for row in rows:
        c = _Checker(row, errors)
        if row.org is not None and row.name:
            key = (row.org.pk, row.name)
            if key in first_by_name:
                c.error(
                    "name",
                    _("“%(name)s” 在%(org)s中重复（与第 %(row)d 行相同）")
                    % {"name": row.name, "org": row.org.name, "row": first_by_name[key]},
                )
            else:
                first_by_name[key] = row.number
        if row.id_card:
            if row.id_card in first_by_id:
                c.error(
                    "id_card",
                    _("与第 %(row)d 行的身份证号重复") % {"row": first_by_id[row.id_card]},
                )
            else:
                first_by_id[row.id_card] = row.number
        if row.username:
            key_u = row.username.lower()
            if key_u in first_by_username:
                c.error(
                    "username",
                    _("与第 %(row)d 行的登录账号重复") % {"row": first_by_username[key_u]},
                )
            else:
                first_by_username[key_u] = row.number

    existing_names = set(
        Member.objects.filter(
            organization_id__in={k[0] for k in first_by_name},
            name__in={k[1] for k in first_by_name},
        ).values_list("organization_id", "name")
    )
    existing_ids = set(
        Member.objects.filter(id_card__in=list(first_by_id)).values_list("id_card", flat=True)
    )
    taken = set(
        get_user_model()
        .objects.annotate(lower_name=Lower("username"))
        .filter(lower_name__in=list(first_by_username))
        .values_list("lower_name", flat=True)
    )
    for row in rows:
        c = _Checker(row, errors)
        if row.org is not None and (row.org.pk, row.name) in existing_names:
            c.error(
                "name",
                _("%(org)s已存在名为“%(name)s”的党员") % {"org": row.org.name, "name": row.name},
            )
        if row.id_card in existing_ids:
            c.error("id_card", _("该身份证号已登记在其他党员名下"))
        if row.username and row.username.lower() in taken:
            c.error("username", _("“%(value)s” 已被占用，请换一个") % {"value": row.username})


# --- the service -------------------------------------------------------------------------


def _password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(10))


@transaction.atomic
def roster_import(
    *, org: Organization, by, file: UploadedFile, check_only: bool = False
) -> ImportResult:
    """Read, check every row, and write the members (and logins) only if nothing is wrong."""
    if not permissions.can_import_roster(by, org):
        raise PermissionDenied
    result = ImportResult(check_only=check_only)
    try:
        workbook, sheet = _open_sheet(file)
    except _FileRefused as e:
        result.errors.append(RowError(None, None, None, str(e)))
        return result
    try:
        # Read at most one row past the limit: enough to say the file is too long.
        rows = list(islice(_rows(sheet, result.errors), MAX_ROWS + 1))
    except Exception:  # untrusted bytes: a damaged part only shows up while it is parsed
        result.errors.append(
            RowError(None, None, None, _("表格内容无法读取（文件可能已损坏），请使用下载的模板"))
        )
        return result
    finally:
        workbook.close()
    if len(rows) > MAX_ROWS:
        message = _("一个文件最多导入 %(n)d 名党员，请分批导入") % {"n": MAX_ROWS}
        result.errors.append(RowError(rows[-1].number, None, None, message))
        return result
    orgs = _OrgLookup(org, by)
    for row in rows:
        _check_cells(row, result.errors, orgs)
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
    _check_duplicates(rows, result.errors)
    result.errors.sort(key=lambda e: (e.row or 0, len(e.column or ""), e.column or ""))
    if result.errors or check_only:
        if check_only and not result.errors:
            result.logins = [NewLogin(r.name, r.org.name, r.username, "") for r in logins]
        return result
    try:
        _write(rows, by, result)
    except IntegrityError:
        # Someone added one of these members or logins while we were checking.
        result.created, result.logins = [], []
        result.errors.append(
            RowError(None, None, None, _("导入期间名册已被他人修改，未写入任何数据，请重新导入"))
        )
    return result


def _write(rows: list[_Row], by, result: ImportResult) -> None:
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
        # Who imported whom: the admin history, one insert for the whole file.
        LogEntry.objects.log_actions(
            user_id=by.pk,
            queryset=members,
            action_flag=ADDITION,
            change_message=_("从名册文件导入"),
        )
    result.created = members


# --- the template ------------------------------------------------------------------------


def build_template(org: Organization) -> bytes:
    """The import template: header, one example row, dropdowns, text format for numbers."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("党员名册")
    lists = workbook.create_sheet(_("可选值"))
    header_fill = PatternFill("solid", fgColor="FCE4D6")
    for i, col in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=i, value=col.header)
        cell.font = Font(bold=True, color="C00000" if col.required else "000000")
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center")
        cell.comment = Comment(str(col.note), "")
        sheet.column_dimensions[get_column_letter(i)].width = col.width
    letters = {col.key: get_column_letter(i) for i, col in enumerate(COLUMNS, start=1)}
    branches = list(
        Organization.objects.subtree_of(org)
        .filter(level__in=[Organization.Level.BRANCH, Organization.Level.GROUP])
        .values_list("name", flat=True)
    )
    example = {
        "name": EXAMPLE_NAME,
        "gender": str(Member.Gender.MALE.label),
        "org": branches[0] if branches else "",
        "kind": str(Member.Kind.ON_DUTY.label),
        "probationary": NO,
        "phone": "13800000000",
    }
    for i, col in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=2, column=i, value=example.get(col.key))
        cell.font = Font(italic=True, color="808080")
        if col.key in ("phone", "id_card", "username"):
            cell.number_format = "@"
    last = MAX_ROWS + 1
    for key in ("phone", "id_card", "username"):
        # Text format, so Excel keeps leading zeros and all 18 ID digits.
        sheet.column_dimensions[letters[key]].number_format = "@"
    sheet.freeze_panes = "A2"

    # Dropdown values live on a second sheet: inline lists are limited to 255 characters.
    choice_lists = {
        "gender": [str(label) for _, label in Member.Gender.choices],
        "kind": [str(label) for _, label in Member.Kind.choices],
        "probationary": [YES, NO],
        "org": branches,
    }
    lists.column_dimensions["D"].width = 30
    for j, key in enumerate(("gender", "kind", "probationary", "org"), start=1):
        header = next(c.header for c in COLUMNS if c.key == key)
        lists.cell(row=1, column=j, value=header).font = Font(bold=True)
        values = choice_lists[key]
        for r, value in enumerate(values, start=2):
            lists.cell(row=r, column=j, value=value)
        if not values:
            continue
        letter = get_column_letter(j)
        ref = f"{quote_sheetname(lists.title)}!${letter}$2:${letter}${len(values) + 1}"
        dv = DataValidation(
            type="list",
            formula1=ref,
            allow_blank=True,
            showErrorMessage=key != "org",
            errorTitle=_("输入无效"),
            error=_("请从下拉列表中选择"),
        )
        dv.add(f"{letters[key]}2:{letters[key]}{last}")
        sheet.add_data_validation(dv)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
