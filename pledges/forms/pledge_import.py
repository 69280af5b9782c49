"""The upload of pledges prepared offline in Excel."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Pledge


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
