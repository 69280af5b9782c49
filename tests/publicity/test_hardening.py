"""Input hardening and lost updates in publicity (issue 9 §1): two people editing one notice,
a missing version, limits and dates on the compose form."""

import pytest
from django.urls import reverse

from core.errors import TransitionError
from core.versions import StaleEdit
from publicity.models import Notice
from publicity.services import notice as notice_services
from tests.factories import compose_notice, notice_content


def test_it_refuses_the_older_of_two_notice_edits(pub):
    notice = compose_notice(pub)
    seen = notice.edit_version
    sources = list(notice.items.values_list("source", flat=True))
    notice_services.notice_update(
        notice=notice, by=pub.secretary, content=notice_content(sources, title="书记改的标题"),
        version=seen,
    )  # fmt: skip
    with pytest.raises(StaleEdit) as refused:
        notice_services.notice_update(
            notice=notice, by=pub.office, content=notice_content(sources, intro="办公室改的说明"),
            version=seen,
        )  # fmt: skip
    assert "标题" in str(refused.value) and "公示说明" in str(refused.value)
    notice.refresh_from_db()
    assert notice.title == "书记改的标题"


def test_it_refuses_a_notice_edit_without_a_version(pub):
    notice = compose_notice(pub)
    with pytest.raises(StaleEdit, match="缺少版本信息"):
        notice_services.notice_update(
            notice=notice, by=pub.secretary, content=notice_content([]), version=None
        )


def test_it_carries_the_version_through_the_edit_page(pub, client):
    notice = compose_notice(pub)
    client.force_login(pub.secretary)
    url = reverse("publicity:notice_edit", args=[notice.pk])
    page = client.get(url).content.decode()
    assert f'name="version" value="{notice.edit_version}"' in page
    data = {
        "title": "新标题",
        "intro": "",
        "starts_on": notice.starts_on.isoformat(),
        "ends_on": notice.ends_on.isoformat(),
        "sources": list(notice.items.values_list("source", flat=True)),
    }
    response = client.post(url, data)
    assert "缺少版本信息" in response.content.decode()
    response = client.post(url, {**data, "version": notice.edit_version})
    assert response.status_code == 302
    assert Notice.objects.get(pk=notice.pk).title == "新标题"


def test_it_refuses_an_overlong_return_reason(pub):
    notice = compose_notice(pub)
    notice_services.notice_submit(notice=notice, by=pub.secretary)
    with pytest.raises(TransitionError, match="不能超过"):
        notice_services.notice_return(notice=notice, by=pub.office, reason="因" * 100_000)
