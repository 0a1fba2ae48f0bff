from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stanch.errors import InvalidInput
from stanch.model.clock import from_iso, human_duration, iso
from stanch.model.naming import channel_name, check_incident_id, incident_id, slugify
from stanch.model.timeparse import parse_when

NOW = datetime(2026, 11, 22, 10, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 min ago", NOW - timedelta(minutes=12)),
        ("12m ago", NOW - timedelta(minutes=12)),
        ("1h 30m ago", NOW - timedelta(minutes=90)),
        ("2 hours, 5 minutes ago", NOW - timedelta(minutes=125)),
        ("45s ago", NOW - timedelta(seconds=45)),
        ("1 day ago", NOW - timedelta(days=1)),
        ("now", NOW),
        ("2026-11-22T09:03:07Z", datetime(2026, 11, 22, 9, 3, 7, tzinfo=UTC)),
        ("2026-11-22T10:03:07+02:00", datetime(2026, 11, 22, 8, 3, 7, tzinfo=UTC)),
        ("2026-11-22 09:00:00-01:00", datetime(2026, 11, 22, 10, 0, 0, tzinfo=UTC)),
    ],
)
def test_times_responders_type(text: str, expected: datetime) -> None:
    assert parse_when(text, NOW) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-11-22T09:03:07", "no offset"),
        ("yesterday-ish", "cannot read time"),
        ("12 parsecs ago", "unknown time unit"),
        ("2026-11-23T10:00:00Z", "in the future"),
        ("", "empty time"),
    ],
)
def test_bad_times_are_refused_clearly(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_when(text, NOW)


def test_a_minute_of_clock_skew_is_not_the_future() -> None:
    assert parse_when("2026-11-22T10:00:30Z", NOW) == NOW + timedelta(seconds=30)


@given(st.datetimes(timezones=st.just(UTC)))
def test_iso_round_trips_to_the_second(moment: datetime) -> None:
    assert from_iso(iso(moment)) == moment.replace(microsecond=0)
    assert iso(moment).endswith("Z")


def test_slug_and_id_follow_the_file_stem_rule() -> None:
    assert slugify("Checkout returns 502 for EU users") == "checkout-502-eu"
    assert slugify("Ünïcödé — payments!!") == "unicode-payments"
    assert slugify("the") == "the"
    assert len(slugify("word " * 40)) <= 40
    assert incident_id(NOW, "checkout-502-eu") == "2026-11-22-checkout-502-eu"
    assert incident_id(NOW, "checkout-502-eu", 3) == "2026-11-22-checkout-502-eu-3"


@pytest.mark.parametrize("bad", ["../etc/passwd", "2026-11-22-Foo", "x", "2026-11-22-a b"])
def test_ids_that_could_escape_the_directory_are_refused(bad: str) -> None:
    with pytest.raises(InvalidInput):
        check_incident_id(bad)


def test_channel_names_follow_slack_rules() -> None:
    name = channel_name("INC {id} / War Room", "2026-11-22-checkout-502-eu", "x", NOW)
    assert name == "inc-2026-11-22-checkout-502-eu-war-room"
    long = channel_name("inc-{slug}", "id", "a" * 200, NOW)
    assert len(long) <= 80
    with pytest.raises(InvalidInput, match="bad channel pattern"):
        channel_name("inc-{nope}", "id", "slug", NOW)


def test_human_durations() -> None:
    assert human_duration(timedelta(minutes=72)) == "1h 12m"
    assert human_duration(timedelta(seconds=45)) == "45s"
    assert human_duration(timedelta(days=2, hours=3, minutes=5)) == "2d 3h"
