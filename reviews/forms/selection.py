"""Forms of 组织评选: opening a round (with a place count per child organization) and a
nomination."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import DateInput, validate_sane
from core.text import REASON_MAX, TITLE_MAX
from pledges.models import Organization

from ..models import Honour
from ..models.selection import MAX_QUOTA
from .widgets import area


class RoundForm(forms.Form):
    honour = forms.ChoiceField(label=_("评选项目"), choices=Honour.choices)
    title = forms.CharField(label=_("标题"), max_length=TITLE_MAX)
    year = forms.IntegerField(label=_("考察年度"), min_value=2000, max_value=2100)
    nominations_due = forms.DateField(
        label=_("推荐截止日期"), validators=[validate_sane], widget=DateInput()
    )

    def __init__(self, *args, children: list[Organization], **kwargs):
        super().__init__(*args, **kwargs)
        self.children = children
        for child in children:
            self.fields[f"quota_{child.pk}"] = forms.IntegerField(
                label=child.name, min_value=0, max_value=MAX_QUOTA, required=False
            )

    def quota_fields(self):
        return [self[f"quota_{c.pk}"] for c in self.children]

    def quotas(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data.get(f"quota_{c.pk}") or 0 for c in self.children}


def round_initial(children: list[Organization]) -> dict:
    """七一 of this year, drawing on last year, one place for each child: the usual round."""
    today = timezone.localdate()
    return {
        "honour": Honour.EXCELLENT_MEMBER,
        "title": _("%(year)d年“七一”评选表彰") % {"year": today.year},
        "year": today.year - 1 if today.month <= 6 else today.year,
        "nominations_due": today + datetime.timedelta(days=14),
        **{f"quota_{c.pk}": 1 for c in children},
    }


class NominationForm(forms.Form):
    nominee = forms.CharField(label=_("推荐对象"), max_length=20)
    reason = forms.CharField(label=_("推荐理由"), max_length=REASON_MAX * 2, widget=area(3))
    caution_reason = forms.CharField(
        label=_("书面说明（总评或点评为“差”、有逾期未兑现承诺的，必须填写，并随公示公开）"),
        max_length=REASON_MAX * 2,
        required=False,
        widget=area(2),
    )
