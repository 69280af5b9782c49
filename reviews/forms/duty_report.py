"""Forms of 述职: the report and one audience's 测评 tally."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.dates import DateInput
from core.versions import version_field

from ..models import DUTY_REPORT_MAX_LENGTH, MAX_VOTES, DutyReportTally, Grade


class DutyReportForm(forms.Form):
    text = forms.CharField(
        label=_("述职报告"),
        max_length=DUTY_REPORT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 18}),
    )
    version = version_field()


def _votes(label) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=MAX_VOTES, initial=0)


VOTE_FIELDS = ("good", "fairly_good", "average", "poor")


class DutyReportTallyForm(forms.Form):
    """One audience's 测评 as counted from the paper ballots."""

    audience = forms.ChoiceField(label=_("述职对象"), choices=DutyReportTally.Audience.choices)
    held_on = forms.DateField(label=_("述职日期"), widget=DateInput())
    good = _votes(Grade.GOOD.label)
    fairly_good = _votes(Grade.FAIRLY_GOOD.label)
    average = _votes(Grade.AVERAGE.label)
    poor = _votes(Grade.POOR.label)
    version = version_field()

    def vote_fields(self) -> list:
        return [self[k] for k in VOTE_FIELDS]


class DutyReportCodesForm(forms.Form):
    audience = forms.ChoiceField(label=_("述职对象"), choices=DutyReportTally.Audience.choices)
    count = forms.IntegerField(label=_("测评码数量"), min_value=1, max_value=200)


class DutyReportVoteForm(forms.Form):
    """What a person present marks: one grade for the report he heard."""

    grade = forms.ChoiceField(label=_("您的评价"), choices=Grade.choices, widget=forms.RadioSelect)
