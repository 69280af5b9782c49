"""Progress records (记实) and evidence files through the HTTP client."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from pledges.models import Pledge
from pledges.services import progress

TODAY = timezone.localdate


def test_it_records_progress_with_a_photo(world, client, pledge_in, png):
    pledge = pledge_in("published", world)
    client.force_login(world.member_user)
    photo = SimpleUploadedFile("现场.png", png, content_type="image/png")
    response = client.post(
        f"/pledge/{pledge.pk}/progress/",
        {"date": TODAY().isoformat(), "text": "本月走访五户", "files": [photo]},
    )
    assert response.status_code == 302
    record = pledge.progress_records.get()
    assert record.evidence.get().content_type == "image/png"


def test_it_refuses_a_file_whose_content_is_not_an_allowed_type(world, client, pledge_in):
    pledge = pledge_in("published", world)
    client.force_login(world.secretary)
    fake = SimpleUploadedFile(
        "photo.jpg", b"MZ\x90\x00 not really a picture", content_type="image/jpeg"
    )
    response = client.post(
        f"/pledge/{pledge.pk}/progress/",
        {"date": TODAY().isoformat(), "text": "x", "files": [fake]},
    )
    assert "类型不受支持" in response.content.decode()
    assert pledge.progress_records.count() == 0


def test_it_refuses_a_file_over_ten_megabytes(world, client, pledge_in, png):
    pledge = pledge_in("published", world)
    client.force_login(world.secretary)
    big = SimpleUploadedFile("big.png", png + b"\0" * (10 * 1024 * 1024), content_type="image/png")
    response = client.post(
        f"/pledge/{pledge.pk}/progress/", {"date": TODAY().isoformat(), "text": "x", "files": [big]}
    )
    assert "10 MB" in response.content.decode()
    assert pledge.progress_records.count() == 0


def test_it_saves_a_double_posted_progress_record_once(world, client, pledge_in):
    pledge = pledge_in("published", world)
    client.force_login(world.member_user)
    data = {"date": TODAY().isoformat(), "text": "走访", "form_token": uuid.uuid4().hex}
    data["next"] = "/me/"
    client.post(f"/pledge/{pledge.pk}/progress/", data)
    client.post(f"/pledge/{pledge.pk}/progress/", data)
    assert pledge.progress_records.count() == 1


def test_it_explains_a_bad_record_on_the_page_it_came_from(world, client, pledge_in):
    pledge = pledge_in("published", world)
    client.force_login(world.member_user)
    response = client.post(
        f"/pledge/{pledge.pk}/progress/", {"date": "", "text": "", "next": "/me/"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/me/"
    assert pledge.progress_records.count() == 0


def test_it_never_redirects_to_another_site_after_a_record(world, client, pledge_in):
    pledge = pledge_in("published", world)
    client.force_login(world.member_user)
    data = {"date": TODAY().isoformat(), "text": "走访", "next": "//evil.example/"}
    response = client.post(f"/pledge/{pledge.pk}/progress/", data)
    assert response["Location"] == f"/pledge/{pledge.pk}/"


@pytest.mark.parametrize(
    "username", ["stranger", "other_secretary", "other_member_user", "far_office"]
)
def test_it_refuses_outsiders_the_evidence_file(world, client, username, pledge_in, png):
    pledge = pledge_in("published", world)
    record = progress.progress_add(
        pledge=pledge,
        by=world.secretary,
        date=TODAY(),
        text="照片",
        files=[SimpleUploadedFile("photo.png", png, content_type="image/png")],
    )
    evidence = record.evidence.get()
    client.force_login(getattr(world, username))
    assert client.get(f"/evidence/{evidence.pk}/").status_code == 404


def test_it_serves_evidence_as_an_attachment_to_allowed_users(world, client, pledge_in, png):
    pledge = pledge_in("published", world)
    record = progress.progress_add(
        pledge=pledge,
        by=world.secretary,
        date=TODAY(),
        text="照片",
        files=[SimpleUploadedFile("现场照片.png", png, content_type="image/png")],
    )
    evidence = record.evidence.get()
    assert "现场照片" not in evidence.file.name
    for user in (world.secretary, world.member_user, world.office):
        client.force_login(user)
        response = client.get(f"/evidence/{evidence.pk}/")
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert b"".join(response.streaming_content) == png


def test_it_serves_a_jpeg_html_polyglot_as_a_jpeg(world, client, pledge_in):
    pledge = pledge_in("published", world)
    polyglot = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"<html><script>alert(1)</script>"
    record = progress.progress_add(
        pledge=pledge,
        by=world.secretary,
        date=TODAY(),
        text="照片",
        files=[SimpleUploadedFile("poly.html", polyglot, content_type="text/html")],
    )
    client.force_login(world.secretary)
    response = client.get(f"/evidence/{record.evidence.get().pk}/")
    disposition = response["Content-Disposition"]
    assert response["Content-Type"] == "image/jpeg"
    assert 'filename="poly.jpg"' in disposition and "html" not in disposition


@pytest.mark.parametrize("rows", [1, 4])
@pytest.mark.parametrize(
    ("who", "url", "queries"),
    [
        pytest.param("secretary", "/pledge/{published}/progress/", 6, id="the_progress_page"),
        pytest.param("secretary", "/evidence/{evidence}/", 6, id="an_evidence_file"),
    ],
)
def test_it_reads_each_page_in_a_fixed_number_of_queries(
    assert_page_queries, who, url, queries, rows
):
    assert_page_queries(who, url, queries, rows)


def _record(world, pledge_in):
    pledge = pledge_in("published", world)
    return progress.progress_add(pledge=pledge, by=world.member_user, date=TODAY(), text="走访")


def test_it_lets_the_secretary_hide_a_record_from_the_people(world, client, pledge_in):
    record = _record(world, pledge_in)
    client.force_login(world.secretary)
    response = client.post(f"/record/{record.pk}/public/", {"photos_public": "1"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert not record.is_public and not record.photos_public
    page = client.get(response["Location"]).content.decode()
    assert "公开设置已保存" in page and "保存公开设置" in page


@pytest.mark.parametrize(("username", "status"), [("stranger", 404), ("member_user", 403)])
def test_it_refuses_others_the_public_choice(world, client, pledge_in, username, status):
    record = _record(world, pledge_in)
    client.force_login(getattr(world, username))
    assert client.post(f"/record/{record.pk}/public/", {}).status_code == status
    record.refresh_from_db()
    assert record.is_public


def test_it_changes_the_public_choice_only_by_post(world, client, pledge_in):
    record = _record(world, pledge_in)
    client.force_login(world.secretary)
    assert client.get(f"/record/{record.pk}/public/").status_code == 405


@pytest.mark.parametrize(("username", "status"), [("secretary", 302), ("stranger", 404)])
def test_it_switches_every_record_from_the_pledge_page(world, client, pledge_in, username, status):
    record = _record(world, pledge_in)
    client.force_login(getattr(world, username))
    response = client.post(f"/pledge/{record.pledge_id}/records/public/", {})
    assert response.status_code == status
    record.refresh_from_db()
    assert record.is_public is (status != 302)


def test_it_keeps_both_records_of_two_sessions_recording_progress(world, pledge_in):
    """The member and the secretary open the same published pledge and each records progress:
    both records land as separate rows, neither overwrites the other, the pledge is 践诺中."""
    pledge = pledge_in("published", world)
    a, b = Client(), Client()
    a.force_login(world.member_user)
    b.force_login(world.secretary)
    url = f"/pledge/{pledge.pk}/progress/"
    for session, text in ((a, "甲：走访五户"), (b, "乙：慰问两户")):
        data = {"date": TODAY().isoformat(), "text": text, "form_token": uuid.uuid4().hex}
        assert session.post(url, data).status_code == 302
    texts = sorted(pledge.progress_records.values_list("text", "author_id"))
    assert texts == [("乙：慰问两户", world.secretary.pk), ("甲：走访五户", world.member_user.pk)]
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.IN_PROGRESS


def test_it_keeps_one_public_choice_when_two_sessions_set_it(world, pledge_in):
    """Two sessions of the book's keepers set the same record's public choice: the form posts
    the choice itself, not a toggle, so the second post leaves the same state, no error."""
    record = _record(world, pledge_in)
    a, b = Client(), Client()
    a.force_login(world.secretary)
    b.force_login(world.secretary)
    for session in (a, b):
        assert (
            session.post(f"/record/{record.pk}/public/", {"photos_public": "1"}).status_code == 302
        )
    record.refresh_from_db()
    assert (record.is_public, record.photos_public) == (False, False)
    for session in (a, b):
        response = session.post(f"/pledge/{record.pledge_id}/records/public/", {"is_public": "1"})
        assert response.status_code == 302
    assert list(record.pledge.progress_records.values_list("is_public", flat=True)) == [True]
