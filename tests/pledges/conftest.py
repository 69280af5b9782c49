"""Fixtures for the pledge book's tests: pledge content, pledges in any state, a tiny PNG."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from pledges.models import Pledge
from pledges.services import pledge as services
from pledges.services.pledge_import import pledges_import
from pledges.services.progress import progress_add
from pledges.services.roster import roster_import


def _content(**overrides) -> services.PledgeContent:
    values = {
        "kind": Pledge.Kind.PRACTICAL,
        "title": "帮助困难户解决饮水问题",
        "measures": "每月走访一次，联系水务站",
        "deadline": timezone.localdate() + datetime.timedelta(days=60),
        "expected_result": "困难户用上自来水",
    }
    values.update(overrides)
    return services.PledgeContent(**values)


def _pledge_in(status: str, w, *, member=True, **kwargs) -> Pledge:
    """A pledge moved to `status` through the services, so its history is real."""
    pledge = services.pledge_create(
        by=w.secretary,
        owner_org=w.branch,
        owner_member=w.member if member else None,
        content=_content(**kwargs),
        year=timezone.localdate().year,
    )
    approver = w.secretary if member else w.office
    if status == "draft":
        return pledge
    services.pledge_submit(pledge=pledge, by=w.secretary)
    if status == "submitted":
        return pledge
    if status == "returned":
        return services.pledge_return(pledge=pledge, by=approver, reason="措施不具体")
    services.pledge_approve(pledge=pledge, by=approver)
    if status == "approved":
        return pledge
    services.pledge_publish(pledge=pledge, by=w.secretary)
    if status == "published":
        return pledge
    progress_add(pledge=pledge, by=w.secretary, date=timezone.localdate(), text="已走访三户")
    if status == "in_progress":
        return pledge
    if status == "closed":
        return services.pledge_close(pledge=pledge, by=w.secretary, result="已全部通水")
    if status == "unfulfilled":
        return services.pledge_mark_unfulfilled(pledge=pledge, by=w.secretary, reason="资金未到位")
    raise ValueError(status)


@pytest.fixture
def content():
    """`content(**overrides)`: a valid PledgeContent."""
    return _content


@pytest.fixture
def pledge_in(db):
    """`pledge_in(status, world, member=True, **content)`: a pledge moved there by services."""
    return _pledge_in


@pytest.fixture
def png() -> bytes:
    """The smallest real PNG: its content, not its name, makes it an allowed evidence file."""
    return (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
        b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
        b"\x00\x00IEND\xaeB`\x82"
    )


@pytest.fixture
def fill_book(world, pledge_in, png):
    """`fill_book(n)`: n drafts, n published pledges with a record and a photo, n closed ones
    for world.member; returns the ids of the last of each (and of the evidence file, branch,
    town and member) to fill in page addresses."""

    def fill(n: int) -> dict[str, int]:
        made = {}
        for _ in range(n):
            made["draft"] = pledge_in("draft", world)
            made["published"] = pledge_in("published", world)
            photo = SimpleUploadedFile("现场.png", png, content_type="image/png")
            progress_add(
                pledge=made["published"],
                by=world.secretary,
                date=timezone.localdate(),
                text="走访",
                files=[photo],
            )
            made["closed"] = pledge_in("closed", world)
        pks = {name: pledge.pk for name, pledge in made.items()}
        evidence = made["published"].progress_records.get().evidence.get()
        return {
            **pks,
            "evidence": evidence.pk,
            "branch": world.branch.pk,
            "town": world.town.pk,
            "member": world.member.pk,
        }

    return fill


@pytest.fixture
def assert_page_queries(world, client, fill_book, django_assert_num_queries):
    """`assert_page_queries(who, url, queries, rows)`: with `rows` of every kind in the book,
    the page at `url` (formatted with fill_book's ids) costs exactly `queries` queries for
    world.`who`; a download is read to its end inside the count."""

    def check(who: str, url: str, queries: int, rows: int) -> None:
        url = url.format(**fill_book(rows))
        client.force_login(getattr(world, who))
        with django_assert_num_queries(queries):
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
        assert response.status_code in (200, 302)

    return check


ROSTER_HEADER = [
    "姓名",
    "性别",
    "所在党组织",
    "党员类别",
    "预备党员",
    "联系电话",
    "身份证号",
    "登录账号",
]


def _roster_xlsx(rows, header=ROSTER_HEADER, name="名册.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    if header:
        sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def _roster_row(
    name="王五", gender="男", org="", kind="在职党员", prob="", phone="", id_card="", login=""
):
    return [name, gender, org, kind, prob, phone, id_card, login]


@pytest.fixture
def roster_xlsx():
    """`roster_xlsx(rows, header=..., name=...)`: an uploaded roster file with these rows."""
    return _roster_xlsx


@pytest.fixture
def roster_row():
    """`roster_row(name, gender, org, kind, prob, phone, id_card, login)`: one roster row."""
    return _roster_row


@pytest.fixture
def run_import(world):
    """`run_import(world, rows=None, file=None, by=None, org=None, **kwargs)`: the service."""

    def run(world, rows=None, file=None, by=None, org=None, **kwargs):
        return roster_import(
            org=org or world.branch,
            by=by or world.secretary,
            file=file or _roster_xlsx(rows),
            **kwargs,
        )

    return run


def _form_row(title="修缮村道", kind="practical"):
    deadline = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    return {
        "kind": kind,
        "title": title,
        "measures": "筹集资金，组织施工",
        "deadline": deadline,
        "expected_result": "群众出行方便",
    }


@pytest.fixture
def form_row():
    """`form_row(title, kind)`: a filled pledge form's fields, as posted."""
    return _form_row


PLEDGE_HEADER = ["承诺人", "类别", "承诺事项", "践诺措施", "完成时限", "预期效果"]


def _pledge_xlsx(rows, header=PLEDGE_HEADER, name="承诺.xlsx", title="东街社区党支部承诺"):
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    if header:
        sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def _pledge_row(
    owner="张三",
    kind="实事承诺",
    title="帮助困难户解决饮水问题",
    measures="每月走访一次，联系水务站",
    deadline=None,
    expected="困难户用上自来水",
):
    deadline = deadline or datetime.date(timezone.localdate().year, 12, 31)
    return [owner, kind, title, measures, deadline, expected]


@pytest.fixture
def pledge_xlsx():
    """`pledge_xlsx(rows, header=..., name=..., title=...)`: an uploaded pledge file."""
    return _pledge_xlsx


@pytest.fixture
def pledge_row():
    """`pledge_row(owner, kind, title, measures, deadline, expected)`: one template row."""
    return _pledge_row


@pytest.fixture
def run_pledge_import(world):
    """`run_pledge_import(rows=None, file=None, by=None, org=None, **kwargs)`: the service, for
    this year's whole-year period unless told."""

    def run(rows=None, file=None, by=None, org=None, **kwargs):
        kwargs.setdefault("year", timezone.localdate().year)
        return pledges_import(
            org=org or world.branch,
            by=by or world.secretary,
            file=file or _pledge_xlsx(rows),
            **kwargs,
        )

    return run
