import pytest
from django.core.exceptions import ImproperlyConfigured

from core.exports import registry


def build(job, out, progress):
    pass


def other_build(job, out, progress):
    pass


@pytest.fixture
def kind():
    yield "registry-test"
    registry.unregister("registry-test")


def test_it_finds_a_registered_kind_with_its_label_and_title(kind):
    registry.register(kind, build, label="测试", permission=lambda user, params: True)
    entry = registry.get(kind)
    assert entry.builder is build
    assert registry.label_of(kind) == "测试"
    assert entry.title_for({}) == "测试"  # the label when the kind names no title
    assert entry.clean_params({"a": "1"}) == {"a": "1"}


def test_it_allows_the_same_registration_twice(kind):
    registry.register(kind, build, label="测试", permission=lambda user, params: True)
    registry.register(kind, build, label="测试", permission=lambda user, params: True)


def test_it_refuses_two_builders_for_one_kind(kind):
    registry.register(kind, build, label="测试", permission=lambda user, params: True)
    with pytest.raises(ImproperlyConfigured):
        registry.register(kind, other_build, label="测试", permission=lambda u, p: True)


@pytest.mark.parametrize("bad", ["", "k" * 51])
def test_it_refuses_a_kind_name_the_job_cannot_hold(bad):
    with pytest.raises(ImproperlyConfigured):
        registry.register(bad, build, label="测试", permission=lambda user, params: True)


def test_it_knows_no_unregistered_kind():
    assert registry.get("never-registered") is None
    assert registry.label_of("never-registered") == "never-registered"
