"""点评情况登记表 and 整改台账 Excel exports for the office."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from reviews.models import Quarter, RectificationItem
from reviews.services import rectification as rectification_services
from reviews.services import review as review_services
from tests.factories import (
    MemberFactory,
    content,
    items,
    member_subject,
    org_subject,
    signed_review,
    today,
)

Q = Quarter.current()


def download(client, user, org, name, query=None):
    client.force_login(user)
    return client.get(f"/reviews/office/{org.pk}/{name}.xlsx", query or {"q": Q.code})


def rows_of(response):
    assert response.status_code == 200, response.status_code
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_it_exports_the_review_register_with_items_and_their_status(client, rworld):
    w = rworld
    review = signed_review(w.secretary, member_subject(w.member), n_items=2, mode="random")
    first = review.items.order_by("id").first()
    rectification_services.item_done(item=first, by=w.member_user, measures_taken="已整改")
    rectification_services.item_confirm(item=first, by=w.secretary)
    signed_review(w.branch_leader, org_subject(w.branch), n_items=0, mode="on_site")

    rows = rows_of(download(client, w.office, w.town, "register"))

    assert "点评情况登记表" in rows[0][0]
    assert rows[1][:7] == [
        "序号", "点评对象", "类别", "所属党组织", "点评人", "点评时间", "点评方式",
    ]  # fmt: skip
    by_subject = {r[1]: r for r in rows[2:]}
    member_row = by_subject["张三"]
    assert member_row[6] == "随机点评（未先报后评）"
    assert member_row[7:11] == ["承诺事项推进有力", "群众走访不够", "加强走访", "好"]
    assert "1. 问题1；措施1" in member_row[11] and "〔已销号〕" in member_row[11]
    assert "2. 问题2" in member_row[11] and "〔整改中〕" in member_row[11]
    assert member_row[12] == "已签认"
    assert by_subject["东街社区党支部"][2] == "党组织"


def test_it_leaves_drafts_out_of_the_register(client, rworld):
    w = rworld
    review_services.review_create(
        by=w.secretary, subject=member_subject(w.member), quarter=Q, content=content()
    )
    rows = rows_of(download(client, w.office, w.town, "register"))
    assert rows[2] == ["没有可导出的点评"] + [None] * (len(rows[1]) - 1)


def test_it_exports_the_rectification_ledger_with_reply_and_overdue_status(client, rworld):
    w = rworld
    review = signed_review(w.secretary, member_subject(w.member), n_items=2, mode="random")
    a, b = review.items.order_by("id")
    rectification_services.item_done(
        item=a, by=w.member_user, measures_taken="已走访十户", reply="请审阅"
    )
    RectificationItem.objects.filter(pk=b.pk).update(deadline=today() - datetime.timedelta(days=1))

    rows = rows_of(download(client, w.office, w.town, "rectification"))

    assert "整改台账" in rows[0][0]
    assert rows[1] == [
        "序号", "党组织", "整改对象", "问题", "整改措施", "责任人", "整改时限", "状态",
        "整改落实情况", "回复点评人", "点评人", "销号日期",
    ]  # fmt: skip
    by_problem = {r[3]: r for r in rows[2:]}
    assert by_problem["问题1"][7] == "已整改待确认"
    assert by_problem["问题1"][8:10] == ["已走访十户", "请审阅"]
    assert by_problem["问题2"][7] == "已逾期（整改中）"
    assert by_problem["问题2"][2] == "张三"


def test_it_exports_a_whole_year(client, rworld):
    w = rworld
    signed_review(w.secretary, member_subject(w.member), n_items=1, mode="random")
    rows = rows_of(download(client, w.office, w.town, "rectification", {"year": Q.year}))
    assert f"{Q.year}年度整改台账" in rows[0][0]
    assert [r[3] for r in rows[2:]] == ["问题1"]


@pytest.mark.parametrize("name", ["register", "rectification"])
def test_it_refuses_anyone_but_the_office_over_the_organization(client, rworld, name):
    w = rworld
    signed_review(w.secretary, member_subject(w.member), n_items=1, mode="random")
    for user in (w.stranger, w.far_office, w.secretary, w.leader, w.member_user):
        # 404 when the organization is not even visible to the user (core.access).
        assert download(client, user, w.town, name).status_code in (403, 404), user.username
    # The branch's office-less secretary cannot export even his own branch.
    assert download(client, w.secretary, w.branch, name).status_code == 403


def _reviews_for(w, n):
    for _ in range(n):
        member = MemberFactory(organization=w.branch)
        review_services.review_sign(
            review=review_services.review_create(
                by=w.secretary,
                subject=member_subject(member),
                quarter=Q,
                content=content(mode="random"),
                items=items(2),
            ),
            by=w.secretary,
        )


@pytest.mark.parametrize("name", ["register", "rectification"])
def test_it_keeps_the_query_count_flat(client, rworld, name):
    w = rworld
    client.force_login(w.office)
    url = f"/reviews/office/{w.town.pk}/{name}.xlsx"
    _reviews_for(w, 5)
    with CaptureQueriesContext(connection) as few:
        assert len(rows_of(client.get(url, {"q": Q.code}))) > 5
    _reviews_for(w, 45)
    with CaptureQueriesContext(connection) as many:
        assert len(rows_of(client.get(url, {"q": Q.code}))) > 50
    assert len(many) == len(few)
