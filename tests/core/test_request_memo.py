"""Values kept for one request, and only for it."""

from core import request_memo


def test_it_computes_every_time_outside_a_request():
    calls = []
    for _n in range(2):
        request_memo.remembered("k", lambda: calls.append(1))
    assert len(calls) == 2


def test_it_computes_once_per_request_and_forgets_at_its_end():
    calls = []
    request_memo._start()
    try:
        for _n in range(3):
            request_memo.remembered(("k", 1), lambda: calls.append(1) or len(calls))
        assert len(calls) == 1
        request_memo.forget("k")
        request_memo.remembered(("k", 1), lambda: calls.append(1))
        assert len(calls) == 2
    finally:
        request_memo._end()
    request_memo.remembered(("k", 1), lambda: calls.append(1))
    assert len(calls) == 3
