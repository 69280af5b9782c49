"""Forms of leader reviews: the review with its 四定 items, amendment, publication, spot check."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import DateInput, validate_sane
from core.text import LONG_TEXT_MAX, REASON_MAX
from core.versions import version_field

from ..models import Review
from ..services.review import ItemContent, ReviewContent
from .widgets import area


class ReviewForm(forms.Form):
    date = forms.DateField(
        validators=[validate_sane],
        label=_("点评日期"),
        widget=DateInput(),
        initial=timezone.localdate,
    )
    mode = forms.ChoiceField(label=_("点评方式"), choices=Review.Mode.choices)
    achievements = forms.CharField(
        label=_("肯定成绩"), max_length=LONG_TEXT_MAX, widget=area(3), required=False
    )
    problems = forms.CharField(
        label=_("指出问题"), max_length=LONG_TEXT_MAX, widget=area(3), required=False
    )
    direction = forms.CharField(
        label=_("努力方向"), max_length=LONG_TEXT_MAX, widget=area(3), required=False
    )
    grade = forms.ChoiceField(
        label=_("点评等次"),
        choices=[("", _("（签认前评定）")), *Review.Grade.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    version = version_field()

    def content(self) -> ReviewContent:
        d = self.cleaned_data
        return ReviewContent(
            date=d["date"],
            mode=d["mode"],
            achievements=d["achievements"].strip(),
            problems=d["problems"].strip(),
            direction=d["direction"].strip(),
            grade=d["grade"],
        )


class ItemForm(forms.Form):
    """One 四定 row; a blank row is skipped."""

    problem = forms.CharField(
        label=_("问题"), max_length=LONG_TEXT_MAX, widget=area(2), required=False
    )
    measures = forms.CharField(
        label=_("整改措施"), max_length=LONG_TEXT_MAX, widget=area(2), required=False
    )
    responsible = forms.CharField(label=_("责任人"), max_length=100, required=False)
    deadline = forms.DateField(
        validators=[validate_sane], label=_("整改时限"), widget=DateInput(), required=False
    )

    FIELDS = ("problem", "measures", "responsible", "deadline")

    def is_blank(self) -> bool:
        return not any(self.cleaned_data.get(n) for n in self.FIELDS)

    def clean(self):
        d = super().clean()
        if self.is_blank():
            return d
        for name in self.FIELDS:
            if not d.get(name) and name not in self.errors:
                self.add_error(name, _("四定须填写完整"))
        return d

    def item(self) -> ItemContent:
        d = self.cleaned_data
        return ItemContent(
            problem=d["problem"], measures=d["measures"], responsible=d["responsible"],
            deadline=d["deadline"],
        )  # fmt: skip


ItemFormSet = forms.formset_factory(ItemForm, extra=2)


def formset_items(formset) -> list[ItemContent]:
    return [f.item() for f in formset if f.cleaned_data and not f.is_blank()]


class AmendForm(ReviewForm):
    reason = forms.CharField(label=_("更正原因"), max_length=REASON_MAX, widget=area(2))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].required = True
        self.fields["grade"].choices = Review.Grade.choices


class PublishForm(forms.Form):
    scope = forms.ChoiceField(label=_("公开范围"), choices=Review.Scope.choices)


class ReturnForm(forms.Form):
    reasons = forms.MultipleChoiceField(
        label=_("退回原因（三不过关）"),
        choices=Review.ReturnReason.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请勾选退回原因（三不过关）")},
    )
    remark = forms.CharField(label=_("说明"), max_length=REASON_MAX, widget=area(2), required=False)
