"""pledges/roles.py: the Roles value and the questions rules ask of it (no database)."""

from core.access import NOTHING
from pledges.roles import HeldPosition, Roles

ROLES = Roles(
    positions=[
        HeldPosition("00010001", 2, "secretary"),
        HeldPosition("0001", 1, "office"),
        HeldPosition("00010002", 3, "leader_contact"),
        HeldPosition("00010002", 3, "office"),
    ]
)


def test_it_finds_the_topmost_position_of_some_kinds():
    assert ROLES.top_position() == HeldPosition("0001", 1, "office")
    assert ROLES.top_position(Roles.SECRETARY_KINDS).org_id == 2
    assert ROLES.top_position(Roles.LEADER_KINDS).path == "00010002"
    assert Roles().top_position() is None


def test_it_keeps_only_the_paths_under_no_other_one():
    assert ROLES.topmost_paths() == ["0001"]
    assert ROLES.topmost_paths(Roles.LEADER_KINDS + Roles.SECRETARY_KINDS) == [
        "00010001",
        "00010002",
    ]


def test_it_matches_nothing_for_a_user_without_such_a_position():
    assert Roles().within("path") == NOTHING
    assert ROLES.within("organization__path", Roles.SECRETARY_KINDS).children == [
        ("organization__path__startswith", "00010001")
    ]
