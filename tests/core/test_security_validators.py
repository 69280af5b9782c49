import re

import pytest
from django.contrib.auth.password_validation import (
    get_default_password_validators,
    validate_password,
)
from django.core.exceptions import ValidationError

from core.security.validators import CharacterClassesValidator
from tests.factories import UserFactory


@pytest.mark.parametrize(
    "password",
    ["12345678", "1234567890", "password", "Password1", "hongqi2026abc", "zhangsan2026"],
)
def test_it_refuses_weak_passwords(db, password):
    user = UserFactory.build(username="zhangsan2026", first_name="张三")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_it_refuses_the_username_itself(db):
    user = UserFactory.build(username="Secretary-2026x")
    with pytest.raises(ValidationError):
        validate_password("Secretary-2026x", user)


def test_it_accepts_a_long_password_of_three_classes(db):
    user = UserFactory.build(username="zhangsan")
    validate_password("Hongqi-2026-abc", user)
    validate_password("hongqi2026#dong", user)


def test_it_counts_character_classes():
    assert CharacterClassesValidator.classes("abc") == 1
    assert CharacterClassesValidator.classes("abcD1") == 3
    assert CharacterClassesValidator.classes("abcD1-") == 4
    assert CharacterClassesValidator.classes("红旗abc") == 2


def test_it_explains_the_rule_in_chinese():
    with pytest.raises(ValidationError) as refused:
        CharacterClassesValidator(min_classes=3).validate("hongqiabcdef")
    assert "至少 3 种" in refused.value.messages[0]


def test_it_refuses_a_weak_new_password_through_the_change_page(client, db):
    user = UserFactory(username="newbie")
    client.force_login(user)
    response = client.post(
        "/password/",
        {"old_password": "pass12345", "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password("pass12345")


@pytest.mark.parametrize("password", ["abc", "zhangsan2026", "password", "1234567890123"])
def test_it_says_every_refusal_in_chinese(db, password):
    # Django 5.2's "This password is too short" has no Chinese translation of its own.
    user = UserFactory.build(username="zhangsan2026")
    for validator in get_default_password_validators():
        assert re.search(r"[\u4e00-\u9fff]", validator.get_help_text())
        try:
            validator.validate(password, user)
        except ValidationError as refused:
            assert all(re.search(r"[\u4e00-\u9fff]", m) for m in refused.messages), refused


def test_it_says_a_short_password_is_too_short_in_chinese(db):
    with pytest.raises(ValidationError, match="密码太短，至少需要 10 个字符"):
        validate_password("Ab-1", UserFactory.build(username="li"))
