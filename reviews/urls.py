from django.urls import path

from . import views

app_name = "reviews"
urlpatterns = [
    path("my/", views.my_reviews, name="my_reviews"),
    path("office/", views.office_home, name="office_home"),
    path("office/<int:pk>/", views.office, name="office"),
    path("office/<int:pk>/register.xlsx", views.register_export, name="register_export"),
    path("office/<int:pk>/rectification.xlsx", views.items_export, name="items_export"),
    path("new/", views.review_new, name="review_new"),
    path("<int:pk>/", views.review_detail, name="review"),
    path("<int:pk>/edit/", views.review_edit, name="review_edit"),
    path("<int:pk>/amend/", views.review_amend, name="review_amend"),
    path("<int:pk>/do/<str:action>/", views.review_action, name="review_action"),
    path("reports/", views.my_reports, name="my_reports"),
    path("reports/write/", views.report_write, name="report_write"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("rectification/", views.rectification, name="rectification"),
    path("rectification/<int:pk>/", views.item_detail, name="item"),
    path("rectification/<int:pk>/do/<str:action>/", views.item_action, name="item_action"),
    path("rectification/evidence/<int:pk>/", views.item_evidence, name="item_evidence"),
    path("letters/", views.letters, name="letters"),
    path("letters/new/<int:member_pk>/", views.letter_new, name="letter_new"),
    path("letters/<int:pk>/", views.letter_detail, name="letter"),
    path("letters/<int:pk>/do/<str:action>/", views.letter_action, name="letter_action"),
]

# --- mass evaluation, annual assessment, coverage dashboard (helper "evaluations") ---
from . import evaluation_views as ev  # noqa: E402

urlpatterns += [
    path("evaluations/", ev.evaluation_list, name="evaluations"),
    path("evaluations/new/<int:org_pk>/", ev.evaluation_open, name="evaluation_open"),
    path("evaluations/<int:pk>/", ev.evaluation_detail, name="evaluation"),
    path("evaluations/<int:pk>/codes/", ev.codes_issue, name="evaluation_codes"),
    path("evaluations/<int:pk>/close/", ev.evaluation_close, name="evaluation_close"),
    path("evaluations/<int:pk>/slips/", ev.evaluation_slips, name="evaluation_slips"),
    path("evaluations/<int:pk>/results.xlsx", ev.evaluation_export, name="evaluation_export"),
    path("evaluations/<int:pk>/links.txt", ev.evaluation_links, name="evaluation_links"),
    path("e/", ev.evaluate_entry, name="evaluate_entry"),
    path("e/done/", ev.evaluate_done, name="evaluate_done"),
    path("e/<str:code>/", ev.evaluate, name="evaluate"),
    path("assessment/", ev.assessment_home, name="assessment_home"),
    path("assessment/<int:org_pk>/", ev.assessment_year, name="assessment"),
    path("assessment/<int:org_pk>/grades.xlsx", ev.assessment_export, name="assessment_export"),
    path("dashboard/", ev.dashboard_home, name="dashboard_home"),
    path("dashboard/<int:org_pk>/", ev.dashboard_view, name="dashboard"),
]
