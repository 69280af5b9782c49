"""承诺践诺台账 export — placeholder until the export lands."""

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound


def pledge_ledger(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponseNotFound()
