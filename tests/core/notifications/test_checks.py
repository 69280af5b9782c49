from core.notifications import checks
from core.notifications.checks import notification_channels


def test_it_accepts_the_default_channels():
    assert notification_channels(None) == []


def test_it_reports_an_sms_channel_without_its_phone_lookup(settings):
    settings.SMS_GATEWAY_URL = "https://sms.example.cn/send"
    settings.NOTIFICATION_PHONE_LOOKUP = ""
    settings.NOTIFICATION_CHANNELS = ["core.notifications.channels.Sms"]
    [error] = notification_channels(None)
    assert error.id == "core.E001"


def test_it_reports_a_channel_that_does_not_exist(settings):
    settings.NOTIFICATION_CHANNELS = ["core.notifications.channels.Pigeon"]
    assert [e.id for e in notification_channels(None)] == ["core.E001"]


def test_it_warns_a_deployment_whose_links_point_at_this_machine(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    assert [w.id for w in checks.site_url(None)] == ["core.W002"]
    settings.SITE_URL = "https://pledges.example.gov.cn"
    assert checks.site_url(None) == []
