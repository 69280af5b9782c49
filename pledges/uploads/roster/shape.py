"""The roster file's columns and limits, and what an import reports back."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy

from core.xlsx_import import Column, Layout, Report
from core.xlsx_import import Row as BaseRow

from ...models import Member, Organization

MAX_BYTES = 5 * 1024 * 1024
# A 5 MB zip can hide gigabytes of XML; real rosters of 5,000 rows are a few MB unpacked.
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
MAX_ROWS = 5000
MAX_LOGINS = 50
EXAMPLE_NAME = "张三（示例行，导入时忽略）"
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


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
# Columns people add for their own use; read past them silently.
IGNORED_HEADERS = {"序号", "备注"}


@dataclass
class NewLogin:
    name: str
    organization: str
    username: str
    password: str  # empty when only checking


@dataclass
class ImportResult(Report):
    created: list[Member] = field(default_factory=list)
    logins: list[NewLogin] = field(default_factory=list)


@dataclass
class Row(BaseRow):
    name: str = ""
    gender: str = ""
    org: Organization | None = None
    kind: str = ""
    probationary: bool = False
    phone: str = ""
    id_card: str = ""
    username: str = ""


# The one layout a roster sheet has; the header row is the one holding 姓名.
LAYOUT = Layout("roster", COLUMNS, frozenset(IGNORED_HEADERS))
ANCHOR = "姓名"
