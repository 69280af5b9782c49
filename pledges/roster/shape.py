"""The roster file's columns and limits, and what an import reports back."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Member, Organization

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
class Row:
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


class FileRefused(Exception):
    """The file as a whole cannot be read; the message says why."""
