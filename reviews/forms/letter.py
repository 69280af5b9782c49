"""Forms of suggestion letters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.dates import DateInput, validate_sane
from core.text import LONG_TEXT_MAX
from core.versions import version_field

from ..models import SuggestionLetter
from .widgets import TextForm, area


class LetterForm(forms.Form):
    reason = forms.ChoiceField(label=_("发出原因"), choices=SuggestionLetter.Reason.choices)
    problems = forms.CharField(label=_("存在问题"), max_length=LONG_TEXT_MAX, widget=area(3))
    measures = forms.CharField(label=_("整改建议及措施"), max_length=LONG_TEXT_MAX, widget=area(3))
    deadline = forms.DateField(validators=[validate_sane], label=_("整改时限"), widget=DateInput())


class LetterReplyForm(TextForm):
    text = forms.CharField(label=_("整改情况"), max_length=LONG_TEXT_MAX, widget=area(3))
    version = version_field()
