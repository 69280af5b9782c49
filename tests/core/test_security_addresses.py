from django.test import RequestFactory

from core.security.addresses import client_address


def _request(**meta):
    return RequestFactory().get("/", **meta)


def test_it_uses_remote_addr_by_default(settings):
    settings.TRUSTED_PROXY = False
    request = _request(REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_address(request) == "10.0.0.9"


def test_it_uses_the_first_forwarded_hop_behind_a_trusted_proxy(settings):
    settings.TRUSTED_PROXY = True
    request = _request(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.0.0.1")
    assert client_address(request) == "1.2.3.4"


def test_it_ignores_a_malformed_forwarded_header(settings):
    settings.TRUSTED_PROXY = True
    request = _request(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="<script>, 1.2.3.4")
    assert client_address(request) == "127.0.0.1"
