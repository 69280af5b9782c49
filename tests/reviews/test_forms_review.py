"""The review form's own logic: what 指出问题 offers the 四定 rows."""

from reviews.forms.review import problem_points


def test_it_offers_the_whole_text_when_it_is_not_numbered():
    assert problem_points("台账不全，\n走访偏少") == ["台账不全，\n走访偏少"]


def test_it_offers_each_numbered_point_to_its_own_row():
    text = "1. 台账不全\n2、走访偏少\n（3）制度未上墙"
    assert problem_points(text) == ["台账不全", "走访偏少", "制度未上墙"]


def test_it_reads_chinese_numbering_too():
    assert problem_points("一、台账不全\n二、走访偏少") == ["台账不全", "走访偏少"]


def test_it_offers_nothing_for_an_empty_text():
    assert problem_points("  \n") == []
