from django.urls import path

from . import ledger_views, roster_views, views

app_name = "pledges"
urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.my_pledges, name="my_pledges"),
    path("org/<int:pk>/", views.organization, name="organization"),
    path("org/<int:pk>/entry/", views.entry, name="entry"),
    path("org/<int:pk>/entry/<int:member_pk>/", views.entry, name="member_entry"),
    path("org/<int:pk>/bulk/", views.bulk, name="bulk"),
    path("org/<int:pk>/roster/", roster_views.roster_import, name="roster_import"),
    path("org/<int:pk>/roster/template.xlsx", roster_views.roster_template, name="roster_template"),
    path("org/<int:pk>/ledger.xlsx", ledger_views.pledge_ledger, name="pledge_ledger"),
    path("pledge/<int:pk>/", views.pledge_detail, name="pledge"),
    path("pledge/<int:pk>/edit/", views.pledge_edit, name="pledge_edit"),
    path("pledge/<int:pk>/amend/", views.pledge_amend, name="pledge_amend"),
    path("pledge/<int:pk>/progress/", views.progress_add, name="progress_add"),
    path("pledge/<int:pk>/<str:action>/", views.pledge_action, name="pledge_action"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
]
