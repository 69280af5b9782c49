"""The 自查自评 form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..services.self_evaluation import SelfEvaluationContent
from .widgets import area


class SelfEvaluationForm(forms.Form):
    pledge_notes = forms.CharField(label=_("承诺践诺情况"), widget=area(3), required=False)
    highlights = forms.CharField(label=_("主要成绩"), widget=area(4), required=False)
    shortcomings = forms.CharField(label=_("存在不足"), widget=area(3), required=False)
    next_steps = forms.CharField(label=_("下步打算"), widget=area(3), required=False)

    def content(self) -> SelfEvaluationContent:
        return SelfEvaluationContent(**self.cleaned_data)
