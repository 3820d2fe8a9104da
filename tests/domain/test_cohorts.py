"""The cohort matcher, on hand-made cases and with hypothesis properties (no database)."""

from __future__ import annotations

from datetime import date, time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.cohorts import (
    HALF_HOURS,
    Availability,
    Reason,
    Rules,
    Slot,
    Wanter,
    fits,
    match_topic,
    possible_starts,
)

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
WEEKDAYS = frozenset(range(5))
WINTER = Rules(start=date(2026, 1, 12))  # eight weeks without a clock change anywhere below


def person(
    user_id: str, tz: str, hours: range | list[int], days: frozenset[int] = WEEKDAYS, order: int = 0
) -> Wanter:
    return Wanter(user_id, Availability(tz, frozenset(days), frozenset(hours)), order)


def test_five_people_in_three_zones_share_an_hour() -> None:
    wanters = [
        person("sf", "America/Los_Angeles", range(9, 12), order=1),
        person("ny", "America/New_York", range(11, 14), order=2),
        person("ams1", "Europe/Amsterdam", range(17, 20), order=3),
        person("ams2", "Europe/Amsterdam", range(16, 19), order=4),
        person("ny2", "America/New_York", range(10, 13), order=5),
    ]
    result = match_topic(wanters, WINTER)
    # 09:00 in San Francisco = 12:00 in New York = 18:00 in Amsterdam = 17:00 UTC, and the
    # earliest day of the week wins the tie.
    assert [(c.slot, c.members) for c in result.cohorts] == [
        (Slot(MON, time(17)), ("sf", "ny", "ams1", "ams2", "ny2"))
    ]
    assert result.left_out == []


def test_the_odd_one_out_is_told_the_hour_most_people_share() -> None:
    wanters = [person(f"eu{i}", "Europe/Berlin", range(18, 20), order=i) for i in range(4)]
    wanters.append(person("tokyo", "Asia/Tokyo", range(19, 22), order=9))
    result = match_topic(wanters, WINTER)
    assert len(result.cohorts) == 1 and "tokyo" not in result.cohorts[0].members
    [left] = result.left_out
    assert left.user_id == "tokyo"
    assert left.reason is Reason.NO_SHARED_HOUR
    assert left.others_then == 0 and left.short_by == 3
    assert left.best_slot is not None and left.best_slot.start == time(10)  # 19:00 in Tokyo


def test_more_than_a_group_at_one_hour_forms_even_cohorts() -> None:
    wanters = [person(f"p{i:02}", "Europe/London", [12], order=i) for i in range(10)]
    result = match_topic(wanters, WINTER)
    assert [len(c.members) for c in result.cohorts] == [5, 5]
    assert result.cohorts[0].members == tuple(f"p{i:02}" for i in range(5))  # first come
    assert {c.slot for c in result.cohorts} == {Slot(MON, time(12))}


def test_one_over_the_seats_waits_and_is_told_there_is_no_room() -> None:
    wanters = [person(f"p{i}", "UTC", [9], days=frozenset({TUE}), order=i) for i in range(7)]
    result = match_topic(wanters, WINTER)
    assert [c.members for c in result.cohorts] == [tuple(f"p{i}" for i in range(6))]
    assert [(left.user_id, left.reason) for left in result.left_out] == [("p6", Reason.NO_ROOM)]


def test_san_francisco_and_tokyo_evenings_form_two_cohorts() -> None:
    sf = [person(f"sf{i}", "America/Los_Angeles", range(18, 21), order=i) for i in range(4)]
    tokyo = [person(f"tk{i}", "Asia/Tokyo", range(19, 22), order=10 + i) for i in range(4)]
    result = match_topic(sf + tokyo, WINTER)
    assert sorted(c.members for c in result.cohorts) == [
        tuple(f"sf{i}" for i in range(4)),
        tuple(f"tk{i}" for i in range(4)),
    ]
    assert result.left_out == []


def test_no_shared_hour_no_cohort() -> None:
    wanters = [
        person("a", "UTC", [8]),
        person("b", "UTC", [10]),
        person("c", "UTC", [12]),
        person("d", "UTC", [14]),
    ]
    result = match_topic(wanters, WINTER)
    assert result.cohorts == []
    assert {left.reason for left in result.left_out} == {Reason.NO_SHARED_HOUR}
    assert all(left.short_by == 3 for left in result.left_out)


def test_too_few_people_are_told_how_many_more_would_make_a_group() -> None:
    result = match_topic([person("a", "UTC", [9]), person("b", "UTC", [9])], WINTER)
    assert result.cohorts == []
    assert [(left.reason, left.short_by, left.others_then) for left in result.left_out] == [
        (Reason.TOO_FEW, 2, 1),
        (Reason.TOO_FEW, 2, 1),
    ]


def test_a_clock_change_in_the_weeks_ahead_moves_a_fixed_utc_hour() -> None:
    # Amsterdam moves to summer time on 29 March 2026: 17:00 UTC is 18:00 there before and
    # 19:00 after. San Francisco moved on 8 March: 17:00 UTC is 09:00, then 10:00 there.
    ams_tight = person("ams", "Europe/Amsterdam", [18], order=1)
    others = [person(f"sf{i}", "America/Los_Angeles", range(8, 11), order=2 + i) for i in range(3)]
    before_the_change = Rules(start=date(2026, 3, 2), weeks=3)
    [cohort] = match_topic([ams_tight, *others], before_the_change).cohorts
    assert cohort.slot == Slot(MON, time(17)) and len(cohort.members) == 4

    across_it = Rules(start=date(2026, 3, 2), weeks=6)
    result = match_topic([ams_tight, *others], across_it)
    assert result.cohorts == []
    assert {left.user_id: left.reason for left in result.left_out}["ams"] is Reason.NO_TIMES
    assert possible_starts(ams_tight.availability, across_it) == 0  # no steady UTC hour
    ams_wider = person("ams", "Europe/Amsterdam", [18, 19], order=1)
    [cohort] = match_topic([ams_wider, *others], across_it).cohorts
    assert cohort.slot == Slot(MON, time(17))


def test_a_session_that_runs_past_midnight_on_sunday_needs_monday_free_too() -> None:
    sunday_late = Availability("UTC", frozenset({SUN}), frozenset({23}))
    rules = Rules(start=date(2026, 1, 12), session_minutes=90)
    assert possible_starts(sunday_late, rules) == 0
    with_monday = Availability("UTC", frozenset({SUN, MON}), frozenset({0, 23}))
    assert possible_starts(with_monday, rules) & 1 << Slot(SUN, time(23)).quarter


def test_a_group_in_its_own_zone_is_checked_on_both_clocks() -> None:
    lisbon = Availability("Europe/Lisbon", frozenset({THU}), frozenset({17}))
    rules = Rules(start=date(2026, 3, 16), weeks=6)
    # An Amsterdam 18:00 session is 17:00 in Lisbon all year (both change on the same day).
    assert fits(lisbon, weekday=THU, clock=time(18), timezone="Europe/Amsterdam", rules=rules)
    # The same session in New York's 13:00 is 17:00 in Lisbon only after 29 March.
    assert not fits(lisbon, weekday=THU, clock=time(13), timezone="America/New_York", rules=rules)


# --- properties -------------------------------------------------------------------------------

ZONES = [
    "UTC",
    "Europe/Amsterdam",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Australia/Lord_Howe",
]

availabilities = st.builds(
    Availability,
    timezone=st.sampled_from(ZONES),
    weekdays=st.frozensets(st.integers(0, 6), min_size=1, max_size=7),
    hours=st.frozensets(st.integers(0, 23), min_size=1, max_size=8),
)
rules_strategy = st.builds(
    lambda start, weeks, low, extra, minutes: Rules(
        start=start, weeks=weeks, min_size=low, max_size=low + extra, session_minutes=minutes
    ),
    start=st.dates(date(2026, 1, 1), date(2027, 12, 31)),
    weeks=st.integers(1, 8),
    low=st.integers(2, 4),
    extra=st.integers(0, 2),
    minutes=st.sampled_from([30, 60, 90]),
)
crowds = st.lists(availabilities, min_size=0, max_size=24).map(
    lambda found: [Wanter(f"U{i}", a, order=i) for i, a in enumerate(found)]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wanters=crowds, rules=rules_strategy)
def test_every_cohort_fits_everyone_within_bounds_and_nobody_twice(
    wanters: list[Wanter], rules: Rules
) -> None:
    result = match_topic(wanters, rules)
    by_id = {w.user_id: w for w in wanters}
    placed = [u for c in result.cohorts for u in c.members]
    left = [x.user_id for x in result.left_out]
    assert len(placed) == len(set(placed)), "someone is in two cohorts"
    assert sorted(placed + left) == sorted(by_id), "everyone is placed or told why, once"
    for cohort in result.cohorts:
        assert rules.min_size <= len(cohort.members) <= rules.max_size
        assert cohort.slot.start.minute in (0, 30)
        for user in cohort.members:
            assert fits(
                by_id[user].availability,
                weekday=cohort.slot.weekday,
                clock=cohort.slot.start,
                timezone="UTC",
                rules=rules,
            ), f"{user} cannot make {cohort.slot}"
    # Nobody left out could have formed a group among themselves.
    masks = [possible_starts(by_id[u].availability, rules) & HALF_HOURS for u in left]
    for q in range(0, 672, 2):
        assert sum(1 for m in masks if m >> q & 1) < rules.min_size or any(
            x.reason is Reason.TOO_FEW for x in result.left_out
        )


@settings(max_examples=200, deadline=None)
@given(
    availability=availabilities,
    rules=rules_strategy,
    quarter=st.integers(0, 671).map(lambda q: q - q % 2),
)
def test_the_fast_masks_agree_with_checking_each_instant(
    availability: Availability, rules: Rules, quarter: int
) -> None:
    slot = Slot.from_quarter(quarter)
    fast = bool(possible_starts(availability, rules) >> quarter & 1)
    slow = fits(availability, weekday=slot.weekday, clock=slot.start, timezone="UTC", rules=rules)
    assert fast == slow
