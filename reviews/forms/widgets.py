"""Small pieces the sub-areas' forms share."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.text import LONG_TEXT_MAX


def area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class TextForm(forms.Form):
    text = forms.CharField(label=_("内容"), max_length=LONG_TEXT_MAX, widget=area(2))
