"""Reads of export jobs shared by pages."""

from django.db.models import QuerySet

from .models import ExportJob


def my_exports(user) -> QuerySet[ExportJob]:
    # The list shows only the job's own columns: no relation is read per row.
    return ExportJob.objects.visible_to(user).defer("params")
