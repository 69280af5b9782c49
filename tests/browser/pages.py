"""Steps the browser journeys share (a helper module, like tests/factories.py: conftest files
are pytest's to import, never a test module's)."""


def login(page, username: str, password: str = "pass12345") -> None:
    page.goto(f"{page.base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
