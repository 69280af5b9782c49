"""Addresses of reviews/, grouped by sub-area; each move has its own POST-only address."""

from django.urls import path

from .views import (
    assessment,
    dashboard,
    duty_report,
    filing,
    inspection,
    letter,
    mass_evaluation,
    monthly_rating,
    rectification,
    review,
    selection,
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
    # filing with the committee (备案)
    path("filing/", filing.filing_home, name="filing_home"),
    path("filing/status/<int:org_pk>/", filing.filing_status, name="filing_status"),
    path("filing/<int:org_pk>/", filing.filing_branch, name="filing"),
    path("filing/<int:pk>/submit/", filing.filing_submit, name="filing_submit"),
    path("filings/<int:pk>/rebuild/", filing.filing_rebuild, name="filing_rebuild"),
    path("filings/<int:pk>/receive/", filing.filing_receive, name="filing_receive"),
    path("filings/<int:pk>/return/", filing.filing_return, name="filing_return"),
    path("filings/<int:pk>/package.zip", filing.filing_package, name="filing_package"),
    path("e/<str:code>/", mass_evaluation.mass_evaluation_form, name="mass_evaluation_form"),
    # monthly comparison of members (每月评比)
    path("monthly-rating/", monthly_rating.monthly_rating_home, name="monthly_rating_home"),
    path("monthly-rating/<int:org_pk>/", monthly_rating.monthly_rating, name="monthly_rating"),
    path(
        "monthly-rating/<int:org_pk>/criteria/",
        monthly_rating.monthly_rating_criteria,
        name="monthly_rating_criteria",
    ),
    path(
        "monthly-rating/sheet/<int:pk>/publish/",
        monthly_rating.monthly_rating_publish,
        name="monthly_rating_publish",
    ),
    # duty reports (述职)
    path("duty-report/", duty_report.duty_report_home, name="duty_report_home"),
    path("duty-report/<int:org_pk>/", duty_report.duty_report, name="duty_report"),
    path("duty-report/<int:org_pk>/save/", duty_report.duty_report_save, name="duty_report_save"),
    path("duty-report/<int:pk>/submit/", duty_report.duty_report_submit, name="duty_report_submit"),
    path("duty-report/<int:pk>/tally/", duty_report.duty_report_tally, name="duty_report_tally"),
    path(
        "duty-report/<int:pk>/codes/",
        duty_report.duty_report_codes_issue,
        name="duty_report_codes_issue",
    ),
    path("duty-report/<int:pk>/slips/", duty_report.duty_report_slips, name="duty_report_slips"),
    # Under e/ with the mass evaluation's: anonymous pages, scrubbed like every public one.
    path("e/duty/done/", duty_report.duty_report_vote_done, name="duty_report_vote_done"),
    path("e/duty/<str:code>/", duty_report.duty_report_vote, name="duty_report_vote"),
    # annual assessment (年度总评)
    path("assessment/", assessment.assessment_home, name="assessment_home"),
    path("assessment/<int:org_pk>/", assessment.assessment_year, name="assessment"),
    # inspections (半年一检查, 整改通知书, 复验)
    path("inspections/", inspection.inspections, name="inspections"),
    path("inspections/new/<int:org_pk>/", inspection.inspection_new, name="inspection_new"),
    path("inspections/<int:pk>/", inspection.inspection_detail, name="inspection"),
    path("inspections/<int:pk>/close/", inspection.inspection_close, name="inspection_close"),
    path(
        "inspections/<int:pk>/checklist/",
        inspection.inspection_checklist,
        name="inspection_checklist",
    ),
    path(
        "inspections/targets/<int:pk>/check/",
        inspection.inspection_target_check,
        name="inspection_target_check",
    ),
    path(
        "inspections/targets/<int:target_pk>/notice/",
        inspection.inspection_notice_new,
        name="inspection_notice_new",
    ),
    path("inspections/notices/<int:pk>/", inspection.inspection_notice, name="inspection_notice"),
    path(
        "inspections/notices/<int:pk>/answer/",
        inspection.inspection_notice_answer,
        name="inspection_notice_answer",
    ),
    path(
        "inspections/notices/<int:pk>/pass/",
        inspection.inspection_notice_pass,
        name="inspection_notice_pass",
    ),
    path(
        "inspections/notices/<int:pk>/return/",
        inspection.inspection_notice_return,
        name="inspection_notice_return",
    ),
    path(
        "inspections/evidence/<int:pk>/",
        inspection.inspection_evidence,
        name="inspection_evidence",
    ),
    # selection (组织评选)
    path("selection/", selection.selection_list, name="selection_list"),
    path("selection/new/<int:org_pk>/", selection.selection_open, name="selection_open"),
    path("selection/<int:pk>/", selection.selection_round, name="selection_round"),
    path(
        "selection/<int:pk>/nominate/<int:unit_pk>/",
        selection.nomination_new,
        name="nomination_new",
    ),
    path(
        "selection/nomination/<int:pk>/withdraw/",
        selection.nomination_withdraw,
        name="nomination_withdraw",
    ),
    path(
        "selection/<int:pk>/shortlist/",
        selection.selection_round_shortlist,
        name="selection_round_shortlist",
    ),
    path(
        "selection/<int:pk>/decide/",
        selection.selection_round_decide,
        name="selection_round_decide",
    ),
    # coverage dashboard (全覆盖)
    path("dashboard/", dashboard.dashboard_home, name="dashboard_home"),
    path("dashboard/<int:org_pk>/", dashboard.dashboard_view, name="dashboard"),
]
