"""Forms of leader reviews: the review with its 四定 items, amendment, publication, spot check."""

from __future__ import annotations

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import DateInput, validate_sane
from core.text import LONG_TEXT_MAX, REASON_MAX
from core.versions import version_field
from pledges.models import Calendar

from ..models import Review
from ..rules.calendar import grade_choices
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

    def __init__(self, *args, scale: str = Calendar.GradeScale.FOUR, **kwargs):
        """`scale`: the grade scale the subject's committee set for the year."""
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = [("", _("（签认前评定）")), *grade_choices(scale)]

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


# 指出问题 written as numbered points ("1. …", "（2）…", "三、…"): each point is offered to
# its own item row; otherwise the whole text is offered to the first row.
_POINT_RE = re.compile(r"^\s*(?:[（(]?\d{1,2}[)）.、．]|[一二三四五六七八九十]{1,3}、)\s*")


def problem_points(problems: str) -> list[str]:
    """What 指出问题 offers the item rows, in order: "not typed twice"."""
    lines = [line.strip() for line in (problems or "").splitlines() if line.strip()]
    numbered = [line for line in lines if _POINT_RE.match(line)]
    if len(numbered) >= 2:
        return [_POINT_RE.sub("", line).strip() for line in numbered]
    text = (problems or "").strip()
    return [text] if text else []


class ItemForm(forms.Form):
    """One 四定 row (定责任人、定具体目标、定工作措施、定工作进度); a blank row is skipped.

    The problem comes pre-filled from 指出问题 and the 责任人 pre-selected from the subject's
    organization (the member himself, or the secretary): a row counts as blank until something
    beyond what was offered is filled in."""

    problem = forms.CharField(
        label=_("问题"),
        max_length=LONG_TEXT_MAX,
        widget=area(2),
        required=False,
        help_text=_("已从“指出问题”带入，可修改；留空则取“指出问题”"),
    )
    target = forms.CharField(
        label=_("整改目标"), max_length=LONG_TEXT_MAX, widget=area(2), required=False
    )
    measures = forms.CharField(
        label=_("整改措施"), max_length=LONG_TEXT_MAX, widget=area(2), required=False
    )
    responsible_member = forms.TypedChoiceField(
        label=_("责任人"), coerce=int, empty_value=None, required=False
    )
    responsible = forms.CharField(
        label=_("组织外责任人"),
        max_length=100,
        required=False,
        help_text=_("责任人不是本组织党员时，上栏选“组织外人员”，在此填写姓名"),
    )
    deadline = forms.DateField(
        validators=[validate_sane], label=_("整改时限"), widget=DateInput(), required=False
    )

    REQUIRED = ("problem", "target", "measures", "deadline")
    TYPED = ("target", "measures", "deadline", "responsible")

    def __init__(self, *args, members=(), default_member=None, offered="", **kwargs):
        super().__init__(*args, **kwargs)
        self.offered = offered
        self.fields["responsible_member"].choices = [("", _("组织外人员（填写下栏）")), *members]
        self.fields["responsible_member"].initial = default_member
        self.fields["problem"].initial = offered
        self.fields["problem"].widget.attrs["data-offered"] = offered

    def is_blank(self) -> bool:
        d = self.cleaned_data
        if any(d.get(n) for n in self.TYPED):
            return False
        return d.get("problem", "") in ("", self.offered)

    def clean(self):
        d = super().clean()
        if self.is_blank():
            return d
        if not d.get("problem") and "problem" not in self.errors and self.offered:
            d["problem"] = self.offered
        for name in self.REQUIRED:
            if not d.get(name) and name not in self.errors:
                self.add_error(name, _("四定须填写完整"))
        if "responsible" not in self.errors:
            picked, typed = d.get("responsible_member"), d.get("responsible")
            if picked is None and not typed:
                self.add_error("responsible", _("请选择责任人，或填写组织外责任人姓名"))
            elif picked is not None and typed:
                self.add_error("responsible", _("已选择本组织党员为责任人，组织外责任人请留空"))
        return d

    def item(self) -> ItemContent:
        d = self.cleaned_data
        return ItemContent(
            problem=d["problem"], target=d["target"], measures=d["measures"],
            responsible=d["responsible"], responsible_member_id=d["responsible_member"],
            deadline=d["deadline"],
        )  # fmt: skip


class BaseItemFormSet(forms.BaseFormSet):
    """The rows of 四定 items: `members` the subject organization's (id, name) to pick the
    责任人 from, `default_member` pre-selected, `problems` the review's 指出问题 to offer."""

    def __init__(self, *args, members=(), default_member=None, problems="", **kwargs):
        self.members, self.default_member = list(members), default_member
        self.points = problem_points(problems)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        offered = self.points[index] if index is not None and index < len(self.points) else ""
        return {
            **super().get_form_kwargs(index),
            "members": self.members,
            "default_member": self.default_member,
            "offered": offered,
        }


ItemFormSet = forms.formset_factory(ItemForm, formset=BaseItemFormSet, extra=2)


def formset_items(formset) -> list[ItemContent]:
    return [f.item() for f in formset if f.cleaned_data and not f.is_blank()]


class AmendForm(ReviewForm):
    reason = forms.CharField(label=_("更正原因"), max_length=REASON_MAX, widget=area(2))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].required = True
        self.fields["grade"].choices = self.fields["grade"].choices[1:]


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
