"""core.access: not visible is a 404, visible but not allowed a 403, written once."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied

from core.access import require


def test_it_lets_an_allowed_move_through():
    assert require(True) is None


def test_it_refuses_a_move_the_rule_does_not_allow():
    with pytest.raises(PermissionDenied):
        require(False)


def _view_modules() -> list[Path]:
    root = Path(settings.BASE_DIR)
    found = []
    for app in ("core", "pledges", "reviews", "publicity"):
        found += [p for p in (root / app).rglob("*.py") if "views" in p.parts or "views" in p.stem]
    return found


def test_it_is_the_one_refusal_in_every_view():
    modules = _view_modules()
    assert any(p.parts[-2:] == ("views", "review.py") for p in modules)  # the walk finds them
    raising = [str(p) for p in modules if "raise PermissionDenied" in p.read_text()]
    assert raising == []
