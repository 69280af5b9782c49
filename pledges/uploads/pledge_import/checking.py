"""Checking pledge rows: each cell, the pledge rules (pledge_content.content_problems), then
duplicates within the file and the match against the book: by owner and title for a template
row, by 编号 for a ledger row."""

from __future__ import annotations

import re
from collections import defaultdict

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from core.xlsx_import import Checker

from ...models import Member, Organization, Pledge, ProgressRecord
from ...rules import pledge as pledge_rules
from ...rules.pledge_content import PledgeContent, content_problems
from ...selectors import pledge as selectors
from .shape import LEDGER_EDITABLE, TEMPLATE, Row, parse_date

LEDGER_YEAR_RE = re.compile(r"(\d{4})年度承诺践诺台账")
# An id or a version as the export writes it: a plain number (a text cell in a hand-made copy).
NUMBER_RE = re.compile(r"^[0-9]{1,12}$")


def ledger_year(title: str) -> int | None:
    """The year in an exported ledger's title row ("东街社区党支部 2026年度承诺践诺台账")."""
    found = LEDGER_YEAR_RE.search(title)
    return int(found.group(1)) if found else None


def book_orgs(org: Organization) -> list[Organization]:
    """The organizations whose pledges this organization's book keeps: itself and its 党小组
    (a 党小组 has no secretary of its own; see pledge_rules.can_manage_organization)."""
    groups = Organization.objects.filter(
        path__startswith=org.path, depth=org.depth + 1, level=Organization.Level.GROUP
    )
    return [org, *groups]


class Owners:
    """Who may own a pledge in a template row: the organization, its 党小组 and the members of
    either, by name; two queries for the whole file."""

    def __init__(self, org: Organization):
        self.org = org
        self.orgs = book_orgs(org)
        by_id = {o.pk: o for o in self.orgs}
        self.by_name: dict[str, list[tuple[Organization, Member | None]]] = defaultdict(list)
        for o in self.orgs:
            self.by_name[o.name.strip()].append((o, None))
        members = Member.objects.filter(organization_id__in=by_id).only(
            "id", "name", "organization_id"
        )
        for m in members.order_by("id"):
            self.by_name[m.name.strip()].append((by_id[m.organization_id], m))

    def find(self, name: str, c: Checker, row: Row) -> None:
        found = self.by_name.get(name, [])
        if len(found) == 1:
            row.owner_org, row.owner = found[0]
        elif not found:
            c.error(
                "owner",
                _("“%(value)s” 不是%(org)s的党员；党组织自身的承诺请填写“%(org)s”")
                % {"value": name, "org": self.org.name},
            )
        else:
            c.error(
                "owner",
                _(
                    "%(org)s有 %(n)d 个名为“%(value)s”的党员或党组织，无法确定是哪一个；"
                    "请在系统中录入这项承诺"
                )
                % {"value": name, "org": self.org.name, "n": len(found)},
            )


def _same(a: str, b: str) -> bool:
    return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()


def differs(pledge: Pledge, content: PledgeContent, name: str) -> bool:
    old, new = getattr(pledge, name), getattr(content, name)
    return not _same(old, new) if isinstance(old, str) else old != new


def same_content(pledge: Pledge, content: PledgeContent) -> bool:
    return not any(differs(pledge, content, name) for name in Pledge.CONTENT_FIELDS)


def _number(c: Checker, key: str, blank: str, bad: str) -> int | None:
    raw = c.raw(key)
    typed = c.text(key)
    if not typed:
        c.error(key, blank)
    elif isinstance(raw, bool) or not NUMBER_RE.match(typed):
        c.error(key, bad % {"value": typed})
    else:
        return int(typed)
    return None


def check_cells(row: Row, checker: Checker, owners: Owners) -> None:
    """Read the row's owner (template) or 编号 and 版本 (ledger), and its content; every cell
    problem becomes an error."""
    c = checker
    if c.layout is TEMPLATE:
        name = c.text("owner")
        if not name:
            c.error(
                "owner",
                _("不能为空：填写党员姓名，或党组织名称“%(org)s”") % {"org": owners.org.name},
            )
        else:
            owners.find(name, c, row)
    else:
        row.pledge_id = _number(
            c,
            "id",
            _("没有编号：台账只能修改系统中已有的承诺，新增承诺请使用导入模板"),
            _("“%(value)s” 不是有效的编号；编号由系统导出，请勿修改"),
        )
        row.version = _number(
            c,
            "version",
            _("没有版本：版本由系统导出，请勿删除"),
            _("“%(value)s” 不是有效的版本；版本由系统导出，请勿修改"),
        )
    kind = c.choice("kind", _("承诺类别"), Pledge.Kind.choices)
    deadline, ok = parse_date(c.raw("deadline"))
    if not ok:
        c.error(
            "deadline",
            _("“%(value)s” 不是有效的日期，请按 2026-12-31 的格式填写")
            % {"value": c.text("deadline")},
        )
    elif deadline is not None and not 2000 <= deadline.year <= 2100:
        c.error("deadline", _("日期超出范围"))
        deadline = None
    row.content = PledgeContent(
        kind=kind,
        title=c.text("title"),
        measures=c.text("measures"),
        deadline=deadline,
        expected_result=c.text("expected_result"),
    )


def check_rules(row: Row, checker: Checker, year: int, half: int) -> None:
    """The pledge rules, shared with pledge_create; within the period, as the file is for one."""
    for name, message in content_problems(row.content, year, half, within_period=True):
        if name not in checker.reported:
            checker.error(name, message)


def match_book(
    rows: list[Row], checkers: list[Checker], owners: Owners, year: int, half: int
) -> None:
    """Template rows: find each row's pledge in the book (same owner and title in the period).
    Identical content is a match, left alone; a row differing from it, or repeated in the
    file, is an error. One query for the whole file."""
    book = Pledge.objects.filter(owner_org__in=owners.orgs, year=year, half=half)
    Key = tuple[int, int | None, str]
    by_key: dict[Key, list[Pledge]] = defaultdict(list)
    fields = (*Pledge.CONTENT_FIELDS, "id", "owner_org_id", "owner_member_id", "status")
    for pledge in book.only(*fields):
        by_key[(pledge.owner_org_id, pledge.owner_member_id, pledge.title.strip())].append(pledge)
    status_labels = dict(Pledge.Status.choices)
    first_row: dict[Key, int] = {}
    for row, c in zip(rows, checkers, strict=True):
        if c.reported:
            continue
        key = (row.owner_org.pk, row.owner.pk if row.owner else None, row.content.title)
        if key in first_row:
            c.error("title", _("与第 %(row)d 行重复") % {"row": first_row[key]})
            continue
        first_row[key] = row.number
        candidates = by_key.get(key, [])
        row.existing = next((p for p in candidates if same_content(p, row.content)), None)
        if row.existing is None and candidates:
            c.error(
                "title",
                _("本期已有同名承诺（%(status)s），内容与表中不同；修改请在系统中办理")
                % {"status": status_labels[candidates[0].status]},
            )


def _ledger_book(by, org: Organization, year: int, ids: set[int]) -> dict[int, Pledge]:
    """The pledges the rows name, as the ledger shows them to this user (selectors.
    subtree_pledges, with the latest progress record as ledger.ledger_rows writes it)."""
    latest = ProgressRecord.objects.filter(pledge=OuterRef("pk")).order_by("-date", "-id")
    pledges = (
        selectors.subtree_pledges(by, org, year)
        .filter(pk__in=ids)
        .select_related("owner_org", "owner_member")
        .annotate(
            latest_text=Subquery(latest.values("text")[:1]),
            latest_date=Subquery(latest.values("date")[:1]),
        )
    )
    return {p.pk: p for p in pledges}


def _check_record(pledge: Pledge, c: Checker) -> None:
    """The columns that only the book's own moves change (状态, 最新进展, 销号日期, 兑现情况)
    must be as exported: the row's 版本 is the book's, so the export wrote them as they are."""
    label = str(Pledge.Status(pledge.status).label)
    if c.text("status") not in (label, _("已逾期（%(status)s）") % {"status": label}):
        c.error("status", _("状态只能在系统中办理，不能在台账中修改（现为“%(v)s”）") % {"v": label})
    latest = f"{pledge.latest_date:%Y-%m-%d} {pledge.latest_text}" if pledge.latest_text else ""
    if not _same(c.text("latest"), latest):
        c.error("latest", _("进展请在系统中记实，不能在台账中修改"))
    closed_on, ok = parse_date(c.raw("closed_on"))
    if not ok or closed_on != pledge.closed_on:
        c.error("closed_on", _("销号日期只能在系统中办理销号时填写，不能在台账中修改"))
    if not _same(c.text("close_result"), pledge.close_result):
        c.error("close_result", _("兑现情况只能在系统中办理销号时填写，不能在台账中修改"))


def _check_owner(pledge: Pledge, c: Checker) -> None:
    if c.text("org") != pledge.owner_org.name.strip():
        c.error(
            "org",
            _("应为“%(name)s”：承诺的党组织不能在台账中修改") % {"name": pledge.owner_org.name},
        )
    member = pledge.owner_member.name.strip() if pledge.owner_member else ""
    if c.text("member") != member:
        message = (
            _("应为“%(name)s”：承诺人不能在台账中修改") % {"name": member}
            if member
            else _("应为空：这是党组织自身的承诺，承诺人不能在台账中修改")
        )
        c.error("member", message)


def match_ledger(
    rows: list[Row], checkers: list[Checker], org: Organization, by, year: int
) -> None:
    """Ledger rows: each is the book's pledge of its 编号. A row as the book has it is left
    alone; edited content cells become row.changes if the row's 版本 is still the book's and
    the pledge may still be edited; anything else is an error. Two queries for the whole file
    (the pledges, and the permission roles)."""
    ids = {row.pledge_id for row in rows if row.pledge_id is not None}
    book = _ledger_book(by, org, year, ids)
    first_row: dict[int, int] = {}
    for row, c in zip(rows, checkers, strict=True):
        if row.pledge_id is None:
            continue
        if row.pledge_id in first_row:
            c.error("id", _("与第 %(row)d 行的编号重复") % {"row": first_row[row.pledge_id]})
            continue
        first_row[row.pledge_id] = row.number
        pledge = book.get(row.pledge_id)
        if pledge is None:
            c.error(
                "id",
                _("编号 %(id)d 不是%(org)s %(year)d年度台账中的承诺；编号由系统导出，请勿修改")
                % {"id": row.pledge_id, "org": org.name, "year": year},
            )
            continue
        row.existing = pledge
        _check_owner(pledge, c)
        current = row.version == pledge.edit_version
        if current:
            _check_record(pledge, c)
        if c.reported:
            continue
        changes = [name for name in LEDGER_EDITABLE if differs(pledge, row.content, name)]
        if not changes:
            continue
        first = changes[0]
        if not current:
            c.error(
                first,
                _(
                    "这项承诺在导出台账之后已在系统中变动（版本 %(old)s → %(new)d），"
                    "台账中的修改未导入；请重新导出台账后再改"
                )
                % {"old": row.version, "new": pledge.edit_version},
            )
        elif pledge.status not in Pledge.EDITABLE_STATUSES:
            c.error(
                first,
                _(
                    "“%(status)s”的承诺不能在台账中修改：只有草稿或被退回的承诺可以修改，已亮诺的承诺请在系统中办理变更"
                )
                % {"status": Pledge.Status(pledge.status).label},
            )
        elif not pledge_rules.can_edit_pledge(by, pledge):
            c.error(first, _("无权修改这项承诺"))
        else:
            row.content = PledgeContent(
                **{
                    name: getattr(row.content if name in changes else pledge, name)
                    for name in Pledge.CONTENT_FIELDS
                }
            )
            for name, message in content_problems(row.content, pledge.year, pledge.half):
                c.error(name, message)
            row.changes = changes
