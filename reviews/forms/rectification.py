"""Forms of rectification items: done (with evidence), reply, reopen."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import MultipleFileField
from core.text import LONG_TEXT_MAX, REASON_MAX
from core.versions import version_field

from .widgets import TextForm, area


class ItemDoneForm(forms.Form):
    measures_taken = forms.CharField(
        label=_("整改落实情况"), max_length=LONG_TEXT_MAX, widget=area(3)
    )
    reply = forms.CharField(
        label=_("回复点评人"), max_length=LONG_TEXT_MAX, widget=area(2), required=False
    )
    files = MultipleFileField(
        label=_("佐证材料"),
        required=False,
        help_text=_("可选，jpg、png、pdf、docx、xlsx，每个不超过 10 MB"),
    )

    def first_error(self) -> str:
        """Which field is wrong, in words (an empty upload is not a missing text)."""
        field, errors = next(iter(self.errors.items()))
        label = self.fields[field].label if field in self.fields else ""
        return f"{label}：{errors[0]}" if label else errors[0]


class ReplyForm(TextForm):
    text = forms.CharField(label=_("回复内容"), max_length=LONG_TEXT_MAX, widget=area(2))
    version = version_field()


class ReopenForm(TextForm):
    text = forms.CharField(label=_("重新整改原因"), max_length=REASON_MAX, widget=area(2))
