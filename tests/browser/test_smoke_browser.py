from tests.browser.conftest import login


def test_it_shows_the_branch_page_to_its_secretary(page, world, artifacts):
    login(page, "secretary")
    assert "东街社区党支部" in page.content()
    page.screenshot(path=str(artifacts / "smoke-branch.png"), full_page=True)
