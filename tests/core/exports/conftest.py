"""A tiny fake domain for core's exports: kind "fake" writes `rows` numbered rows of one
organization ("east" or "west"); only users named in ALLOWED may export an organization."""

import datetime

import pytest

from core.errors import TransitionError
from core.exports import registry
from core.xlsx import write_ledger
from tests.factories import UserFactory

ALLOWED = {"east": {"alice"}, "west": {"alice", "bob"}}


class FakeDomain:
    """Counts builds and can be told to fail, to fail with a message, or to watch its job."""

    def __init__(self):
        self.builds = 0
        self.fail_with: BaseException | None = None
        self.during = None  # called with (job, progress) in the middle of a build
        self.allowed = {org: set(names) for org, names in ALLOWED.items()}

    def permission(self, user, params) -> bool:
        return user.username in self.allowed.get(params.get("org"), set())

    def clean(self, params) -> dict:
        if params.get("org") not in ALLOWED:
            raise TransitionError("没有这个组织")
        try:
            rows = int(params.get("rows", 3))
        except (TypeError, ValueError) as e:
            raise TransitionError("行数应为整数") from e
        return {"org": params["org"], "rows": rows}

    def title(self, params) -> str:
        return f"{params['org']} 测试台账"

    def build(self, job, out, progress) -> None:
        self.builds += 1
        total = job.params["rows"]
        progress(0, total)
        if self.during:
            self.during(job, progress)
        if self.fail_with is not None:
            raise self.fail_with
        write_ledger(
            out,
            sheet_name="测试台账",
            title=job.title,
            columns=(("序号", 6), ("事项", None), ("时限", 12)),
            rows=range(total),
            to_cells=lambda n, i: [n, f"事项{i}", datetime.date(2026, 1, 1 + i % 28)],
            empty="没有数据",
            progress=lambda n: progress(n, total),
            progress_every=1,
        )


@pytest.fixture
def fake():
    domain = FakeDomain()
    registry.register(
        "fake",
        domain.build,
        label="测试台账",
        permission=domain.permission,
        clean=domain.clean,
        title=domain.title,
    )
    yield domain
    registry.unregister("fake")


@pytest.fixture
def alice(db):
    return UserFactory(username="alice")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob")


@pytest.fixture
def stranger(db):
    return UserFactory(username="stranger")
