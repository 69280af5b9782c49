from django.urls import path

from .views import calendar, entry, home, monthly_round, pledge, pledge_import, progress, roster

app_name = "pledges"
urlpatterns = [
    path("", home.home, name="home"),
    path("me/", home.my_pledges, name="my_pledges"),
    path("org/<int:pk>/", home.organization, name="organization"),
    path("org/<int:pk>/entry/", entry.entry, name="entry"),
    path("org/<int:pk>/entry/<int:member_pk>/", entry.entry, name="member_entry"),
    path("org/<int:pk>/bulk/", entry.bulk, name="bulk"),
    path("org/<int:pk>/round/", monthly_round.round_page, name="round"),
    path("org/<int:pk>/round/record/", monthly_round.round_record, name="round_record"),
    path("org/<int:pk>/roster/", roster.roster_import, name="roster_import"),
    path("org/<int:pk>/calendar/", calendar.calendar, name="calendar"),
    path("org/<int:pk>/calendar/set/", calendar.calendar_set, name="calendar_set"),
    path("org/<int:pk>/calendar/drop/", calendar.calendar_drop, name="calendar_drop"),
    path("org/<int:pk>/roster/template.xlsx", roster.roster_template, name="roster_template"),
    path("org/<int:pk>/import/", pledge_import.pledge_import, name="pledge_import"),
    path(
        "org/<int:pk>/import/template.xlsx",
        pledge_import.pledge_import_template,
        name="pledge_import_template",
    ),
    path("pledge/<int:pk>/", pledge.pledge_detail, name="pledge"),
    path("pledge/<int:pk>/edit/", pledge.pledge_edit, name="pledge_edit"),
    path("pledge/<int:pk>/amend/", pledge.pledge_amend, name="pledge_amend"),
    path("pledge/<int:pk>/submit/", pledge.pledge_submit, name="pledge_submit"),
    path("pledge/<int:pk>/approve/", pledge.pledge_approve, name="pledge_approve"),
    path("pledge/<int:pk>/return/", pledge.pledge_return, name="pledge_return"),
    path("pledge/<int:pk>/publish/", pledge.pledge_publish, name="pledge_publish"),
    path("pledge/<int:pk>/close/", pledge.pledge_close, name="pledge_close"),
    path("pledge/<int:pk>/unfulfilled/", pledge.pledge_unfulfilled, name="pledge_unfulfilled"),
    path("pledge/<int:pk>/carry_over/", pledge.pledge_carry_over, name="pledge_carry_over"),
    path("pledge/<int:pk>/delete/", pledge.pledge_delete, name="pledge_delete"),
    path("pledge/<int:pk>/progress/", progress.progress_add, name="progress_add"),
    path("evidence/<int:pk>/", progress.evidence_download, name="evidence"),
    path(
        "pledge/<int:pk>/records/public/",
        progress.progress_records_set_public,
        name="progress_records_set_public",
    ),
    path(
        "record/<int:pk>/public/",
        progress.progress_record_set_public,
        name="progress_record_set_public",
    ),
]
