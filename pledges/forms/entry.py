"""The entry page's forms: one row per pledge, and the period they are entered for."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.access import MAX_PK

from ..models import Pledge
from ..services.entry import EntryRow
from .pledge import PledgeForm


class EntryRowForm(PledgeForm):
    """One row of the entry page; a blank extra row is simply skipped."""

    pledge_id = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=MAX_PK
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in Pledge.CONTENT_FIELDS:
            self.fields[name].required = False

    def entry_row(self) -> EntryRow:
        d = self.cleaned_data
        return EntryRow(
            content=self.content(), pledge_id=d.get("pledge_id"), version=d.get("version")
        )

    def is_blank(self) -> bool:
        d = self.cleaned_data
        return not any(d.get(n) for n in ("title", "measures", "expected_result", "deadline"))

    def clean(self):
        d = super().clean()
        if self.is_blank():
            return d
        labels = {n: self.fields[n].label for n in Pledge.CONTENT_FIELDS}
        for name in Pledge.CONTENT_FIELDS:
            if not d.get(name) and name not in self.errors:
                self.add_error(name, _("请填写%(label)s") % {"label": labels[name]})
        return d


EntryFormSet = forms.formset_factory(EntryRowForm, extra=0)


def entry_rows(formset) -> list[EntryRow]:
    """The filled rows of a valid entry formset; blank extra rows are skipped."""
    return [form.entry_row() for form in formset if not form.is_blank()]


class PeriodForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    half = forms.TypedChoiceField(
        label=_("期间"), choices=Pledge.Half.choices, coerce=int, initial=Pledge.Half.WHOLE_YEAR
    )
