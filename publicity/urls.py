from django.urls import path

from . import manage_views as manage
from . import print_views, public_views
from .cache import cached_page
from .feeds import OrganizationFeed

app_name = "publicity"
urlpatterns = [
    # Public, no login, cached.
    path("", public_views.index, name="index"),
    path("org/<int:org_pk>/", public_views.organization, name="organization"),
    path("org/<int:org_pk>/qr.svg", public_views.org_qr, name="org_qr"),
    path("org/<int:org_pk>/poster/", public_views.org_poster, name="org_poster"),
    path("org/<int:org_pk>/feed.atom", cached_page(OrganizationFeed()), name="feed"),
    path("org/<int:org_pk>/notices.json", public_views.org_json, name="json"),
    path("org/<int:org_pk>/n/<int:pk>/", public_views.notice, name="notice"),
    path("org/<int:org_pk>/n/<int:pk>/qr.svg", public_views.notice_qr, name="notice_qr"),
    path("org/<int:org_pk>/n/<int:pk>/poster/", public_views.notice_poster, name="notice_poster"),
    path("org/<int:org_pk>/pledge/<int:pk>/", public_views.pledge, name="pledge"),
    path("org/<int:org_pk>/opinion/<int:pk>/", public_views.opinion, name="opinion"),
    path("org/<int:org_pk>/opinions/submit/", public_views.opinion_submit, name="opinion_submit"),
    path("org/<int:org_pk>/opinions/sent/", public_views.opinion_sent, name="opinion_sent"),
    # Working pages (login).
    path("manage/", manage.home, name="manage"),
    path("manage/org/<int:pk>/compose/", manage.compose_view, name="compose"),
    path("manage/n/<int:pk>/", manage.notice_manage, name="notice_manage"),
    path("manage/n/<int:pk>/edit/", manage.notice_edit, name="notice_edit"),
    path("manage/n/<int:pk>/correct/", manage.notice_correct, name="notice_correct"),
    path("manage/n/<int:pk>/submit/", manage.notice_submit, name="notice_submit"),
    path("manage/n/<int:pk>/approve/", manage.notice_approve, name="notice_approve"),
    path("manage/n/<int:pk>/return/", manage.notice_return, name="notice_return"),
    path("manage/n/<int:pk>/withdraw/", manage.notice_withdraw, name="notice_withdraw"),
    path("manage/n/<int:pk>/delete/", manage.notice_delete, name="notice_delete"),
    path("manage/pledge/<int:pk>/to-notice/", manage.pledge_to_notice, name="pledge_to_notice"),
    path("manage/opinions/", manage.opinions, name="opinions"),
    path("manage/opinion/<int:pk>/", manage.opinion_manage, name="opinion_manage"),
    path("manage/opinion/<int:pk>/publish/", manage.opinion_publish, name="opinion_publish"),
    path("manage/opinion/<int:pk>/answer/", manage.opinion_answer, name="opinion_answer"),
    path("manage/opinion/<int:pk>/reject/", manage.opinion_reject, name="opinion_reject"),
    path(
        "manage/opinion/<int:pk>/rectify/",
        manage.opinion_to_rectification,
        name="opinion_to_rectification",
    ),
    # Print (login).
    path("print/org/<int:pk>/letter/", print_views.pledge_letter, name="print_letter"),
    path("print/member/<int:pk>/card/", print_views.pledge_card, name="print_card"),
]
