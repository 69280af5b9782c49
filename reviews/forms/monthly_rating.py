"""The month page's line form of 每月评比, and the committee's criteria form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.versions import version_field

from ..models import CRITERION_MAX_LENGTH, MAX_CRITERIA, Grade
from ..services.monthly_rating import REMARK_MAX


class MonthlyRatingRowForm(forms.Form):
    """One member's line: a grade per criterion (g0, g1, …), a remark, and the version of his
    rating the line was rendered with (0: none). A line left blank changes nothing."""

    remark = forms.CharField(label=_("备注"), max_length=REMARK_MAX, required=False)
    version = version_field()

    def __init__(self, *args, criteria: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for i, name in enumerate(criteria):
            self.fields[f"g{i}"] = forms.ChoiceField(
                label=name, choices=[("", "—"), *Grade.choices], required=False
            )

    def grade_fields(self) -> list:
        return [self[f"g{i}"] for i in range(len(self.criteria))]

    def clean(self):
        data = super().clean()
        data["grades"] = [data.get(f"g{i}") or "" for i in range(len(self.criteria))]
        return data


class RatingCriteriaForm(forms.Form):
    """A committee's criteria, one a line."""

    names = forms.CharField(
        label=_("评比内容（每行一项）"),
        max_length=MAX_CRITERIA * (CRITERION_MAX_LENGTH + 2),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    version = version_field()

    def clean_names(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["names"].splitlines() if line.strip()]
