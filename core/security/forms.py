from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.dates import DateInput, is_sane

from .models import SecurityEvent


def _no_control(value: str) -> str:
    if any(ord(c) < 32 for c in value):
        raise ValidationError(_("不能包含控制字符"))
    return value


class SecurityLogFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("操作"),
        required=False,
        choices=[("", _("全部"))] + SecurityEvent.Action.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    username = forms.CharField(
        label=_("用户名"),
        required=False,
        max_length=150,
        validators=[_no_control],
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    since = forms.DateField(
        label=_("起始日期"),
        required=False,
        widget=DateInput(attrs={"class": "form-control form-control-sm"}),
    )
    until = forms.DateField(
        label=_("截止日期"),
        required=False,
        widget=DateInput(attrs={"class": "form-control form-control-sm"}),
    )

    def clean(self):
        data = super().clean()
        for name in ("since", "until"):
            if data.get(name) and not is_sane(data[name]):
                self.add_error(name, _("日期超出范围"))
        return data

    def filters(self) -> dict:
        """The filters to apply: none when the form is invalid (the errors are shown)."""
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}
