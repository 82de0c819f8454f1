from __future__ import annotations

import datetime as dt

import pytest

from packgen.read.dates import DateError, find_date, parse_date, parse_time


@pytest.mark.parametrize(
    ("text", "ymd"),
    [
        ("09/09/2020", (2020, 9, 9)),
        ("09 09 2020", (2020, 9, 9)),
        ("9 September 2020", (2020, 9, 9)),
        ("15 October 2020", (2020, 10, 15)),
        ("03/08/2020", (2020, 8, 3)),  # day first: 3 August, never 8 March
        ("6/8/19", (2019, 8, 6)),
        ("  14 08 2020 ", (2020, 8, 14)),
        ("2020-10-15", (2020, 10, 15)),
        ("1st Sept 2020", (2020, 9, 1)),
    ],
)
def test_full_uk_dates_are_read_day_first(text, ymd):
    date = parse_date(text)
    assert (date.year, date.month, date.day) == ymd
    assert date.text == text.strip()


@pytest.mark.parametrize(("text", "ym"), [("May 2017", (2017, 5)), ("Dec 2018", (2018, 12))])
def test_month_only_dates_stay_month_only(text, ym):
    date = parse_date(text)
    assert (date.year, date.month, date.day) == (*ym, None)
    assert date.exact is None


def test_real_excel_date_is_read():
    date = parse_date(dt.datetime(2020, 10, 15))
    assert date.exact == dt.date(2020, 10, 15)
    assert date.text == "15 October 2020"


@pytest.mark.parametrize("text", ["???", "TBC", "", None, " tbc "])
def test_unknown_marks_are_unknown_not_errors(text):
    assert not parse_date(text).known


def test_unknown_is_an_error_where_the_column_needs_a_date():
    with pytest.raises(DateError, match="missing"):
        parse_date("", unknown_ok=False)


@pytest.mark.parametrize(
    ("text", "message"),
    [("31/02/2020", "is not a real date"), ("next week", "is not a date"), ("13/13/2020", "real")],
)
def test_impossible_dates_are_errors(text, message):
    with pytest.raises(DateError, match=message):
        parse_date(text)


@pytest.mark.parametrize(
    ("heading", "ymd"),
    [
        ("November 2020 [Date TBC]", (2020, 11, None)),
        ("July 2020 – no meeting held", (2020, 7, None)),
        ("03 August 2020", (2020, 8, 3)),
        ("Held 2020 then 9 September 2020", (2020, 9, 9)),
    ],
)
def test_find_date_reads_the_date_in_a_heading(heading, ymd):
    date = find_date(heading)
    assert (date.year, date.month, date.day) == ymd
    assert date.text == heading


@pytest.mark.parametrize(
    ("value", "expected"),
    [("09:00", dt.time(9)), ("15.45", dt.time(15, 45)), ("2.30pm", dt.time(14, 30)),
     (dt.time(10), dt.time(10)), (0.625, dt.time(15)), ("", None)],
)  # fmt: skip
def test_times_are_read(value, expected):
    assert parse_time(value) == expected


def test_impossible_time_is_an_error():
    with pytest.raises(DateError, match="not a real time"):
        parse_time("25:00")
