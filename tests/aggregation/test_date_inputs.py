"""Dates given as strings: ISO 8601 only, with custseg's own remedy otherwise."""

import pandas as pd
import polars as pl
import pytest

from custseg import calibration_holdout_split, cohort_retention, rfm_table

LOG = pd.DataFrame(
    {
        "customer_id": ["a", "a", "b", "b"],
        "date": pd.to_datetime(
            ["2011-01-01", "2011-01-20", "2011-01-05", "2011-03-01"]
        ),
        "amount": [10.0, 5.0, 7.0, 3.0],
    }
)


def test_us_date_strings_suggest_a_format_not_pandas_arguments():
    log = LOG.assign(date=LOG.date.dt.strftime("%m/%d/%Y %H:%M"))
    with pytest.raises(ValueError, match="date column 'date'") as info:
        rfm_table(log)
    message = str(info.value)
    # pandas' hint names arguments rfm_table does not have
    assert "format='mixed'" not in message
    assert "You might want to try" not in message
    assert "'01/01/2011 00:00'" in message
    # both readings of an ambiguous first value are offered
    assert 'pd.to_datetime(df["date"], format="%m/%d/%Y %H:%M")' in message
    assert 'format="%d/%m/%Y %H:%M"' in message
    # the suggested conversion works and gives the original dates
    fixed = log.assign(date=pd.to_datetime(log["date"], format="%m/%d/%Y %H:%M"))
    pd.testing.assert_frame_equal(rfm_table(fixed), rfm_table(LOG))


def test_unambiguous_layout_gets_one_format():
    log = LOG.assign(date=LOG.date.dt.strftime("%d.%m.%Y"))
    with pytest.raises(ValueError, match=r'format="%d\.%m\.%Y"\), or pass'):
        rfm_table(log)


def test_unknown_layout_gets_a_generic_remedy():
    log = LOG.assign(date=["first of Jan", "x", "y", "z"])
    with pytest.raises(ValueError, match=r"'first of Jan'.*format=\"\.\.\.\""):
        rfm_table(log)


def test_polars_engine_error_drops_polars_hints():
    log = pl.from_pandas(LOG.assign(date=LOG.date.dt.strftime("%m/%d/%Y %H:%M")))
    with pytest.raises(ValueError, match="date column 'date'") as info:
        rfm_table(log)
    assert "strict=False" not in str(info.value)
    assert "str.to_datetime(format=" in str(info.value)


@pytest.mark.parametrize("value", ["01/02/2011", "2/1/2011", "Feb 1 2011"])
def test_reference_date_strings_must_be_iso(value):
    with pytest.raises(ValueError, match=f"reference_date='{value}'.*ISO-8601"):
        rfm_table(LOG, reference_date=value)
    with pytest.raises(ValueError, match=f"cutoff='{value}'.*ISO-8601"):
        calibration_holdout_split(LOG, value)
    with pytest.raises(ValueError, match=f"reference_date='{value}'.*ISO-8601"):
        cohort_retention(LOG, reference_date=value)


@pytest.mark.parametrize(
    "value", ["2011-02-01", "2011-02-01T12:00", "20110201", pd.Timestamp(2011, 2, 1)]
)
def test_iso_strings_and_timestamps_are_read_year_month_day(value):
    table = rfm_table(LOG, reference_date=value)
    # 1 February: b's purchase of 1 March is excluded, a's last was 20 January
    assert table.loc["a", "recency"] == 12
    assert table.loc["b", "monetary"] == 7.0
