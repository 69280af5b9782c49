"""Forms of the notices. Every text field has a length limit here and on
the model; the services check again, so a crafted post meets the same rules. Django's form
fields already refuse NUL characters with a message."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import validate_sane
from core.text import REASON_MAX, TITLE_MAX
from core.versions import version_field

from ..models import DEFAULT_WINDOW_DAYS, INTRO_MAX, NOTE_MAX, Notice

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    """What to compose from: the kind and the period (GET)."""

    kind = forms.ChoiceField(label=_("公示类别"), choices=Notice.Kind.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    month = forms.IntegerField(
        label=_("月份（记实公开）"), min_value=1, max_value=12, required=False
    )


class NoticeForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=TITLE_MAX)
    intro = forms.CharField(
        label=_("公示说明"),
        max_length=INTRO_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例如：公示期内如有意见，可通过意见箱或电话向党支部反映。"),
    )
    starts_on = forms.DateField(validators=[validate_sane], label=_("公示开始日期"), widget=DATE)
    ends_on = forms.DateField(validators=[validate_sane], label=_("公示结束日期"), widget=DATE)
    sources = forms.MultipleChoiceField(
        label=_("公示内容"), widget=forms.CheckboxSelectMultiple, required=False
    )
    # Only the edit page sends it (a new notice has none); notice_update requires it.
    version = version_field()

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sources"].choices = [(c.source, c.heading) for c in candidates]
        if not self.is_bound:
            today = timezone.localdate()
            self.initial.setdefault("starts_on", today)
            self.initial.setdefault(
                "ends_on", today + datetime.timedelta(days=DEFAULT_WINDOW_DAYS - 1)
            )
            # Every candidate ticked by default: the composer removes, never retypes.
            self.initial.setdefault("sources", [c.source for c in candidates])


class CorrectionForm(NoticeForm):
    note = forms.CharField(
        label=_("更正说明（更正了什么）"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=REASON_MAX)
