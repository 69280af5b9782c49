"""Roster import (.xlsx) — placeholder until the import lands."""

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound


def roster_import(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponseNotFound()


def roster_template(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponseNotFound()
