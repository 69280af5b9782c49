"""Forms of the opinion box and of its moderation. Every text field has a length limit here and
on the model; the services check again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.dates import validate_sane
from core.versions import version_field

from ..models import CONTACT_MAX, NAME_MAX, OPINION_MAX
from .notice import DATE


class OpinionForm(forms.Form):
    text = forms.CharField(
        label=_("意见建议"),
        max_length=OPINION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    name = forms.CharField(label=_("称呼（可不填）"), max_length=NAME_MAX, required=False)
    contact = forms.CharField(
        label=_("联系方式（可不填，不会公开）"), max_length=CONTACT_MAX, required=False
    )
    # Honeypot: hidden from people by CSS and aria-hidden; robots fill every field.
    website = forms.CharField(required=False, max_length=200)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise forms.ValidationError(_("提交未通过校验，请刷新页面后重试。"))
        return cleaned


class PublishForm(forms.Form):
    reply = forms.CharField(
        label=_("公开答复（可选）"),
        max_length=OPINION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = version_field()


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("私下答复内容"), max_length=OPINION_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


class RectifyForm(forms.Form):
    problem = forms.CharField(
        label=_("问题"), max_length=OPINION_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    target = forms.CharField(
        label=_("整改目标"), max_length=OPINION_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    measures = forms.CharField(
        label=_("整改措施"), max_length=OPINION_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    responsible = forms.CharField(label=_("责任人"), max_length=100)
    deadline = forms.DateField(validators=[validate_sane], label=_("整改时限"), widget=DATE)
