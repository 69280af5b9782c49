"""Demo data of the notices and the opinion box; `seed_demo` calls `seed` after the pledge book
and the reviews are built.

County: for every kind of notice, on the first organization that has something to publish of
that kind and a secretary login to compose it, four notices through the services: one live, one
whose window has ended (its dates moved back afterwards, as only the demo may), one corrected
(the old version superseded, the new one live) and one withdrawn with its reason. Opinions on
东街社区党支部 in every moderation state, one turned into a rectification item. Other scales get
no notices (the benchmark reads the county). Idempotent: nothing is added when a notice exists.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pledges.demo import COUNTY_NAME, DEMO_ROOTS, PASSWORD
from pledges.models import Organization, Position
from reviews.models import Nomination, SelectionRound
from reviews.services import selection as selection_services

from .models import Notice, Opinion
from .selectors import notice as compose
from .services import notice as notice_services
from .services import opinion as opinion_services

INTROS = {
    Notice.Kind.PLEDGES: "现将本支部及党员公开承诺事项予以公示，请广大群众监督。",
    Notice.Kind.PROGRESS: "现将本月践诺记实情况予以公开，欢迎提出意见建议。",
    Notice.Kind.CLOSURES: "以下承诺事项已兑现销号或认定未兑现，现予公示。",
    Notice.Kind.REVIEWS: "现将本季度领导点评意见及整改落实情况向群众公开。",
    Notice.Kind.EVALUATIONS: "现将群众评议结果予以公示。",
    Notice.Kind.ASSESSMENTS: "现将年度总评结果予以公示，公示期内如有异议请反映。",
}
OPINIONS = [
    ("小区路灯坏了好几盏，晚上出行不便，希望尽快修好。", "published_fix"),
    ("承诺的便民服务站办得很好，点个赞！", "published"),
    ("建议公示栏内容每月更新一次。", "published_reply"),
    ("我家门口的下水道问题想当面反映，请联系我。", "answered"),
    ("广告：低价装修，请联系。", "rejected"),
    ("希望多组织老年人健康讲座。", "pending"),
]


def _secretary(org: Organization):
    position = (
        Position.objects.filter(organization=org, kind=Position.Kind.SECRETARY)
        .select_related("user")
        .first()
    )
    return position.user if position else None


def _office(root: Organization):
    position = (
        Position.objects.filter(organization=root, kind=Position.Kind.OFFICE)
        .select_related("user")
        .first()
    )
    return position.user if position else None


def _period(kind: str, today: datetime.date) -> list[tuple[int, int | None]]:
    if kind != Notice.Kind.PROGRESS:
        return [(today.year, None)]
    last = today.replace(day=1) - datetime.timedelta(days=1)
    return [(today.year, today.month), (last.year, last.month)]


def _find(root: Organization, kind: str, today: datetime.date):
    """The first organization (by path) with something of this kind and a secretary login."""
    for org in Organization.objects.filter(path__startswith=root.path).order_by("depth", "path"):
        for year, month in _period(kind, today):
            found = compose.candidates(org, kind, year, month)
            if found:
                secretary = _secretary(org)
                if secretary is not None:
                    return org, secretary, year, month, found
    return None


def _content(
    title: str, intro: str, sources, today: datetime.date
) -> notice_services.NoticeContent:
    return notice_services.NoticeContent(
        title=title,
        intro=intro,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=6),
        sources=sources,
    )


def _notice(org, by, office, kind, year, month, sources, today, suffix="") -> Notice:
    title = compose.default_title(org, kind, year, month) + suffix
    notice = notice_services.notice_create(
        by=by,
        organization=org,
        kind=kind,
        year=year,
        month=month,
        content=_content(title, INTROS[kind], sources, today),
    )
    notice_services.notice_submit(notice=notice, by=by)
    return notice_services.notice_approve(notice=notice, by=office)


def _seed_kind(root, office, kind, today) -> int:
    found = _find(root, kind, today)
    if found is None:
        return 0
    org, secretary, year, month, candidates = found
    sources = [c.source for c in candidates]
    args = (org, secretary, office, kind, year, month)
    # Ended: published three weeks ago for a week (dates moved back: only the demo may).
    ended = _notice(*args, sources, today, _("（往期）"))
    Notice.objects.filter(pk=ended.pk).update(
        starts_on=today - datetime.timedelta(days=21), ends_on=today - datetime.timedelta(days=15)
    )
    withdrawn = _notice(*args, sources, today, _("（已撤回）"))
    notice_services.notice_withdraw(
        notice=withdrawn, by=secretary, reason=_("公示内容有误，已重新编制")
    )
    live = _notice(*args, sources, today)
    corrected = notice_services.notice_correct(
        notice=live,
        by=secretary,
        note=_("更正了第一项的表述，并补充了遗漏的事项"),
        content=_content(live.title, INTROS[kind], sources, today),
    )
    notice_services.notice_submit(notice=corrected, by=secretary)
    notice_services.notice_approve(notice=corrected, by=office)
    return 4


def _seed_opinions(root: Organization, office) -> int:
    branch = Organization.objects.filter(path__startswith=root.path, name="东街社区党支部").first()
    if branch is None:
        return 0
    secretary = _secretary(branch) or office
    for n, (text, fate) in enumerate(OPINIONS):
        opinion = opinion_services.opinion_submit(
            organization=branch,
            content=opinion_services.OpinionContent(text=text, name=_("居民"), contact=""),
            address=f"demo-{n}",
        )
        if fate.startswith("published"):
            reply = _("感谢您的意见，已安排落实。") if fate != "published" else ""
            opinion_services.opinion_publish(
                opinion=opinion, by=secretary, reply=reply, version=opinion.edit_version
            )
        if fate == "published_fix":
            opinion_services.opinion_to_rectification(
                opinion=opinion,
                by=secretary,
                content=opinion_services.RectificationContent(
                    problem=_("小区路灯损坏，群众夜间出行不便"),
                    target=_("小区路灯全部恢复照明"),
                    measures=_("联系供电所逐一排查更换，建立巡查台账"),
                    responsible=_("支部书记"),
                    deadline=timezone.localdate() + datetime.timedelta(days=20),
                ),
            )
        elif fate == "answered":
            opinion_services.opinion_answer(
                opinion=opinion, by=secretary, answer=_("已电话联系并上门查看")
            )
        elif fate == "rejected":
            opinion_services.opinion_reject(
                opinion=opinion, by=secretary, reason=_("广告信息，与党务公开无关")
            )
    return len(OPINIONS)


SELECTION_INTRO = (
    "经各单位推荐、党委办公室审核，现将拟表彰对象予以公示。对推荐对象中年度总评或点评为“差”、"
    "有逾期未兑现承诺的，附推荐单位的书面说明。公示期内如有异议，请通过意见箱反映。"
)


def _notice_reviewer(root: Organization):
    """A second office login for the county: a 评选表彰公示 is approved by someone other than
    the office member who composed it."""
    User = get_user_model()
    user = User.objects.filter(username="office_notice").first()
    if (
        user is not None
        and not Position.objects.filter(
            user=user, organization=root, kind=Position.Kind.OFFICE
        ).exists()
    ):
        return None  # someone else's login of that name: never hand it the office's rights
    if user is None:
        user = User.objects.create(
            username="office_notice",
            first_name=_("县委组织部审核员"),
            password=make_password(PASSWORD),
            email="office_notice@example.gov.cn",
        )
    Position.objects.get_or_create(user=user, organization=root, kind=Position.Kind.OFFICE)
    return user


def _seed_selection(root: Organization, office, today: datetime.date) -> int:
    """The county's shortlisted 七一 round: its 公示 approved, the window moved into the past
    (as only the demo may), and the decision: the 表彰名单 is public. Idempotent."""
    selection = SelectionRound.objects.filter(
        organization=root, status=SelectionRound.Status.SHORTLISTED
    ).first()
    if selection is None:
        return 0
    reviewer = _notice_reviewer(root)
    if reviewer is None:
        return 0
    year = selection.year
    sources = [c.source for c in compose.candidates(root, Notice.Kind.SELECTION, year)]
    title = _("%(title)s拟表彰对象公示") % {"title": selection.title}
    notice = notice_services.notice_create(
        by=office,
        organization=root,
        kind=Notice.Kind.SELECTION,
        year=year,
        content=_content(title, SELECTION_INTRO, sources, today),
    )
    notice_services.notice_submit(notice=notice, by=office)
    notice_services.notice_approve(notice=notice, by=reviewer)
    starts, ends = today - datetime.timedelta(days=12), today - datetime.timedelta(days=6)
    Notice.objects.filter(pk=notice.pk).update(starts_on=starts, ends_on=ends)
    SelectionRound.objects.filter(pk=selection.pk).update(
        publicity_starts_on=starts, publicity_ends_on=ends
    )
    selection.refresh_from_db()
    shortlisted = selection.nominations.filter(status=Nomination.Status.SHORTLISTED)
    selection_services.selection_round_decide(
        by=office,
        selection=selection,
        awarded_ids=list(shortlisted.values_list("pk", flat=True)),
        version=selection.edit_version,
    )
    return 1


def seed(*, scale: str, stdout) -> None:
    if scale != "county":
        stdout.write(_("公示演示数据只为示范县生成"))
        return
    root = Organization.objects.get_root_nodes().filter(name=COUNTY_NAME).first()
    if root is None:
        return
    office = _office(root)
    if office is None:
        return
    today = timezone.localdate()
    with transaction.atomic():
        if _seed_selection(root, office, today):
            stdout.write(_("评选表彰公示 1 份，表彰名单已公布"))
    if (
        Notice.objects.filter(organization__path__startswith=root.path)
        .exclude(kind=Notice.Kind.SELECTION)
        .exists()
    ):
        stdout.write(_("公示演示数据已存在，未重复生成"))
        return
    with transaction.atomic():
        # The 评选表彰公示 has its own story (_seed_selection): a short list, not a kind's
        # every candidate.
        notices = sum(_seed_kind(root, office, kind, today) for kind in INTROS)
        opinions = _seed_opinions(root, office)
    stdout.write(_("公示 %(n)d 份，群众意见 %(o)d 条") % {"n": notices, "o": opinions})


def reset(*, stdout) -> None:
    """`seed_demo --reset`: remove what points at the demo organizations (opinions first: they
    point at notices and rectification items)."""
    roots = Organization.objects.get_root_nodes().filter(name__in=DEMO_ROOTS)
    for root in roots:
        Opinion.objects.filter(organization__path__startswith=root.path).delete()
        notices = Notice.objects.filter(organization__path__startswith=root.path)
        # Newer versions first: each points at the version it corrects.
        for notice in notices.order_by("-correction_number"):
            notice.delete()
