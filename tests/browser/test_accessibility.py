"""WCAG 2.1 A and AA, checked by axe-core on a 360 px phone: the public pages, the mass-evaluation
pages, the opinion form, 我的承诺, the entry form and the monthly round, each with 0 violations.

axe is injected by the test only, never served by the application: `page.evaluate` runs its
source through the DevTools protocol, which the page's strict CSP (script-src 'self', no inline
script) does not govern, so the audited page keeps the very CSP it has in production (no
`bypass_csp`)."""

from pathlib import Path

import pytest
from django.urls import reverse

from pledges.models import Pledge, ProgressRecord
from publicity.services import opinion as opinion_services
from reviews.models import AnnualAssessment, MassEvaluation
from reviews.services import assessment as assessment_services
from reviews.services import selection as selection_services
from tests.browser.pages import login
from tests.factories import (
    MemberFactory,
    branch_pledge,
    codes_of,
    compose_notice,
    end_publicity,
    make_ended_evaluation,
    make_public_review,
    make_review_item,
    nominate,
    open_evaluation,
    open_selection,
    publicise_selection,
    publish_notice,
    today,
)

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
S = Pledge.Status
NOTICE_KINDS = ("pledges", "progress", "closures", "reviews", "evaluations", "assessments")


@pytest.fixture
def book(world):
    """`world` with something of every kind in the branch, so every badge, table and list of
    the audited pages is drawn: pledges in each public state, a record, a public review with a
    rectification item, an ended and an open mass evaluation, a grade, notices of every kind
    and a published opinion."""
    w = world
    w.wang = MemberFactory(name="王五", organization=w.branch)
    w.published = branch_pledge(w, S.PUBLISHED, "修缮社区活动室", member=w.member)
    w.running = branch_pledge(w, S.IN_PROGRESS, "帮扶困难群众", member=w.member)
    w.closed = branch_pledge(w, S.CLOSED, "清理小区垃圾")
    w.unfulfilled = branch_pledge(w, S.UNFULFILLED, "开办夜校")
    # 我的承诺 draws a badge for each state.
    w.draft = branch_pledge(w, S.DRAFT, "建设文化长廊", member=w.member)
    branch_pledge(w, S.SUBMITTED, "结对帮扶两户", member=w.member)
    branch_pledge(w, S.RETURNED, "义务理发", member=w.member, return_reason="不具体")
    branch_pledge(w, S.APPROVED, "清扫楼道", member=w.member)
    branch_pledge(w, S.CLOSED, "调解邻里纠纷", member=w.member)
    branch_pledge(w, S.UNFULFILLED, "开设书屋", member=w.member)
    w.record = ProgressRecord.objects.create(
        pledge=w.running, date=today(), text="走访困难户 5 户", author=w.secretary
    )
    review = make_public_review(w.branch, reviewer=w.leader)
    make_review_item(review, problem="记实不及时")
    # The other half's, ended: this half's is the open one below.
    ended = make_ended_evaluation(w.branch, by=w.secretary, members=[w.member])
    MassEvaluation.objects.filter(pk=ended.pk).update(half=3 - ended.half)
    assessment_services.assessment_record(
        by=w.office, year=today().year, organization=w.branch, grade=AnnualAssessment.Grade.GOOD
    )
    w.notices = [
        publish_notice(
            w,
            compose_notice(w, kind=kind, month=w.record.date.month if kind == "progress" else None),
        )
        for kind in NOTICE_KINDS
    ]
    w.opinion = opinion_services.opinion_submit(
        organization=w.branch,
        content=opinion_services.OpinionContent(text="建议增加路灯"),
        address="10.0.0.1",
        notice=w.notices[0],
    )
    opinion_services.opinion_publish(
        opinion=w.opinion, by=w.secretary, reply="已列入计划", version=w.opinion.edit_version
    )
    w.evaluation = open_evaluation(w, members=[w.member, w.wang], codes=2)
    w.codes = codes_of(w.evaluation)
    # A decided 组织评选 of the town: its 评选表彰公示 and the 表彰名单.
    selection = open_selection(w)
    n = nominate(selection, w.branch, w.member, w.secretary, caution_reason="逾期一项已补办")
    w.selection_notice = publicise_selection(w, selection)
    end_publicity(selection)
    selection_services.selection_round_decide(
        by=w.office, selection=selection, awarded_ids=[n.pk], version=selection.edit_version
    )
    return w


# Each page: who is logged in (None: a passer-by) and how the phone gets there.


def _opinion_refused(page, w):
    # The server's refusal, not the browser's: the empty text gets past `required`.
    page.goto(page.base_url + w.notices[0].public_url())
    page.eval_on_selector("[data-testid=opinion-form]", "f => { f.noValidate = true; }")
    page.click("[data-testid=opinion-form] button[type=submit]")


def _opinion_sent(page, w):
    page.goto(page.base_url + w.notices[0].public_url())
    page.fill("#op-text", "活动室开放时间能否延长到晚上八点？")
    page.click("[data-testid=opinion-form] button[type=submit]")
    page.wait_for_selector("[data-testid=opinion-sent]")


def _evaluation_unrated(page, w):
    page.goto(page.base_url + reverse("reviews:mass_evaluation_form", args=[w.codes[0]]))
    page.click("label:has(input[name=rating][value=satisfied])")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=unrated-summary]")


def _evaluation_refused(page, w):
    # A used slip.
    _evaluation_done(page, w)
    page.goto(page.base_url + reverse("reviews:mass_evaluation_form", args=[w.codes[0]]))
    page.wait_for_selector("[data-testid=refused]")


def _evaluation_done(page, w):
    page.goto(page.base_url + reverse("reviews:mass_evaluation_form", args=[w.codes[0]]))
    page.click("label:has(input[name=rating][value=satisfied])")
    page.click(f"label:has(input[name=m{w.member.pk}][value=basic])")
    page.click(f"label:has(input[name=m{w.wang.pk}][value=satisfied])")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=evaluation-done]")


def _entry_refused(page, w):
    # A title without measures or deadline: each box says what it lacks.
    page.goto(page.base_url + reverse("pledges:entry", args=[w.branch.pk]))
    page.locator("input[name$='-title'][value='']").first.fill("整治背街小巷")
    page.click("button[name=submit]")
    page.wait_for_selector("td .text-danger")


def _go(url_of):
    def go(page, w):
        page.goto(page.base_url + url_of(w))

    return go


def _menu_open(url_of):
    # The folded menu is drawn only once opened: its links are audited opened.
    def go(page, w):
        page.goto(page.base_url + url_of(w))
        page.click(".navbar-toggler")
        page.wait_for_selector("#mainnav.show")

    return go


PAGES = {
    "public-index": (None, _go(lambda w: reverse("publicity:index"))),
    "public-search": (None, _go(lambda w: reverse("publicity:index") + "?q=东街")),
    "public-committee": (None, _go(lambda w: reverse("publicity:organization", args=[w.town.pk]))),
    "public-branch": (None, _go(lambda w: reverse("publicity:organization", args=[w.branch.pk]))),
    **{
        f"public-notice-{kind}": (None, _go(lambda w, i=i: w.notices[i].public_url()))
        for i, kind in enumerate(NOTICE_KINDS)
    },
    "public-notice-selection": (None, _go(lambda w: w.selection_notice.public_url())),
    "public-honours": (None, _go(lambda w: reverse("publicity:honours", args=[w.town.pk]))),
    "public-pledge": (
        None,
        _go(lambda w: reverse("publicity:pledge", args=[w.branch.pk, w.running.pk])),
    ),
    "public-pledge-closed": (
        None,
        _go(lambda w: reverse("publicity:pledge", args=[w.branch.pk, w.closed.pk])),
    ),
    "public-org-poster": (
        None,
        _go(lambda w: reverse("publicity:print_org_poster", args=[w.branch.pk])),
    ),
    "public-notice-poster": (
        None,
        _go(
            lambda w: reverse("publicity:print_notice_poster", args=[w.branch.pk, w.notices[0].pk])
        ),
    ),
    "public-opinion": (
        None,
        _go(lambda w: reverse("publicity:opinion", args=[w.branch.pk, w.opinion.pk])),
    ),
    "public-opinion-refused": (None, _opinion_refused),
    "public-opinion-sent": (None, _opinion_sent),
    "evaluation-code-entry": (None, _go(lambda w: reverse("reviews:mass_evaluation_entry"))),
    "evaluation-code-wrong": (
        None,
        _go(lambda w: reverse("reviews:mass_evaluation_entry") + "?code="),
    ),
    "evaluation-form": (
        None,
        _go(lambda w: reverse("reviews:mass_evaluation_form", args=[w.codes[0]])),
    ),
    "evaluation-form-unrated": (None, _evaluation_unrated),
    "evaluation-done": (None, _evaluation_done),
    "evaluation-refused": (None, _evaluation_refused),
    "my-pledges": ("member", _go(lambda w: reverse("pledges:my_pledges"))),
    "my-pledges-menu": ("member", _menu_open(lambda w: reverse("pledges:my_pledges"))),
    "pledge-entry": ("secretary", _go(lambda w: reverse("pledges:entry", args=[w.branch.pk]))),
    "pledge-entry-refused": ("secretary", _entry_refused),
    "monthly-round": ("secretary", _go(lambda w: reverse("pledges:round", args=[w.branch.pk]))),
    "monthly-rating": (
        "secretary",
        _go(lambda w: reverse("reviews:monthly_rating", args=[w.branch.pk])),
    ),
    "duty-report": ("secretary", _go(lambda w: reverse("reviews:duty_report", args=[w.branch.pk]))),
}


def _audit(page) -> list[dict]:
    if not page.evaluate("() => Boolean(window.axe)"):
        page.evaluate(AXE)
    return page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})
             .then(r => r.violations.map(v => ({
               id: v.id, impact: v.impact, help: v.help,
               targets: v.nodes.map(n => n.target.join(' ') + '  ' + n.failureSummary),
             })))""",
        WCAG_21_AA,
    )


def _report(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        lines += [f"    {t}" for t in v["targets"][:8]]
        if len(v["targets"]) > 8:
            lines.append(f"    … and {len(v['targets']) - 8} more")
    return "\n".join(lines)


@pytest.mark.parametrize("name", PAGES)
def test_it_has_no_wcag_21_aa_violation_on_a_phone(narrow_phone, book, name):
    page = narrow_phone
    who, go = PAGES[name]
    if who:
        login(page, who)
    go(page, book)
    page.wait_for_load_state()
    violations = _audit(page)
    assert not violations, f"{name} ({page.url}):\n{_report(violations)}"
