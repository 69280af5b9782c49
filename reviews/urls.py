"""Addresses of reviews/, grouped by sub-area; each move has its own POST-only address."""

from django.urls import path

from .views import (
    assessment,
    dashboard,
    filing,
    letter,
    mass_evaluation,
    rectification,
    review,
    self_evaluation,
)

app_name = "reviews"
urlpatterns = [
    # self-evaluation (自查自评)
    path("reports/", self_evaluation.my_self_evaluations, name="my_self_evaluations"),
    path("reports/write/", self_evaluation.self_evaluation_write, name="self_evaluation_write"),
    path(
        "reports/<int:pk>/", self_evaluation.self_evaluation_detail, name="self_evaluation_detail"
    ),
    # leader reviews (领导点评)
    path("my/", review.my_reviews, name="my_reviews"),
    path("office/", review.office_home, name="office_home"),
    path("office/<int:pk>/", review.office, name="office"),
    path("new/", review.review_new, name="review_new"),
    path("<int:pk>/", review.review_detail, name="review"),
    path("<int:pk>/edit/", review.review_edit, name="review_edit"),
    path("<int:pk>/amend/", review.review_amend, name="review_amend"),
    path("<int:pk>/sign/", review.review_sign, name="review_sign"),
    path("<int:pk>/delete/", review.review_delete, name="review_delete"),
    path("<int:pk>/redo/", review.review_redo, name="review_redo"),
    path("<int:pk>/publish/", review.review_publish, name="review_publish"),
    path("<int:pk>/return/", review.review_return, name="review_return"),
    # rectification (整改)
    path("rectification/", rectification.rectification, name="rectification"),
    path(
        "rectification/<int:pk>/",
        rectification.rectification_item_detail,
        name="rectification_item_detail",
    ),
    path(
        "rectification/<int:pk>/done/",
        rectification.rectification_item_done,
        name="rectification_item_done",
    ),
    path(
        "rectification/<int:pk>/reply/",
        rectification.rectification_item_reply,
        name="rectification_item_reply",
    ),
    path(
        "rectification/<int:pk>/confirm/",
        rectification.rectification_item_confirm,
        name="rectification_item_confirm",
    ),
    path(
        "rectification/<int:pk>/reopen/",
        rectification.rectification_item_reopen,
        name="rectification_item_reopen",
    ),
    path(
        "rectification/evidence/<int:pk>/",
        rectification.rectification_item_evidence,
        name="rectification_item_evidence",
    ),
    # suggestion letters (建议书)
    path("letters/", letter.letters, name="letters"),
    path("letters/new/<int:member_pk>/", letter.letter_new, name="letter_new"),
    path("letters/<int:pk>/", letter.letter_detail, name="letter"),
    path("letters/<int:pk>/reply/", letter.letter_reply, name="letter_reply"),
    path("letters/<int:pk>/close/", letter.letter_close, name="letter_close"),
    # mass evaluation (群众评议)
    path("evaluations/", mass_evaluation.mass_evaluation_list, name="mass_evaluation_list"),
    path(
        "evaluations/new/<int:org_pk>/",
        mass_evaluation.mass_evaluation_open,
        name="mass_evaluation_open",
    ),
    path(
        "evaluations/<int:pk>/",
        mass_evaluation.mass_evaluation_detail,
        name="mass_evaluation_detail",
    ),
    path(
        "evaluations/<int:pk>/codes/",
        mass_evaluation.mass_evaluation_codes_issue,
        name="mass_evaluation_codes_issue",
    ),
    path(
        "evaluations/<int:pk>/close/",
        mass_evaluation.mass_evaluation_close,
        name="mass_evaluation_close",
    ),
    path(
        "evaluations/<int:pk>/slips/",
        mass_evaluation.mass_evaluation_slips,
        name="mass_evaluation_slips",
    ),
    path(
        "evaluations/<int:pk>/results.xlsx",
        mass_evaluation.mass_evaluation_export,
        name="mass_evaluation_export",
    ),
    path(
        "evaluations/<int:pk>/links.txt",
        mass_evaluation.mass_evaluation_links,
        name="mass_evaluation_links",
    ),
    path("e/", mass_evaluation.mass_evaluation_entry, name="mass_evaluation_entry"),
    path("e/done/", mass_evaluation.mass_evaluation_done, name="mass_evaluation_done"),
    path("e/<str:code>/", mass_evaluation.mass_evaluation_form, name="mass_evaluation_form"),
    # annual assessment (年度总评)
    path("assessment/", assessment.assessment_home, name="assessment_home"),
    path("assessment/<int:org_pk>/", assessment.assessment_year, name="assessment"),
    # filing with the committee (备案)
    path("filing/", filing.filing_home, name="filing_home"),
    path("filing/status/<int:org_pk>/", filing.filing_status, name="filing_status"),
    path("filing/<int:org_pk>/", filing.filing_branch, name="filing"),
    path("filing/<int:pk>/submit/", filing.filing_submit, name="filing_submit"),
    path("filings/<int:pk>/rebuild/", filing.filing_rebuild, name="filing_rebuild"),
    path("filings/<int:pk>/receive/", filing.filing_receive, name="filing_receive"),
    path("filings/<int:pk>/return/", filing.filing_return, name="filing_return"),
    path("filings/<int:pk>/package.zip", filing.filing_package, name="filing_package"),
    # coverage dashboard (全覆盖)
    path("dashboard/", dashboard.dashboard_home, name="dashboard_home"),
    path("dashboard/<int:org_pk>/", dashboard.dashboard_view, name="dashboard"),
]
