"""The office's form for a committee's calendar of a year."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.dates import DateInput, validate_sane
from core.versions import version_field

from ..models import Calendar
from ..services.calendar import CalendarContent


class CalendarForm(forms.Form):
    pledge_period = forms.ChoiceField(
        label=_("承诺周期"), choices=Calendar.PledgePeriod.choices, widget=forms.RadioSelect
    )
    review_cadence = forms.ChoiceField(
        label=_("领导点评周期"), choices=Calendar.ReviewCadence.choices, widget=forms.RadioSelect
    )
    mass_evaluation_cadence = forms.ChoiceField(
        label=_("群众评议周期"),
        choices=Calendar.EvaluationCadence.choices,
        widget=forms.RadioSelect,
    )
    grade_scale = forms.ChoiceField(
        label=_("点评等次"), choices=Calendar.GradeScale.choices, widget=forms.RadioSelect
    )
    filing_first_half = forms.DateField(
        label=_("上半年备案截止"), validators=[validate_sane], widget=DateInput()
    )
    filing_second_half = forms.DateField(
        label=_("下半年备案截止"), validators=[validate_sane], widget=DateInput()
    )
    version = version_field()

    def content(self) -> CalendarContent:
        d = self.cleaned_data
        return CalendarContent(**{name: d[name] for name in Calendar.FIELDS})
