from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import DateInput
from core.forms import MultipleFileField

from .models import Review, SuggestionLetter
from .services import ItemContent, ReportContent, ReviewContent


def _area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ReportForm(forms.Form):
    pledge_notes = forms.CharField(label=_("承诺践诺情况"), widget=_area(3), required=False)
    highlights = forms.CharField(label=_("主要成绩"), widget=_area(4), required=False)
    shortcomings = forms.CharField(label=_("存在不足"), widget=_area(3), required=False)
    next_steps = forms.CharField(label=_("下步打算"), widget=_area(3), required=False)

    def content(self) -> ReportContent:
        return ReportContent(**self.cleaned_data)


class ReviewForm(forms.Form):
    date = forms.DateField(label=_("点评日期"), widget=DateInput(), initial=timezone.localdate)
    mode = forms.ChoiceField(label=_("点评方式"), choices=Review.Mode.choices)
    achievements = forms.CharField(label=_("肯定成绩"), widget=_area(3), required=False)
    problems = forms.CharField(label=_("指出问题"), widget=_area(3), required=False)
    direction = forms.CharField(label=_("努力方向"), widget=_area(3), required=False)
    grade = forms.ChoiceField(
        label=_("点评等次"),
        choices=[("", _("（签认前评定）")), *Review.Grade.choices],
        required=False,
        widget=forms.RadioSelect,
    )

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

    problem = forms.CharField(label=_("问题"), widget=_area(2), required=False)
    measures = forms.CharField(label=_("整改措施"), widget=_area(2), required=False)
    responsible = forms.CharField(label=_("责任人"), max_length=100, required=False)
    deadline = forms.DateField(label=_("整改时限"), widget=DateInput(), required=False)

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
    reason = forms.CharField(label=_("更正原因"), widget=_area(2))
    # How many amendments the form was made from (refuses a stale second tab).
    seen = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

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
    remark = forms.CharField(label=_("说明"), widget=_area(2), required=False)


class ItemDoneForm(forms.Form):
    measures_taken = forms.CharField(label=_("整改落实情况"), widget=_area(3))
    reply = forms.CharField(label=_("回复点评人"), widget=_area(2), required=False)
    files = MultipleFileField(
        label=_("佐证材料"),
        required=False,
        help_text=_("可选，jpg、png、pdf、docx、xlsx，每个不超过 10 MB"),
    )


class TextForm(forms.Form):
    text = forms.CharField(label=_("内容"), widget=_area(2))


class ReplyForm(TextForm):
    text = forms.CharField(label=_("回复内容"), widget=_area(2))


class ReopenForm(TextForm):
    text = forms.CharField(label=_("重新整改原因"), widget=_area(2))


class LetterReplyForm(TextForm):
    text = forms.CharField(label=_("整改情况"), widget=_area(3))


class LetterForm(forms.Form):
    reason = forms.ChoiceField(label=_("发出原因"), choices=SuggestionLetter.Reason.choices)
    problems = forms.CharField(label=_("存在问题"), widget=_area(3))
    measures = forms.CharField(label=_("整改建议及措施"), widget=_area(3))
    deadline = forms.DateField(label=_("整改时限"), widget=DateInput())
