import datetime

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from core.exports.models import ExportJob
from core.exports.selectors import my_exports


def test_it_lists_the_users_own_jobs_newest_first(alice, bob):
    now = timezone.now()
    old = ExportJob.objects.create(
        requester=alice, kind="k", title="旧", created_at=now - datetime.timedelta(days=1)
    )
    new = ExportJob.objects.create(requester=alice, kind="k", title="新", created_at=now)
    ExportJob.objects.create(requester=bob, kind="k", title="别人的", created_at=now)
    assert list(my_exports(alice)) == [new, old]


def test_it_lists_nothing_for_an_anonymous_visitor(alice):
    ExportJob.objects.create(requester=alice, kind="k", title="台账")
    assert not my_exports(AnonymousUser()).exists()
