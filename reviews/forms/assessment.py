"""The year page's line form of 一年一总评."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.versions import version_field

from ..models import AnnualAssessment


class AssessmentRowForm(forms.Form):
    """One subject's line on the year page. A blank grade changes nothing (it never erases
    what someone else saved); "clear" removes the grade the line was rendered with. `version`
    is that grade's edit_version, 0 when the line had none."""

    grade = forms.ChoiceField(
        label=_("总评等次"),
        choices=[("", "—"), *AnnualAssessment.Grade.choices],
        required=False,
    )
    exemplary = forms.BooleanField(label=_("评先评优"), required=False)
    remark = forms.CharField(label=_("备注"), max_length=500, required=False)
    clear = forms.BooleanField(label=_("清除"), required=False)
    version = version_field()

    def has_input(self) -> bool:
        return bool(self.cleaned_data.get("grade"))
