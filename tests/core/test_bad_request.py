"""The 400 page says which limit a refused form went over."""

from django.core.exceptions import SuspiciousOperation

from core.bad_request import bad_request
from tests.factories import UserFactory


def test_it_names_the_size_limit_of_a_form_over_it(client, db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
    client.force_login(UserFactory())
    response = client.post(
        "/notifications/read-all/",
        "text=" + "x" * (12 * 1024 * 1024 + 1),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "超过 12 MB 的上限" in response.content.decode()


def test_it_names_the_field_limit(client, db, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    client.force_login(UserFactory())
    response = client.post("/notifications/read-all/", {f"f{i}": "1" for i in range(11)})
    assert response.status_code == 400
    assert "超过 10 个的上限" in response.content.decode()


def test_it_says_the_request_is_invalid_otherwise(rf):
    response = bad_request(rf.get("/"), SuspiciousOperation("odd"))
    assert response.status_code == 400
    assert "请求无效" in response.content.decode()
