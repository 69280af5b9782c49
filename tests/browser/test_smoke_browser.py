from tests.browser.pages import login
from tests.factories import MemberFactory


def test_it_shows_the_branch_page_to_its_secretary(page, world, artifacts):
    login(page, "secretary")
    assert "东街社区党支部" in page.content()
    page.screenshot(path=str(artifacts / "smoke-branch.png"), full_page=True)


def test_it_keeps_logout_and_the_bell_on_screen_with_a_long_menu(page, world):
    # A secretary who is also a member of a branch with a long name: the widest top bar.
    world.branch.name = "县第一中学高中部党支部"
    world.branch.save(update_fields=["name"])
    MemberFactory(name="徐玉兰", organization=world.branch, user=world.secretary)
    login(page, "secretary")
    for width in (1200, 1366):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{page.base_url}/notifications/")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        for selector in ("nav form[action='/logout/'] button", "[data-testid=bell]"):
            box = page.locator(selector).bounding_box()
            assert box["x"] + box["width"] <= width
