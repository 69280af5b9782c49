"""core/periods.py: a ledger's period as users write it."""

import pytest

from core.errors import TransitionError
from core.periods import Period


@pytest.mark.parametrize(
    ("raw", "code"),
    [("2026", "2026"), ("2026h1", "2026H1"), (" 2026Q3 ", "2026Q3")],
)
def test_it_reads_the_three_kinds_of_period(raw, code):
    assert Period.parse(raw).code == code


@pytest.mark.parametrize("raw", ["2026H3", "2026Q5", "2026Q0", "20260", None, 2026, "2026\x00"])
def test_it_refuses_a_malformed_period(raw):
    with pytest.raises(TransitionError):
        Period.parse(raw)
