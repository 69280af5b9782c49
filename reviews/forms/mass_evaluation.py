"""Forms of the 群众评议: opening, codes, and the evaluator's form."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import DateInput, validate_sane
from core.forms import IdsField
from pledges.models import Member, Organization

from ..models import MassEvaluation, Satisfaction
from ..services.mass_evaluation import MAX_CODES_PER_ISSUE, MAX_OPINION_LENGTH, half_end


class EvaluationOpenForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    half = forms.TypedChoiceField(label=_("半年"), choices=MassEvaluation.Half.choices, coerce=int)
    ends_on = forms.DateField(
        validators=[validate_sane],
        label=_("截止日期"),
        widget=DateInput(),
        help_text=_("过了这一天，未使用的评议码即失效"),
    )
    title = forms.CharField(label=_("标题"), max_length=200, required=False)
    members = IdsField(
        label=_("同时评议的党员"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不勾选则只评议党组织"),
    )

    def __init__(self, *args, organization: Organization, **kwargs):
        today = timezone.localdate()
        half = 1 if today.month <= 6 else 2
        kwargs.setdefault(
            "initial", {"year": today.year, "half": half, "ends_on": half_end(today.year, half)}
        )
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = Member.objects.filter(organization=organization).order_by(
            "id"
        )


class CodesIssueForm(forms.Form):
    count = forms.IntegerField(
        label=_("发放数量"), min_value=1, max_value=MAX_CODES_PER_ISSUE, initial=40
    )


class CodeEntryForm(forms.Form):
    code = forms.CharField(
        label=_("评议码"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class PublicEvaluationForm(forms.Form):
    """The evaluator's form: one choice for the organization, one per listed member."""

    rating = forms.ChoiceField(
        label=_("对党组织的评价"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    opinion = forms.CharField(
        label=_("意见建议（可不填）"),
        required=False,
        max_length=MAX_OPINION_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, members: list[Member], **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        for member in members:
            self.fields[f"m{member.pk}"] = forms.ChoiceField(
                label=member.name,
                choices=Satisfaction.choices,
                widget=forms.RadioSelect,
                error_messages={"required": _("请对该党员作出评价")},
            )
        self.fields["rating"].error_messages["required"] = _("请对党组织作出评价")

    def unrated_names(self) -> list[str]:
        """Fields left without a choice on a refused submit (none before any submit)."""
        if not self.is_bound:
            return []
        names = ["rating", *(f"m{m.pk}" for m in self.members)]
        return [name for name in names if name in self.errors]

    def member_fields(self):
        return [self[f"m{m.pk}"] for m in self.members]

    def member_ratings(self) -> dict[int, str]:
        return {m.pk: self.cleaned_data[f"m{m.pk}"] for m in self.members}
