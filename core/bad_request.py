"""The 400 page (handler400): which limit a refused request went over, in Chinese.

Django refuses a form whose fields are over DATA_UPLOAD_MAX_MEMORY_SIZE or have too many fields
or files before any view runs; its own page only says "bad request", and the user cannot tell
that shortening the text (or sending fewer files) would help.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template import loader
from django.utils.translation import gettext as _


def _size(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MB"
    return f"{max(limit // 1024, 1)} KB"


def refusal_message(exception: Exception | None) -> str:
    if isinstance(exception, RequestDataTooBig):
        return _(
            "提交的内容超过 %(limit)s 的上限，没有保存任何内容。请缩短填写的文字后重试"
            "（上传的附件不计在内，每个附件不超过 10 MB）。"
        ) % {"limit": _size(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}
    if isinstance(exception, TooManyFieldsSent):
        return _("表单一次提交的栏目超过 %(n)d 个的上限，没有保存任何内容。请分几次提交。") % {
            "n": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        }
    if isinstance(exception, TooManyFilesSent):
        return _("一次上传的文件超过 %(n)d 个的上限，没有保存任何内容。请分几次上传。") % {
            "n": settings.DATA_UPLOAD_MAX_NUMBER_FILES
        }
    return _("请求无效，请返回上一页重试。")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    context = {"message": refusal_message(exception)}
    template = loader.get_template("400.html")
    try:
        content = template.render(context, request)
    except Exception:  # noqa: BLE001 - refused before the middleware that the page needs ran
        content = template.render(context)
    return HttpResponseBadRequest(content)
