import base64
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.locmem import EmailBackend

from config import settings as project_settings
from core.notifications import services
from core.notifications.channels import DingTalk, Email, Message, Sms, WeCom, configured
from core.notifications.models import Delivery
from tests.core.notifications import fakes


@pytest.fixture
def gateway(settings):
    """A stand-in SMS gateway on a local port: records each post, answers 500 for 13900000000."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append({"body": body, "auth": self.headers.get("Authorization")})
            self.send_response(500 if body["phone"] == "13900000000" else 200)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SMS_GATEWAY_TOKEN = "secret"
    settings.NOTIFICATION_PHONE_LOOKUP = "tests.core.notifications.fakes.phone_lookup"
    settings.NOTIFICATION_CHANNELS = [
        "core.notifications.channels.Email",
        "core.notifications.channels.Sms",
    ]
    yield received
    server.shutdown()
    server.server_close()


def test_it_has_only_email_beyond_the_app_unless_sms_is_configured():
    # As the settings module computes it, before any test overrides it.
    assert not project_settings.SMS_GATEWAY_URL
    assert [c.name for c in configured(project_settings.NOTIFICATION_CHANNELS)] == ["email"]


def test_it_writes_the_title_body_and_full_link_in_the_email(alice, make_item):
    [n] = services.notifications_create_many(items=[make_item(alice, "pledge:7")])
    assert Email().send([Message(n, "alice@example.cn")]) == {}
    message = mail.outbox[0]
    assert message.subject == "本月尚未记实"
    assert message.body == (
        "本月尚未记实\n\n请记录本月践诺情况。\n\nhttps://pledges.example.cn/pledges/7/\n\n--\n"
        "通知方式可在此修改：https://pledges.example.cn/notifications/preferences/\n"
    )
    [(html, mime)] = message.alternatives
    assert mime == "text/html"
    assert '<a href="https://pledges.example.cn/pledges/7/">' in html


def test_it_records_a_failed_email_and_sends_the_rest(alice, bob, make_item, monkeypatch):
    real_send = EmailBackend.send_messages

    def refuse_bob(self, messages):
        if messages[0].to == ["bob@example.cn"]:
            raise OSError("mailbox unavailable")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refuse_bob)
    bob.email = "bob@example.cn"
    bob.save()
    ids = [
        n.pk for n in services.notifications_create_many(items=[make_item(alice), make_item(bob)])
    ]
    assert services.notifications_deliver(ids=ids)["email"] == {
        "delivered": 1,
        "skipped": 0,
        "failed": 1,
    }
    assert Delivery.objects.get(notification__recipient=bob).error == "mailbox unavailable"


def test_it_fails_the_batch_when_the_mail_server_is_down(alice, make_item, monkeypatch):
    def down(self):
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(EmailBackend, "open", down, raising=False)
    ids = [n.pk for n in services.notifications_create_many(items=[make_item(alice)])]
    assert services.notifications_deliver(ids=ids)["email"]["failed"] == 1
    assert Delivery.objects.get().status == "failed"


def test_it_posts_an_sms_to_the_gateway(alice, bob, make_item, gateway):
    fakes.PHONES[alice.pk] = "13800000000"
    ids = [
        n.pk for n in services.notifications_create_many(items=[make_item(alice), make_item(bob)])
    ]
    outcome = services.notifications_deliver(ids=ids)
    assert outcome["sms"] == {"delivered": 1, "skipped": 1, "failed": 0}
    assert gateway == [
        {
            "body": {
                "phone": "13800000000",
                "text": "本月尚未记实 https://pledges.example.cn/pledges/1/",
            },
            "auth": "Bearer secret",
        }
    ]
    skipped = Delivery.objects.get(channel="sms", notification__recipient=bob)
    assert (skipped.status, skipped.error) == ("skipped", "没有手机号码")


def test_it_records_a_gateway_error_for_a_later_run(alice, make_item, gateway):
    fakes.PHONES[alice.pk] = "13900000000"
    ids = [n.pk for n in services.notifications_create_many(items=[make_item(alice)])]
    assert services.notifications_deliver(ids=ids)["sms"]["failed"] == 1
    delivery = Delivery.objects.get(channel="sms")
    assert delivery.status == "failed" and "500" in delivery.error
    # Email went out; only the SMS is owed.
    assert Delivery.objects.get(channel="email").status == "delivered"


def test_it_records_an_unreachable_gateway_as_failed(alice, make_item, gateway, settings):
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/unreachable"
    fakes.PHONES[alice.pk] = "13800000000"
    ids = [n.pk for n in services.notifications_create_many(items=[make_item(alice)])]
    assert services.notifications_deliver(ids=ids)["sms"]["failed"] == 1


def test_it_refuses_an_sms_channel_without_a_gateway(settings):
    settings.SMS_GATEWAY_URL = ""
    with pytest.raises(ImproperlyConfigured):
        Sms()


def test_it_plugs_in_a_channel_named_in_settings(alice, make_item, settings):
    settings.NOTIFICATION_CHANNELS = ["tests.core.notifications.fakes.Recorder"]
    ids = [n.pk for n in services.notifications_create_many(items=[make_item(alice)])]
    services.notifications_deliver(ids=ids)
    assert fakes.Recorder.sent == [(ids[0], "alice")]
    assert mail.outbox == []


def test_it_refuses_two_channels_of_one_name():
    with pytest.raises(ImproperlyConfigured):
        configured(["core.notifications.channels.Email", "core.notifications.channels.Email"])


def test_it_only_swallows_send_errors(alice, make_item, monkeypatch):
    def bug(self, messages):
        raise KeyError("a bug")

    monkeypatch.setattr(EmailBackend, "send_messages", bug)
    ids = [n.pk for n in services.notifications_create_many(items=[make_item(alice)])]
    with pytest.raises(KeyError):
        services.notifications_deliver(ids=ids)


@pytest.fixture
def robot(settings):
    """A stand-in chat robot on a local port: records each post's query and body; answers
    errcode 310000 (DingTalk's "sign mismatch") to a post whose text names "carol"."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append({"query": parse_qs(urlsplit(self.path).query), "body": body})
            self.send_response(200)
            self.end_headers()
            code = 310000 if "carol" in body["text"]["content"] else 0
            self.wfile.write(json.dumps({"errcode": code, "errmsg": "ok"}).encode())

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    settings.WECOM_WEBHOOK_URL = f"{base}/cgi-bin/webhook/send?key=k1"
    settings.DINGTALK_WEBHOOK_URL = f"{base}/robot/send?access_token=t1"
    settings.DINGTALK_SECRET = "SEC123"
    yield received
    server.shutdown()
    server.server_close()


def test_it_posts_text_to_the_wecom_robot(alice, make_item, robot):
    [n] = services.notifications_create_many(items=[make_item(alice, "pledge:7")])
    assert WeCom().send([Message(n, "alice")]) == {}
    [post] = robot
    assert post["query"] == {"key": ["k1"]}
    assert post["body"] == {
        "msgtype": "text",
        "text": {
            "content": "alice：本月尚未记实\n请记录本月践诺情况。\n"
            "https://pledges.example.cn/pledges/7/"
        },
    }


def test_it_signs_each_dingtalk_post_with_its_timestamp(alice, make_item, robot):
    [n] = services.notifications_create_many(items=[make_item(alice, "pledge:7")])
    assert DingTalk().send([Message(n, "alice")]) == {}
    [post] = robot
    query = post["query"]
    assert query["access_token"] == ["t1"]
    [timestamp], [sign] = query["timestamp"], query["sign"]
    expected = hmac.new(b"SEC123", f"{timestamp}\nSEC123".encode(), hashlib.sha256).digest()
    assert sign == base64.b64encode(expected).decode()
    assert post["body"]["msgtype"] == "text"


def test_it_records_a_robot_refusal_as_a_failed_delivery(alice, make_item, robot, settings):
    settings.NOTIFICATION_CHANNELS = ["core.notifications.channels.DingTalk"]
    carol = type(alice).objects.create(username="carol")
    ids = [
        n.pk for n in services.notifications_create_many(items=[make_item(alice), make_item(carol)])
    ]
    outcome = services.notifications_deliver(ids=ids)
    assert outcome == {"dingtalk": {"delivered": 1, "skipped": 0, "failed": 1}}
    failed = Delivery.objects.get(status=Delivery.Status.FAILED)
    assert failed.notification.recipient == carol
    assert failed.error == "dingtalk errcode 310000"


def test_it_records_an_unreachable_robot_as_failed_never_raised(alice, make_item, settings):
    settings.WECOM_WEBHOOK_URL = "http://127.0.0.1:9/cgi-bin/webhook/send?key=k1"
    [n] = services.notifications_create_many(items=[make_item(alice)])
    failed = WeCom().send([Message(n, "alice")])
    assert list(failed) == [n.pk]


def test_it_needs_the_webhook_to_build_a_robot(settings):
    settings.WECOM_WEBHOOK_URL = ""
    with pytest.raises(ImproperlyConfigured):
        WeCom()
