from django.urls import path

from . import print_views, public_views
from .cache import cached_page
from .feeds import OrganizationFeed
from .manage_views import notices, opinions

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
    path("manage/", notices.home, name="manage"),
    path("manage/org/<int:pk>/compose/", notices.compose_view, name="compose"),
    path("manage/n/<int:pk>/", notices.notice_manage, name="notice_manage"),
    path("manage/n/<int:pk>/edit/", notices.notice_edit, name="notice_edit"),
    path("manage/n/<int:pk>/correct/", notices.notice_correct, name="notice_correct"),
    path("manage/n/<int:pk>/submit/", notices.notice_submit, name="notice_submit"),
    path("manage/n/<int:pk>/approve/", notices.notice_approve, name="notice_approve"),
    path("manage/n/<int:pk>/return/", notices.notice_return, name="notice_return"),
    path("manage/n/<int:pk>/withdraw/", notices.notice_withdraw, name="notice_withdraw"),
    path("manage/n/<int:pk>/delete/", notices.notice_delete, name="notice_delete"),
    path("manage/pledge/<int:pk>/to-notice/", notices.pledge_to_notice, name="pledge_to_notice"),
    path("manage/opinions/", opinions.opinions, name="opinions"),
    path("manage/opinion/<int:pk>/", opinions.opinion_manage, name="opinion_manage"),
    path("manage/opinion/<int:pk>/publish/", opinions.opinion_publish, name="opinion_publish"),
    path("manage/opinion/<int:pk>/answer/", opinions.opinion_answer, name="opinion_answer"),
    path("manage/opinion/<int:pk>/reject/", opinions.opinion_reject, name="opinion_reject"),
    path(
        "manage/opinion/<int:pk>/rectify/",
        opinions.opinion_to_rectification,
        name="opinion_to_rectification",
    ),
    # Print (login).
    path("print/org/<int:pk>/letter/", print_views.pledge_letter, name="print_letter"),
    path("print/member/<int:pk>/card/", print_views.pledge_card, name="print_card"),
]
