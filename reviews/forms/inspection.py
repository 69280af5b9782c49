"""Forms of inspections: open a round, edit its checklist, issue, answer and re-check a notice."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import DateInput, validate_sane
from core.forms import MultipleFileField
from core.text import LONG_TEXT_MAX, REASON_MAX, TITLE_MAX
from core.versions import version_field

from ..models import DEFAULT_CHECKLIST, InspectionRound
from ..models.inspection import CHECKLIST_LABEL_MAX, MAX_CHECKLIST_ITEMS
from .widgets import area


class RoundForm(forms.Form):
    kind = forms.ChoiceField(label=_("检查方式"), choices=InspectionRound.Kind.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    half = forms.TypedChoiceField(
        label=_("半年"), choices=[(1, _("上半年")), (2, _("下半年"))], coerce=int
    )
    title = forms.CharField(
        label=_("名称"), max_length=TITLE_MAX, required=False, help_text=_("留空则自动生成")
    )
    sample_size = forms.IntegerField(
        label=_("抽查数量"),
        min_value=1,
        max_value=100000,
        required=False,
        help_text=_("不定期抽查时填写，由系统随机抽取并记录抽样种子"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["year"].initial = today.year
        self.fields["half"].initial = 1 if today.month <= 6 else 2


class ChecklistForm(forms.Form):
    keys = forms.MultipleChoiceField(
        label=_("系统预填的检查项"),
        choices=DEFAULT_CHECKLIST,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    extra = forms.CharField(
        label=_("其他检查项（每行一项）"),
        max_length=MAX_CHECKLIST_ITEMS * (CHECKLIST_LABEL_MAX + 2),
        required=False,
        widget=area(4),
    )
    version = version_field()

    def extra_lines(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["extra"].splitlines() if line.strip()]


class NoticeForm(forms.Form):
    problems = forms.CharField(label=_("存在问题"), max_length=LONG_TEXT_MAX, widget=area(3))
    requirements = forms.CharField(label=_("整改要求"), max_length=LONG_TEXT_MAX, widget=area(3))
    deadline = forms.DateField(validators=[validate_sane], label=_("整改时限"), widget=DateInput())


class NoticeAnswerForm(forms.Form):
    answer = forms.CharField(label=_("整改情况"), max_length=LONG_TEXT_MAX, widget=area(4))
    files = MultipleFileField(
        label=_("佐证材料"),
        required=False,
        help_text=_("可选，jpg、png、pdf、docx、xlsx，每个不超过 10 MB"),
    )


class RecheckForm(forms.Form):
    remark = forms.CharField(
        label=_("复验意见"), max_length=REASON_MAX, widget=area(2), required=False
    )
    deadline = forms.DateField(
        validators=[validate_sane],
        label=_("新的整改时限"),
        widget=DateInput(),
        required=False,
        help_text=_("复验未通过时可重新确定"),
    )
