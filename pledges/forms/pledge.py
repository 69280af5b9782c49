"""Forms of a pledge's page: its content, the moves that take a reason or a result, and the
bulk moves of an organization's page."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.access import MAX_PK
from core.dates import DateInput, validate_sane
from core.text import LONG_TEXT_MAX, REASON_MAX
from core.versions import version_field

from ..models import Pledge
from ..rules.pledge_content import PledgeContent


class PledgeForm(forms.ModelForm):
    version = version_field()

    class Meta:
        model = Pledge
        fields = list(Pledge.CONTENT_FIELDS)
        widgets = {
            "deadline": DateInput(),
            "measures": forms.Textarea(attrs={"rows": 2}),
            "expected_result": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"title": _("能量化、能完成、易考核")}

    def content(self) -> PledgeContent:
        d = self.cleaned_data
        return PledgeContent(
            kind=d["kind"],
            title=d["title"].strip(),
            measures=d["measures"].strip(),
            deadline=d["deadline"],
            expected_result=d["expected_result"].strip(),
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("原因"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


class CloseForm(forms.Form):
    result = forms.CharField(
        label=_("兑现情况"), max_length=LONG_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    closed_on = forms.DateField(
        validators=[validate_sane],
        label=_("销号日期"),
        widget=DateInput(),
        initial=timezone.localdate,
    )


class AmendForm(PledgeForm):
    reason = forms.CharField(
        label=_("变更原因"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


class BulkForm(forms.Form):
    ACTIONS = [
        ("submit", _("提交")),
        ("approve", _("审核通过")),
        ("return", _("退回")),
        ("publish", _("亮诺")),
    ]
    action = forms.ChoiceField(label=_("批量操作"), choices=ACTIONS)
    pledges = forms.TypedMultipleChoiceField(coerce=int)
    reason = forms.CharField(label=_("退回原因"), max_length=REASON_MAX, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The ids are checked against what the user may see in the view; here only their form.
        ids = self.data.getlist("pledges") if hasattr(self.data, "getlist") else []
        # A 20-digit id is refused here as an invalid choice, never sent to the database.
        self.fields["pledges"].choices = [
            (i, i) for i in ids if str(i).isdigit() and 0 < int(i) <= MAX_PK
        ]
        self.fields["pledges"].error_messages["required"] = _("请先勾选要处理的承诺")
