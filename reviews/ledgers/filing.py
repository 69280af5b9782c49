"""A filing's package (备案材料): one .zip of the attachments the sources name, for one branch and
one half-year, built in the background (reviews/exports.py registers it as an export kind).

- 备案材料.pdf, printable: a cover listing the attachments, 附件一 the organization's
  承诺书, 附件二 the members' 承诺书, 附件三 the 承诺践诺台账, 附件四 the leaders' 点评 of the
  branch and its secretary, 附件五 the secretary's 点评 of the members, 附件六 the
  群众评议情况统计表, and the half-year's 整改台账;
- the office's Excel ledgers themselves (the same writers as every ledger export), restricted to
  the branch and the half-year.

Rows are read as the filer sees them (`visible_to(job.requester)`), by the same queries and cell
functions as the ledgers, so the PDF and the workbooks say the same thing.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Callable
from typing import IO, Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import TransitionError
from core.pdf import Section, Table, write_pdf
from core.periods import Period
from pledges.ledgers import pledge as pledge_ledger
from pledges.models import Organization, Pledge

from ..models import Filing, SubjectKind
from ..rules.filing import filing_due
from . import mass_evaluation, rectification, review

# The 承诺书's columns; the ledgers' columns come from their modules.
PLEDGE_BOOK_COLUMNS = (
    (gettext_lazy("序号"), 5),
    (gettext_lazy("党组织"), 16),
    (gettext_lazy("承诺类别"), 8),
    (gettext_lazy("承诺事项"), 26),
    (gettext_lazy("践诺措施"), 30),
    (gettext_lazy("完成时限"), 10),
    (gettext_lazy("预期效果"), 26),
)
MEMBER_BOOK_COLUMNS = (
    (gettext_lazy("序号"), 5),
    (gettext_lazy("党员"), 10),
    (gettext_lazy("承诺类别"), 8),
    (gettext_lazy("承诺事项"), 26),
    (gettext_lazy("践诺措施"), 30),
    (gettext_lazy("完成时限"), 10),
    (gettext_lazy("预期效果"), 26),
)
# The pledge ledger's last two columns (编号, 版本) serve the Excel import, not the reader.
PLEDGE_LEDGER_SHOWN = 12


def package_title(filing: Filing) -> str:
    return _("%(org)s %(period)s备案材料") % {
        "org": filing.organization.name,
        "period": filing.period_label,
    }


def _book_rows(user, org: Organization, period: Period, *, members: bool) -> list[list]:
    """附件一/二: the half's checked pledges of the organizations (or of the members)."""
    pledges = (
        Pledge.objects.visible_to(user)
        .filter(
            owner_org__path__startswith=org.path,
            year=period.year,
            half__in=(Pledge.Half.WHOLE_YEAR, period.half),
            status__in=Pledge.FILED_STATUSES,
            owner_member__isnull=not members,
        )
        .order_by("owner_org__path", F("owner_member_id").asc(nulls_first=True), "id")
        .values_list(
            "owner_member__name" if members else "owner_org__name",
            "kind",
            "title",
            "measures",
            "deadline",
            "expected_result",
        )
    )
    kinds = dict(Pledge.Kind.choices)
    return [
        [n, owner, kinds.get(kind, kind), title, measures, deadline, expected]
        for n, (owner, kind, title, measures, deadline, expected) in enumerate(pledges, start=1)
    ]


def _sections(filing: Filing, user, period: Period) -> tuple[list[Section], dict[str, int]]:
    org = filing.organization
    own = _book_rows(user, org, period, members=False)
    members = _book_rows(user, org, period, members=True)
    ledger = [c[:PLEDGE_LEDGER_SHOWN] for c in pledge_ledger.ledger_cells(user, org, period)]
    above = (SubjectKind.ORGANIZATION, SubjectKind.SECRETARY)
    leaders = list(review.register_cells(user, org, period, above))
    secretary = list(review.register_cells(user, org, period, (SubjectKind.MEMBER,)))
    survey = list(mass_evaluation.survey_cells(user, org, period))
    items = list(rectification.item_cells(user, org, period))
    label = period.label
    sections = [
        Section(
            _("附件一 党组织公开承诺书"),
            f"{org.name} {label}",
            table=Table(PLEDGE_BOOK_COLUMNS, own, _("本期没有党组织承诺")),
        ),
        Section(
            _("附件二 党员公开承诺书"),
            f"{org.name} {label}",
            table=Table(MEMBER_BOOK_COLUMNS, members, _("本期没有党员承诺")),
        ),
        Section(
            _("附件三 承诺践诺台账"),
            pledge_ledger.ledger_title(org, period),
            table=Table(
                pledge_ledger.COLUMNS[:PLEDGE_LEDGER_SHOWN], ledger, _("本期没有可导出的承诺")
            ),
        ),
        Section(
            _("附件四 上级领导点评下级党组织及书记创先争优工作情况登记表"),
            review.register_title(org, period),
            table=Table(review.REGISTER_COLUMNS, leaders, _("本期没有对党组织及书记的点评")),
        ),
        Section(
            _("附件五 基层党组织书记点评党员创先争优工作情况登记表"),
            review.register_title(org, period),
            table=Table(review.REGISTER_COLUMNS, secretary, _("本期没有对党员的点评")),
        ),
        Section(
            _("附件六 群众评议情况统计表"),
            mass_evaluation.survey_title(org, period),
            table=Table(mass_evaluation.SURVEY_COLUMNS, survey, _("本期没有群众评议")),
        ),
        Section(
            _("整改台账"),
            rectification.items_title(org, period),
            table=Table(rectification.ITEM_COLUMNS, items, _("本期没有整改事项")),
        ),
    ]
    counts = {
        "own": len(own),
        "members": len(members),
        "ledger": len(ledger),
        "leaders": len(leaders),
        "secretary": len(secretary),
        "survey": len(survey),
        "items": len(items),
    }
    return sections, counts


def _cover(filing: Filing, counts: dict[str, int]) -> Section:
    org = filing.organization
    filer = filing.filed_by.get_full_name() or filing.filed_by.get_username()
    due = filing_due(org, filing.year, filing.half)
    contents = [
        _("附件一 党组织公开承诺书（%(n)d 项）") % {"n": counts["own"]},
        _("附件二 党员公开承诺书（%(n)d 项）") % {"n": counts["members"]},
        _("附件三 承诺践诺台账（%(n)d 项）") % {"n": counts["ledger"]},
        _("附件四 上级领导点评下级党组织及书记登记表（%(n)d 次）") % {"n": counts["leaders"]},
        _("附件五 基层党组织书记点评党员登记表（%(n)d 次）") % {"n": counts["secretary"]},
        _("附件六 群众评议情况统计表（%(n)d 次评议）") % {"n": counts["survey"]},
        _("整改台账（%(n)d 项）") % {"n": counts["items"]},
    ]
    return Section(
        package_title(filing),
        _("公开承诺践诺活动备案"),
        paragraphs=[
            _("报送党组织：%(org)s") % {"org": org.name},
            _("报送期间：%(period)s") % {"period": filing.period_label},
            _("应报送日期：%(date)s") % {"date": due.isoformat()},
            _("报送人：%(name)s") % {"name": filer},
            _("报送时间：%(at)s（第 %(n)d 次报送）")
            % {"at": f"{timezone.localtime(filing.filed_at):%Y-%m-%d %H:%M}", "n": filing.rounds},
            _("附件目录："),
            *contents,
            _("同名 Excel 台账随附于本材料包，可供汇总。"),
        ],
    )


def _add(zf: zipfile.ZipFile, name: str, write: Callable[[IO[bytes]], object]) -> None:
    with tempfile.TemporaryFile() as tmp:
        write(tmp)
        tmp.seek(0)
        with zf.open(name, "w") as target:
            shutil.copyfileobj(tmp, target)


def write_package(out: IO[bytes], *, filing: Filing, user, progress=None) -> int:
    """Write the package's zip to `out`; return the number of files in it."""
    org = filing.organization
    period = Period(filing.year, half=filing.half)
    ledgers = (
        (_("附件三 承诺践诺台账.xlsx"), pledge_ledger.write_pledge_ledger),
        (_("附件四、五 点评情况登记表.xlsx"), review.write_register),
        (_("附件六 群众评议情况统计表.xlsx"), mass_evaluation.write_survey),
        (_("整改台账.xlsx"), rectification.write_items),
    )
    total = len(ledgers) + 1
    if progress:
        progress(0, total)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        sections, counts = _sections(filing, user, period)
        _add(
            zf,
            _("备案材料.pdf"),
            lambda f: write_pdf(
                f,
                title=package_title(filing),
                sections=[_cover(filing, counts), *sections],
                footer=package_title(filing),
            ),
        )
        if progress:
            progress(1, total)
        for n, (name, writer) in enumerate(ledgers, start=2):
            _add(zf, name, lambda f, w=writer: w(f, user=user, org=org, period=period))
            if progress:
                progress(n, total)
    return total


def build(job: Any, out: IO[bytes], progress) -> int:
    """Write the package of job.params {"filing", "round"}; a round filed again since is not
    built (reviews/exports.py then keeps the package on the filing)."""
    filing = (
        Filing.objects.select_related("organization", "filed_by")
        .filter(pk=job.params["filing"])
        .first()
    )
    if filing is None or filing.rounds != job.params.get("round"):
        raise TransitionError(_("该备案已重新报送，这次生成的材料作废"))
    return write_package(out, filing=filing, user=job.requester, progress=progress)
