"""Report periods and time buckets: days of the producer's zone, across DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime

from resolvers.periods import period_of
from resolvers.reports import next_bucket_start, time_buckets


def test_time_buckets_are_local_midnights() -> None:
    period = period_of(date(2024, 2, 28), date(2024, 3, 12), "America/New_York")
    weeks = time_buckets(period, "WEEK")
    assert [b.start for b in weeks] == [date(2024, 2, 26), date(2024, 3, 4), date(2024, 3, 11)]
    assert weeks[0].first_day == period.first_day  # the first week counts from the period's first day
    assert [b.first_day for b in weeks[1:]] == [date(2024, 3, 4), date(2024, 3, 11)]
    assert period.start.astimezone(UTC) == datetime(2024, 2, 28, 5, tzinfo=UTC)
    assert period.end.astimezone(UTC) == datetime(2024, 3, 13, 4, tzinfo=UTC)  # after the DST change
    months = time_buckets(period, "MONTH")
    assert [b.start for b in months] == [date(2024, 2, 1), date(2024, 3, 1)]
    assert months[1].first_day == date(2024, 3, 1)
    assert next_bucket_start(date(2024, 12, 1), "MONTH") == date(2025, 1, 1)
    assert len(time_buckets(period, "DAY")) == 14
