"""Phone and ID-card numbers typed into any text that can become public, in every way people
write them, never show in anything the site serves publicly: every page an anonymous visitor
can reach (found by walking the URL conf, as tests/publicity/test_anonymous_walk.py does), the
feed, the JSON, the QR codes, the posters, the printed letter and card, and the evaluator's form.
"""

import datetime
import html
import itertools
import re
import unicodedata

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from pledges.models import Member, Organization, Pledge, ProgressRecord
from publicity import text as public_text
from publicity.models import Notice, Opinion
from publicity.services import notice as notice_services
from publicity.services import opinion as opinion_services
from publicity.text import is_public_path
from reviews.models import AnnualAssessment, EvaluationCode, MassEvaluation, RectificationItem
from reviews.services import assessment as assessments
from reviews.services import mass_evaluation as mass_services
from reviews.services import selection as selection_services
from tests.factories import (
    branch_pledge,
    compose_notice,
    end_publicity,
    make_ended_evaluation,
    make_public_review,
    make_review_item,
    nominate,
    notice_content,
    open_selection,
    publicise_selection,
    publish_notice,
    today,
)

S = Pledge.Status

# Every way of writing the numbers: plain, with spaces, hyphens, dots, full-width digits and
# spaces, brackets, +86, the ID's X in full width.
NUMBERS = [
    "13812345678",
    "139 8765 4321",
    "137-1111-2222",
    "136.2222.3333",
    "１３５\u3000３３３３\u3000４４４４",
    "+86 134 5555 6666",
    "010-62345678",
    "(0571) 8888 6666",
    "（０２１）６６６６－７７７７",
    "110105198001010021",
    "110105 19800101 002X",
    "１１０１０５－１９８００１０１－００３Ｘ",
    "4401 0619 9001 0100 4x",
    "110105800101005",
]
ALL = " ".join(NUMBERS)
_NUMBER_FORMS = itertools.cycle(NUMBERS)

# What a number looks like once the formatting is gone.
_NOT_DIGIT = re.compile(r"[^0-9X]")


def _core(number: str) -> str:
    digits = _NOT_DIGIT.sub("", unicodedata.normalize("NFKC", number).upper())
    return digits[2:] if number.startswith("+86") else digits


CORES = [_core(n) for n in NUMBERS]

# Answers that carry no published text: the login page, the language switch, the probe.
NOT_DATA = ("/login/", "/admin/login/", "/static/", "/healthz", "/i18n/")


def _visible(body: str) -> str:
    """The characters a reader sees (entities decoded twice: the feed holds escaped HTML),
    compatibility forms folded, and every separator between digits removed."""
    text = unicodedata.normalize("NFKC", html.unescape(html.unescape(body))).upper()
    return re.sub(r"(?<=[0-9])[\s().+\-]+(?=[0-9X(])", "", text.replace("(", " ("))


def _leaks(body: str) -> list[str]:
    seen = _visible(body)
    return [core for core in CORES if core in seen]


def _planted(tag: str, long: bool = False) -> str:
    return f"{tag}：{ALL if long else next(_NUMBER_FORMS)}。"


# Each tag names one text that can become public; the test checks it was shown somewhere (so
# the check is not vacuous) and that its numbers were not.
def _short(tag):
    return _planted(tag)


def _long(tag):
    return _planted(tag, long=True)


@pytest.fixture
def planted(world):
    w = world
    User = get_user_model()
    Organization.objects.filter(pk=w.branch.pk).update(name=_short("甲支部"))
    w.branch.refresh_from_db()
    Member.objects.filter(pk=w.member.pk).update(name=_short("乙党员"))
    w.member.refresh_from_db()
    User.objects.filter(pk=w.leader.pk).update(first_name=_short("丙点评人"))
    w.leader.refresh_from_db()
    long_fields = {
        "measures": _long("丁措施"),
        "expected_result": _long("戊效果"),
    }
    w.published = branch_pledge(w, S.PUBLISHED, _short("己承诺"), member=w.member, **long_fields)
    w.running = branch_pledge(w, S.IN_PROGRESS, _short("庚承诺"), **long_fields)
    w.closed = branch_pledge(w, S.CLOSED, _short("辛承诺"), **long_fields)
    Pledge.objects.filter(pk=w.closed.pk).update(close_result=_long("壬兑现"))
    w.unfulfilled = branch_pledge(w, S.UNFULFILLED, _short("癸承诺"))
    Pledge.objects.filter(pk=w.unfulfilled.pk).update(close_result=_long("子未兑现"))
    ProgressRecord.objects.create(
        pledge=w.running, date=today(), text=_long("丑记实"), author=w.secretary
    )
    review = make_public_review(
        w.branch,
        reviewer=w.leader,
        achievements=_long("寅成绩"),
        problems=_long("卯问题"),
        direction=_long("辰方向"),
    )
    item = make_review_item(review, problem=_long("巳整改问题"))
    RectificationItem.objects.filter(pk=item.pk).update(
        measures=_long("午整改措施"),
        responsible=_short("未责任人"),
        measures_taken=_long("申落实"),
        reply=_long("酉回复"),
    )
    make_ended_evaluation(w.branch, by=w.secretary, opinion=_long("戌评议意见"), members=[w.member])
    assessments.assessment_record(
        by=w.office, year=today().year, organization=w.branch, grade=AnnualAssessment.Grade.GOOD
    )
    # An evaluation still open, for the evaluator's form (the QR landing).
    open_evaluation = MassEvaluation.objects.create(
        organization=w.branch,
        year=today().year,
        half=1 if today().month > 6 else 2,
        ends_on=today() + datetime.timedelta(days=10),
        created_by=w.secretary,
    )
    open_evaluation.members.set([w.member])
    mass_services.mass_evaluation_codes_issue(by=w.secretary, evaluation=open_evaluation, count=1)
    w.code = EvaluationCode.objects.filter(evaluation=open_evaluation).first().code

    month = today().month
    w.notices = []
    # The 评选表彰公示 is composed from a round's short list: below.
    # In the kinds' declared order: a set's order follows the hash seed, and with it which
    # notice is corrected and which withdrawn below (a withdrawn kind's texts publish nowhere).
    for kind in [k for k in Notice.Kind.values if k != Notice.Kind.SELECTION]:
        notice = compose_notice(
            w,
            kind=kind,
            month=month if kind == Notice.Kind.PROGRESS else None,
            title=_short(f"亥公示标题{kind}"),
            intro=_long(f"公示说明{kind}"),
        )
        w.notices.append(publish_notice(w, notice))
    corrected = notice_services.notice_correct(
        notice=w.notices[0],
        by=w.secretary,
        note=_long("更正说明"),
        content=notice_content(
            [i.source for i in w.notices[0].items.all()],
            title=_short("更正标题"),
            intro=_long("更正公示说明"),
        ),
    )
    w.notices.append(publish_notice(w, corrected))
    notice_services.notice_withdraw(notice=w.notices[5], by=w.office, reason=_short("撤回原因"))
    # A decided 组织评选 of the town: its 公示 shows the reasons, the 表彰名单 the names.
    assessments.assessment_record(
        by=w.office,
        year=today().year,
        organization=w.branch,
        member=w.member,
        grade=AnnualAssessment.Grade.POOR,
    )
    selection = open_selection(w)
    nomination = nominate(
        selection,
        w.branch,
        w.member,
        w.secretary,
        reason=_long("评选推荐事迹"),
        caution_reason=_long("评选说明内容"),
    )
    publicise_selection(w, selection)
    end_publicity(selection)
    selection_services.selection_round_decide(
        by=w.office,
        selection=selection,
        awarded_ids=[nomination.pk],
        version=selection.edit_version,
    )

    w.opinions = []
    for n, target in enumerate((None, w.notices[2], w.published)):
        opinion = opinion_services.opinion_submit(
            organization=w.branch,
            content=opinion_services.OpinionContent(
                text=_long(f"意见内容{n}"), name=_short(f"称呼{n}"), contact=_short("联系方式")
            ),
            address=f"10.0.0.{n}",
            notice=target if isinstance(target, Notice) else None,
            pledge=target if isinstance(target, Pledge) else None,
        )
        opinion_services.opinion_publish(
            opinion=opinion, by=w.secretary, reply=_long(f"公开答复{n}"), version=1
        )
        w.opinions.append(opinion)
    opinion_services.opinion_to_rectification(
        opinion=w.opinions[0],
        by=w.secretary,
        content=opinion_services.RectificationContent(
            problem=_long("意见整改问题"),
            target=_long("意见整改目标"),
            measures=_long("意见整改措施"),
            responsible=_short("意见责任人"),
            deadline=today() + datetime.timedelta(days=30),
        ),
    )
    RectificationItem.objects.filter(opinion=w.opinions[0]).update(
        measures_taken=_long("意见整改落实")
    )
    return w


# The texts that must reach some public output (the rest are never public: the contact, the
# evaluator's opinion, the item's reply to the reviewer).
SHOWN = [
    "甲支部",
    "乙党员",
    "丙点评人",
    "丁措施",
    "戊效果",
    "己承诺",
    "庚承诺",
    "辛承诺",
    "壬兑现",
    "子未兑现",
    "丑记实",
    "寅成绩",
    "卯问题",
    "辰方向",
    "巳整改问题",
    "午整改措施",
    "未责任人",
    "申落实",
    "亥公示标题",
    "公示说明",
    "更正说明",
    "更正标题",
    "撤回原因",
    "意见内容0",
    "意见内容1",
    "意见内容2",
    "称呼0",
    "公开答复0",
    "公开答复2",
    "意见整改措施",
    "意见责任人",
    "意见整改落实",
    "评选推荐事迹",
    "评选说明内容",
]


def _routes(patterns, prefix=""):
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, route)
        elif isinstance(p, URLPattern):
            yield route.lstrip("^").rstrip("$").replace("\\Z", "")


_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _urls(route: str, orgs: list[int], objects: list[int], code: str) -> set[str]:
    """Every address of the route for these organizations and objects."""
    slots = _CONVERTER.findall(route)
    choices = []
    for converter, name in slots:
        if converter == "int":
            choices.append(orgs if name == "org_pk" else objects)
        else:
            choices.append([code if converter in ("", "str") else "x"])
    urls = set()
    for values in itertools.product(*choices):
        it = iter(values)
        urls.add("/" + _CONVERTER.sub(lambda _m, it=it: str(next(it)), route))
    return urls


def _body(response) -> str:
    return response.content.decode(response.charset or "utf-8", "replace")


def test_it_never_shows_a_planted_number_on_any_public_output(client, planted):
    w = planted
    orgs = [w.branch.pk, w.town.pk, w.county.pk]
    objects = sorted(
        {*orgs}
        | {n.pk for n in Notice.objects.all()}
        | set(Pledge.objects.values_list("pk", flat=True))
        | set(Opinion.objects.values_list("pk", flat=True))
        | set(Member.objects.values_list("pk", flat=True))
    )
    bodies: dict[str, str] = {}
    for route in _routes(get_resolver().url_patterns):
        public = is_public_path("/" + route)
        # Elsewhere one address per route is enough to learn that it is closed to a visitor.
        urls = (
            _urls(route, orgs, objects, w.code)
            if public
            else _urls(route, orgs[:1], objects[:1], w.code)
        )
        for url in sorted(urls):
            response = client.get(url)
            if response.status_code != 200 or url.startswith(NOT_DATA):
                continue
            # A page open to anyone outside the redacted addresses would escape the step.
            assert is_public_path(url), url
            bodies[url] = _body(response)
    # The printed letter and card are for the notice board: the secretary prints them.
    client.force_login(w.secretary)
    for url in (
        f"/public/print/org/{w.branch.pk}/letter/",
        f"/public/print/member/{w.member.pk}/card/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        bodies[url] = _body(response)
    # A refused opinion shows the form again, with the notice it is about.
    client.logout()
    response = client.post(
        f"/public/org/{w.branch.pk}/opinions/submit/", {"text": "", "notice": w.notices[2].pk}
    )
    bodies["refused opinion"] = _body(response)

    kinds = {
        "feed": f"/public/org/{w.branch.pk}/feed.atom",
        "json": f"/public/org/{w.branch.pk}/notices.json",
        "qr": f"/public/org/{w.branch.pk}/qr.svg",
        "poster": f"/public/org/{w.branch.pk}/n/{w.notices[0].pk}/poster/",
        "evaluator's form": f"/reviews/e/{w.code}/",
    }
    for label, url in kinds.items():
        assert url in bodies, label
    leaks = {url: found for url, body in bodies.items() if (found := _leaks(body))}
    assert not leaks
    everything = "\n".join(bodies.values())
    missing = [tag for tag in SHOWN if tag not in everything]
    assert not missing  # each planted text was published somewhere, so the check has teeth
    assert "〔号码已隐去〕" in bodies[kinds["json"]] and "〔号码已隐去〕" in bodies[kinds["feed"]]


def test_it_serves_a_scrubbed_page_from_the_cache_too(
    client, planted, django_assert_num_queries, monkeypatch
):
    url = f"/public/org/{planted.branch.pk}/"
    first = client.get(url)
    scans = []
    monkeypatch.setattr(public_text, "redact_document", lambda *a: scans.append(a) or a[0])
    with django_assert_num_queries(0):  # a hit: stored scrubbed, served as stored
        second = client.get(url)
    assert scans == []
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert "〔号码已隐去〕" in _body(second) and not _leaks(_body(second))


def test_it_leaves_the_working_pages_as_typed(client, planted):
    """The secretary moderating an opinion sees the contact given for a private answer."""
    client.force_login(planted.secretary)
    body = _body(client.get(f"/public/manage/opinion/{planted.opinions[0].pk}/"))
    assert "联系方式" in body and _leaks(body)


def test_it_keeps_the_date_and_figures_of_a_page(client, planted):
    body = _body(client.get(f"/public/org/{planted.branch.pk}/n/{planted.notices[0].pk}/"))
    assert timezone.localdate().strftime("%Y-%m-%d") in body
