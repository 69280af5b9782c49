"""A progress record (记实) with its evidence files."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import DateInput, validate_sane
from core.forms import MultipleFileField
from core.text import LONG_TEXT_MAX


class ProgressForm(forms.Form):
    date = forms.DateField(
        validators=[validate_sane], label=_("日期"), widget=DateInput(), initial=timezone.localdate
    )
    text = forms.CharField(
        label=_("践诺情况"), max_length=LONG_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    files = MultipleFileField(
        label=_("佐证材料"),
        required=False,
        help_text=_("可选，jpg、png、pdf、docx、xlsx，每个不超过 10 MB"),
    )
