"""Pages of 自查自评: the reports owed, a report."""

import pytest

PAGES = [
    ("secretary", "/reviews/reports/", 6),
    ("secretary", "/reviews/reports/{report}/", 5),
]


@pytest.mark.parametrize("rows", [1, 4])
@pytest.mark.parametrize(("who", "url", "queries"), PAGES)
def test_it_reads_each_page_in_a_fixed_number_of_queries(
    assert_page_queries, who, url, queries, rows
):
    assert_page_queries(who, url, queries, rows)
