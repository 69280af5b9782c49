import math

import pytest
from django.core.cache import cache
from django.utils import translation
from openpyxl import load_workbook

from core import cache_versions, request_memo
from core.exports.models import ExportJob
from pledges.models import Organization, Position
from tests.factories import MemberFactory, UserFactory, make_org, make_position


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # A fast hasher: the default one costs ~0.3 s per user and every test makes several.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # The test client and the browser tests speak plain http; DATABASE_URL (CI) would
    # otherwise turn on the production HTTPS redirect and secure-only cookies.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    # Ids repeat from one test to the next; a form claimed (core.once) or an address counted
    # (core.ratelimit) in one test must not refuse the next test's post.
    cache.clear()
    # A calendar remembered by a request that raised into the test client (it never
    # finished) would answer this test's selectors with another test's rows.
    request_memo.reset()
    # The public pages' per-process copies (publicity.cache.LocalPages) read their versions
    # every half second, so a test that clears the cache mid-way would still be served the
    # copy: off here (as without Redis); tests/publicity/test_cache_local.py turns it on.
    settings.PUBLIC_PAGE_LOCAL_SECONDS = 0
    # Each test starts on a fresh database (cache epoch 0), taken as read for the whole test:
    # a page's query count must not depend on how long the test took (core.cache_versions).
    cache_versions.remember_epoch(0, seconds=math.inf)
    # The language middleware activates the visitor's language for the thread and leaves it: a
    # test that asked for English must not leave the next test's services speaking it.
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def world(db):
    """县委 → 镇党委 → two branches; a secretary, members, an office, a leader, strangers."""
    county = make_org("示范县委", level=Organization.Level.COMMITTEE)
    town = make_org("城关镇党委", county, level=Organization.Level.COMMITTEE)
    branch = make_org("东街社区党支部", town, field=Organization.Field.COMMUNITY)
    other_branch = make_org("西街社区党支部", town, field=Organization.Field.COMMUNITY)
    secretary = UserFactory(username="secretary")
    make_position(secretary, branch, Position.Kind.SECRETARY)
    other_secretary = UserFactory(username="other_secretary")
    make_position(other_secretary, other_branch, Position.Kind.SECRETARY)
    office = UserFactory(username="office")
    make_position(office, town, Position.Kind.OFFICE)
    leader = UserFactory(username="leader")
    make_position(leader, town, Position.Kind.LEADER_CONTACT)
    member_user = UserFactory(username="member")
    member = MemberFactory(name="张三", organization=branch, user=member_user)
    other_member_user = UserFactory(username="other_member")
    other_member = MemberFactory(name="李四", organization=other_branch, user=other_member_user)
    stranger = UserFactory(username="stranger")
    far_office = UserFactory(username="far_office")
    far_town = make_org("远郊镇党委", county, level=Organization.Level.COMMITTEE)
    make_position(far_office, far_town, Position.Kind.OFFICE)

    class World:
        pass

    w = World()
    w.__dict__.update(locals())
    return w


class Exported:
    """A started export as the user sees it: the response of the start, and the file."""

    def __init__(self, response, job):
        self.response, self.job = response, job

    @property
    def sheet(self):
        assert self.job is not None and self.job.status == "done", self.response.status_code
        with self.job.file.open("rb") as f:
            return load_workbook(f).worksheets[0]

    @property
    def rows(self) -> list[list]:
        return [list(r) for r in self.sheet.iter_rows(values_only=True)]


@pytest.fixture
def export_ledger(client, django_capture_on_commit_callbacks):
    """`export_ledger(user, kind, org, period)`: the user presses the page's export button
    (POST to exports:start); the job runs in-process (eager Celery) once the start commits."""

    def start(user, kind: str, org, period) -> Exported:
        client.force_login(user)
        before = set(ExportJob.objects.values_list("pk", flat=True))
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/exports/start/", {"kind": kind, "org": str(org.pk), "period": str(period)}
            )
        job = ExportJob.objects.exclude(pk__in=before).first()
        if job is not None:
            assert response.status_code == 302 and response["Location"] == f"/exports/{job.pk}/"
        return Exported(response, job)

    return start
