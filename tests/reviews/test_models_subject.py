"""SubjectKey: the one reader and writer of "o:12" / "s:12" / "m:345"."""

import pytest

from reviews.models import SubjectKey, SubjectKind


@pytest.mark.parametrize(
    "raw, key",
    [
        ("o:12", SubjectKey(SubjectKind.ORGANIZATION, 12)),
        ("s:12", SubjectKey(SubjectKind.SECRETARY, 12)),
        ("m:345", SubjectKey(SubjectKind.MEMBER, 345)),
    ],
)
def test_it_reads_and_writes_a_key(raw, key):
    assert SubjectKey.parse(raw) == key
    assert str(key) == raw


@pytest.mark.parametrize(
    "raw", [None, "", "o", "o:", "x:1", "o:-1", "o:1.5", "o:\u00b2", "m:" + "9" * 13]
)
def test_it_refuses_a_malformed_key_with_a_chinese_message(raw):
    with pytest.raises(ValueError, match="点评对象参数有误"):
        SubjectKey.parse(raw)


def test_it_keys_a_member_by_the_member_and_others_by_the_organization():
    assert str(SubjectKey.of(SubjectKind.MEMBER, 7, 345)) == "m:345"
    assert str(SubjectKey.of(SubjectKind.SECRETARY, 7)) == "s:7"
