import datetime

from django.utils import timezone

from pledges import services
from pledges.models import Pledge

TODAY = timezone.localdate


def content(**overrides) -> services.PledgeContent:
    values = {
        "kind": Pledge.Kind.PRACTICAL,
        "title": "帮助困难户解决饮水问题",
        "measures": "每月走访一次，联系水务站",
        "deadline": TODAY() + datetime.timedelta(days=60),
        "expected_result": "困难户用上自来水",
    }
    values.update(overrides)
    return services.PledgeContent(**values)


def pledge_in(status: str, w, *, member=True, **kwargs) -> Pledge:
    """A pledge moved to `status` through the services, so its history is real."""
    pledge = services.pledge_create(
        by=w.secretary,
        owner_org=w.branch,
        owner_member=w.member if member else None,
        content=content(**kwargs),
        year=TODAY().year,
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
    services.progress_add(pledge=pledge, by=w.secretary, date=TODAY(), text="已走访三户")
    if status == "in_progress":
        return pledge
    if status == "closed":
        return services.pledge_close(pledge=pledge, by=w.secretary, result="已全部通水")
    if status == "unfulfilled":
        return services.pledge_mark_unfulfilled(pledge=pledge, by=w.secretary, reason="资金未到位")
    raise ValueError(status)
