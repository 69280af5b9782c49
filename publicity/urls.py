"""Addresses of publicity/, grouped by sub-area; URL name = view name (= service name for moves)."""

from django.urls import path

from .views import notice, opinion, public
from .views import print as print_views

app_name = "publicity"
urlpatterns = [
    # Public, no login, cached.
    path("", public.index, name="index"),
    path("org/<int:org_pk>/", public.organization, name="organization"),
    path("org/<int:org_pk>/feed.atom", public.org_feed, name="org_feed"),
    path("org/<int:org_pk>/notices.json", public.org_json, name="org_json"),
    path("org/<int:org_pk>/n/<int:pk>/", public.notice, name="notice"),
    path("org/<int:org_pk>/pledge/<int:pk>/", public.pledge, name="pledge"),
    path("org/<int:org_pk>/honours/", public.honours, name="honours"),
    path("org/<int:org_pk>/opinion/<int:pk>/", public.opinion, name="opinion"),
    path("org/<int:org_pk>/opinions/submit/", public.opinion_submit, name="opinion_submit"),
    path("org/<int:org_pk>/opinions/sent/", public.opinion_sent, name="opinion_sent"),
    # Print for the notice board: public, no login, cached.
    path("org/<int:org_pk>/qr.svg", print_views.org_qr, name="org_qr"),
    path("org/<int:org_pk>/qr.png", print_views.org_qr_png, name="org_qr_png"),
    path("org/<int:org_pk>/poster.png", print_views.org_poster_png, name="org_poster_png"),
    path("org/<int:org_pk>/photo/<int:pk>.jpg", public.photo, name="photo"),
    path("org/<int:org_pk>/poster/", print_views.print_org_poster, name="print_org_poster"),
    path("org/<int:org_pk>/n/<int:pk>/qr.svg", print_views.notice_qr, name="notice_qr"),
    path("org/<int:org_pk>/n/<int:pk>/qr.png", print_views.notice_qr_png, name="notice_qr_png"),
    path(
        "org/<int:org_pk>/n/<int:pk>/poster.png",
        print_views.notice_poster_png,
        name="notice_poster_png",
    ),
    path(
        "org/<int:org_pk>/n/<int:pk>/poster/",
        print_views.print_notice_poster,
        name="print_notice_poster",
    ),
    # Working pages of notices (login).
    path("manage/", notice.notice_list, name="notice_list"),
    path("manage/org/<int:pk>/compose/", notice.notice_compose, name="notice_compose"),
    path("manage/n/<int:pk>/", notice.notice_detail, name="notice_detail"),
    path("manage/n/<int:pk>/edit/", notice.notice_edit, name="notice_edit"),
    path("manage/n/<int:pk>/correct/", notice.notice_correct, name="notice_correct"),
    path("manage/n/<int:pk>/submit/", notice.notice_submit, name="notice_submit"),
    path("manage/n/<int:pk>/approve/", notice.notice_approve, name="notice_approve"),
    path("manage/n/<int:pk>/return/", notice.notice_return, name="notice_return"),
    path("manage/n/<int:pk>/withdraw/", notice.notice_withdraw, name="notice_withdraw"),
    path("manage/n/<int:pk>/delete/", notice.notice_delete_draft, name="notice_delete_draft"),
    path("manage/pledge/<int:pk>/to-notice/", notice.notice_add_pledge, name="notice_add_pledge"),
    # Working pages of opinions (login).
    path("manage/opinions/", opinion.opinion_list, name="opinion_list"),
    path("manage/opinion/<int:pk>/", opinion.opinion_detail, name="opinion_detail"),
    path("manage/opinion/<int:pk>/publish/", opinion.opinion_publish, name="opinion_publish"),
    path("manage/opinion/<int:pk>/answer/", opinion.opinion_answer, name="opinion_answer"),
    path("manage/opinion/<int:pk>/reject/", opinion.opinion_reject, name="opinion_reject"),
    path(
        "manage/opinion/<int:pk>/rectify/",
        opinion.opinion_to_rectification,
        name="opinion_to_rectification",
    ),
    # Print (login).
    path("print/org/<int:pk>/letter/", print_views.print_letter, name="print_letter"),
    path("print/member/<int:pk>/card/", print_views.print_card, name="print_card"),
]
