from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.access import MAX_PK
from core.dates import DateInput, validate_sane
from core.forms import MultipleFileField
from core.text import LONG_TEXT_MAX, REASON_MAX
from core.versions import version_field

from .models import Pledge
from .pledge_content import PledgeContent
from .services.entry import EntryRow
from .services.progress import RECORD_TEXT_MAX


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


class EntryRowForm(PledgeForm):
    """One row of the entry page; a blank extra row is simply skipped."""

    pledge_id = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=MAX_PK
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in Pledge.CONTENT_FIELDS:
            self.fields[name].required = False

    def entry_row(self) -> EntryRow:
        d = self.cleaned_data
        return EntryRow(
            content=self.content(), pledge_id=d.get("pledge_id"), version=d.get("version")
        )

    def is_blank(self) -> bool:
        d = self.cleaned_data
        return not any(d.get(n) for n in ("title", "measures", "expected_result", "deadline"))

    def clean(self):
        d = super().clean()
        if self.is_blank():
            return d
        labels = {n: self.fields[n].label for n in Pledge.CONTENT_FIELDS}
        for name in Pledge.CONTENT_FIELDS:
            if not d.get(name) and name not in self.errors:
                self.add_error(name, _("请填写%(label)s") % {"label": labels[name]})
        return d


EntryFormSet = forms.formset_factory(EntryRowForm, extra=0)


def entry_rows(formset) -> list[EntryRow]:
    """The filled rows of a valid entry formset; blank extra rows are skipped."""
    return [form.entry_row() for form in formset if not form.is_blank()]


class PeriodForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    half = forms.TypedChoiceField(
        label=_("期间"), choices=Pledge.Half.choices, coerce=int, initial=Pledge.Half.WHOLE_YEAR
    )


class ProgressForm(forms.Form):
    date = forms.DateField(
        validators=[validate_sane], label=_("日期"), widget=DateInput(), initial=timezone.localdate
    )
    text = forms.CharField(
        label=_("践诺情况"), max_length=LONG_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    files = MultipleFileField(
        label=_("佐证材料"),
        required=False,
        help_text=_("可选，jpg、png、pdf、docx、xlsx，每个不超过 10 MB"),
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


class RosterUploadForm(forms.Form):
    file = forms.FileField(label=_("名册文件（.xlsx）"))
    check_only = forms.BooleanField(
        label=_("只检查，不导入"),
        required=False,
        help_text=_("勾选后只列出问题和将要导入的人数，不写入任何数据"),
    )


class PledgeUploadForm(forms.Form):
    file = forms.FileField(label=_("承诺文件（.xlsx）"))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    half = forms.TypedChoiceField(
        label=_("期间"), choices=Pledge.Half.choices, coerce=int, initial=Pledge.Half.WHOLE_YEAR
    )
    check_only = forms.BooleanField(
        label=_("只检查，不导入"),
        required=False,
        help_text=_("勾选后只列出问题和将要导入的项数，不写入任何数据"),
    )


class RoundForm(forms.Form):
    """The month's round: one date, a text that may go to every ticked pledge, and each
    pledge's own text (which wins over the common one)."""

    date = forms.DateField(label=_("记实日期"), widget=DateInput())
    common_text = forms.CharField(
        label=_("统一填写（应用于勾选的承诺）"),
        required=False,
        max_length=RECORD_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, pledges, month: tuple, **kwargs):
        super().__init__(*args, **kwargs)
        self.pledges = list(pledges)
        self.month = month
        for pledge in self.pledges:
            self.fields[f"apply_{pledge.pk}"] = forms.BooleanField(
                label=_("应用统一填写"), required=False
            )
            self.fields[f"text_{pledge.pk}"] = forms.CharField(
                label=_("本项践诺情况"),
                required=False,
                max_length=RECORD_TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 1}),
            )

    def clean_date(self):
        date = self.cleaned_data["date"]
        start, end = self.month
        if not start <= date <= end:
            raise forms.ValidationError(_("记实日期应在本月之内"))
        return date

    def rows(self):
        """(pledge, apply field, text field) for the template, in the page's order."""
        return [(p, self[f"apply_{p.pk}"], self[f"text_{p.pk}"]) for p in self.pledges]

    def clean(self):
        data = super().clean()
        common = (data.get("common_text") or "").strip()
        texts, ticked = {}, False
        for pledge in self.pledges:
            own = (data.get(f"text_{pledge.pk}") or "").strip()
            apply = data.get(f"apply_{pledge.pk}")
            ticked = ticked or bool(apply)
            if own:
                texts[pledge.pk] = own
            elif apply and common:
                texts[pledge.pk] = common
        if ticked and not common:
            raise forms.ValidationError(_("勾选了“应用统一填写”，但统一填写的内容为空"))
        if not texts:
            raise forms.ValidationError(_("没有填写任何记实：请勾选承诺并统一填写，或逐项填写"))
        data["texts"] = texts
        return data
