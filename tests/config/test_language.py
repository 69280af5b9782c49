from django.test import Client


def test_it_speaks_chinese_to_an_english_browser(client, db):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    assert "登录" in response.content.decode()


def test_it_switches_to_english_when_chosen(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    response = client.get("/login/")
    assert response["Content-Language"] == "en"


def test_it_ignores_an_unknown_language_cookie(client, db):
    client.cookies["django_language"] = "xx"
    assert client.get("/login/")["Content-Language"] == "zh-hans"


def test_it_explains_an_expired_form_in_chinese(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_it_keeps_each_session_s_own_language(db):
    """The choice is the visitor's own (a cookie): two sessions choosing differently keep
    what each chose."""
    a, b = Client(), Client()
    a.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    b.post("/i18n/setlang/", {"language": "zh-hans", "next": "/login/"})
    assert a.get("/login/")["Content-Language"] == "en"
    assert b.get("/login/")["Content-Language"] == "zh-hans"
