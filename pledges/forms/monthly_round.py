"""一月一记实: the month's round of records over an organization's running pledges."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.dates import DateInput

from ..services.progress import RECORD_TEXT_MAX


class RoundForm(forms.Form):
    """The month's round: one date, a text that may go to every ticked pledge, and each
    pledge's own text (which wins over the common one)."""

    date = forms.DateField(label=_("记实日期"), widget=DateInput())
    common_text = forms.CharField(
        label=_("统一填写（应用于勾选的承诺）"),
        required=False,
        max_length=RECORD_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, pledges, month: tuple, **kwargs):
        super().__init__(*args, **kwargs)
        self.pledges = list(pledges)
        self.month = month
        for pledge in self.pledges:
            self.fields[f"apply_{pledge.pk}"] = forms.BooleanField(
                label=_("应用统一填写"), required=False
            )
            self.fields[f"text_{pledge.pk}"] = forms.CharField(
                label=_("本项践诺情况"),
                required=False,
                max_length=RECORD_TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 1}),
            )

    def clean_date(self):
        date = self.cleaned_data["date"]
        start, end = self.month
        if not start <= date <= end:
            raise forms.ValidationError(_("记实日期应在本月之内"))
        return date

    def rows(self):
        """(pledge, apply field, text field) for the template, in the page's order."""
        return [(p, self[f"apply_{p.pk}"], self[f"text_{p.pk}"]) for p in self.pledges]

    def clean(self):
        data = super().clean()
        common = (data.get("common_text") or "").strip()
        texts, ticked = {}, False
        for pledge in self.pledges:
            own = (data.get(f"text_{pledge.pk}") or "").strip()
            apply = data.get(f"apply_{pledge.pk}")
            ticked = ticked or bool(apply)
            if own:
                texts[pledge.pk] = own
            elif apply and common:
                texts[pledge.pk] = common
        if ticked and not common:
            raise forms.ValidationError(_("勾选了“应用统一填写”，但统一填写的内容为空"))
        if not texts:
            raise forms.ValidationError(_("没有填写任何记实：请勾选承诺并统一填写，或逐项填写"))
        data["texts"] = texts
        return data
