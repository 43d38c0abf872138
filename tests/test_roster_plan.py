"""The roster arithmetic (kinerja.roster.plan): worked examples and a property test over random agencies."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kinerja.models import WorkMode
from kinerja.roster.plan import Member, capacity, plan, unit_limit

MONDAY = date(2026, 11, 2)
WFO, WFH = WorkMode.WFO, WorkMode.WFH


def weekdays(n: int) -> list[date]:
    return [MONDAY + timedelta(days=i) for i in range(n)]


def wfo_days(result, employee_id: int) -> int:
    return sum(1 for (e, _day), mode in result.modes.items() if e == employee_id and mode is WFO)


def test_capacity_floors_and_no_cap_means_everyone():
    assert [capacity(7, 50), capacity(3, 25), capacity(4, 0), capacity(5, None)] == [3, 0, 0, 5]


def test_half_of_four_people_over_ten_days_gives_each_five_office_days():
    members = [Member(e, 1, False) for e in (1, 2, 3, 4)]
    days = weekdays(10)
    result = plan(members, days, dict.fromkeys(days, 50), {}, {})
    assert [wfo_days(result, e) for e in (1, 2, 3, 4)] == [5, 5, 5, 5]
    assert all(sum(result.modes[e, day] is WFO for e in (1, 2, 3, 4)) == 2 for day in days)
    assert result.warnings == []


def test_duty_rotates_in_pairs():
    members = [Member(e, 1, False) for e in (1, 2, 3, 4)]
    days = weekdays(4)
    result = plan(members, days, dict.fromkeys(days, 50), {}, {})
    on_site = [{e for e in (1, 2, 3, 4) if result.modes[e, day] is WFO} for day in days]
    assert on_site == [{1, 2}, {3, 4}, {1, 2}, {3, 4}]


def test_an_essential_nurse_is_always_on_site_and_takes_the_only_place():
    members = [Member(1, 1, True), Member(2, 1, False), Member(3, 1, False), Member(4, 1, False)]
    days = weekdays(5)
    result = plan(members, days, dict.fromkeys(days, 25), {}, {})
    assert all(result.modes[1, day] is WFO for day in days)
    assert wfo_days(result, 2) + wfo_days(result, 3) + wfo_days(result, 4) == 0
    assert result.warnings == []


def test_essential_staff_over_the_cap_stay_on_site_with_a_warning_naming_unit_and_day():
    members = [Member(1, 7, True), Member(2, 7, False)]
    result = plan(members, [MONDAY], {MONDAY: 0}, {}, {}, unit_names={7: "Puskesmas Cibeber"})
    assert result.modes[1, MONDAY] is WFO and result.modes[2, MONDAY] is WFH
    assert any("Puskesmas Cibeber" in w and "02-11-2026" in w for w in result.warnings)


def test_someone_on_leave_gets_no_entry_and_does_not_count():
    members = [Member(e, 1, False) for e in (1, 2, 3, 4)]
    result = plan(members, [MONDAY], {MONDAY: 50}, {4: {MONDAY}}, {})
    assert (4, MONDAY) not in result.modes
    assert sum(mode is WFO for mode in result.modes.values()) == 1  # floor(50% of 3)


def test_overrides_are_kept_and_counted():
    members = [Member(e, 1, False) for e in (1, 2, 3, 4)]
    result = plan(members, [MONDAY], {MONDAY: 50}, {}, {(3, MONDAY): WFO, (4, MONDAY): WFO})
    assert [result.modes[e, MONDAY] for e in (1, 2, 3, 4)] == [WFH, WFH, WFO, WFO]
    assert result.warnings == []


def test_an_override_breaking_the_cap_is_kept_with_a_warning():
    members = [Member(e, 1, False) for e in (1, 2)]
    result = plan(members, [MONDAY], {MONDAY: 0}, {}, {(1, MONDAY): WFO})
    assert result.modes[1, MONDAY] is WFO and len(result.warnings) == 2  # the unit's and the agency's


def test_the_agency_cap_binds_when_one_unit_is_over_with_essential_staff():
    members = [Member(1, 1, True), Member(2, 1, True), Member(3, 2, False), Member(4, 2, False)]
    result = plan(members, [MONDAY], {MONDAY: 50}, {}, {})  # unit 1: 2 > 1 place; agency: 2 places, all taken
    assert (result.modes[3, MONDAY], result.modes[4, MONDAY]) == (WFH, WFH)


def test_earlier_rosters_decide_who_starts():
    members = [Member(e, 1, False) for e in (1, 2)]
    result = plan(members, [MONDAY], {MONDAY: 50}, {}, {}, prior_wfo={1: 5, 2: 4})
    assert (result.modes[1, MONDAY], result.modes[2, MONDAY]) == (WFH, WFO)


# --- property test -------------------------------------------------------------------------------------------

@st.composite
def scenarios(draw):
    day_count = draw(st.integers(1, 8))
    days = weekdays(day_count)
    unit_count = draw(st.integers(1, 3))
    size = draw(st.integers(0, 12))
    members = [Member(e, draw(st.integers(1, unit_count)), draw(st.integers(0, 4)) == 0) for e in range(1, size + 1)]
    percents = {day: draw(st.one_of(st.none(), st.sampled_from([0, 25, 50, 75, 100]), st.integers(0, 100)))
                for day in days}
    # Few distinct leave patterns, so that members present on the same days (comparable ones) are common.
    patterns = [set(), *(set(draw(st.sets(st.sampled_from(days)))) for _ in range(2))]
    away = {m.employee_id: patterns[draw(st.integers(0, 2))] for m in members}
    overridden = [m for m in members if draw(st.integers(0, 3)) == 0]
    overrides = {(m.employee_id, day): draw(st.sampled_from([WFO, WFH]))
                 for m in overridden for day in days if draw(st.booleans())}
    return members, days, percents, away, overrides


@settings(max_examples=300, deadline=None, database=None)
@given(scenarios())
def test_plan_keeps_the_caps_the_fixed_modes_and_the_rotation(scenario):
    members, days, percents, away, overrides = scenario
    names = {unit: f"Unit {unit}" for unit in range(1, 4)}
    result = plan(members, days, percents, away, overrides, unit_names=names)

    # Exactly the present members have a mode, each day.
    assert set(result.modes) == {(m.employee_id, d) for m in members for d in days if d not in away[m.employee_id]}
    accrued: Counter[int] = Counter()  # a unit's share so far, in hundredths of a person-day
    had: Counter[int] = Counter()  # a unit's office days so far
    for day in days:
        present = [m for m in members if day not in away[m.employee_id]]
        fixed = [m for m in present if m.essential or (m.employee_id, day) in overrides]
        for m in present:
            mode = result.modes[m.employee_id, day]
            if m.essential:
                assert mode is WFO
            elif (m.employee_id, day) in overrides:
                assert mode is overrides[m.employee_id, day]
        wfo = Counter(m.unit_id for m in present if result.modes[m.employee_id, day] is WFO)
        forced = Counter(m.unit_id for m in fixed if result.modes[m.employee_id, day] is WFO)
        heads = Counter(m.unit_id for m in present)
        limits = {unit: unit_limit(n, percents[day]) for unit, n in heads.items()}
        for unit, n in heads.items():
            accrued[unit] += n * (100 if percents[day] is None else percents[day])
        share = {unit: max(0, (accrued[unit] + 50) // 100 - had[unit]) for unit in heads}
        agency_places = capacity(len(present), percents[day])
        # The agency cap holds every day, unless fixed modes alone break it, which is then warned about.
        total, total_forced = sum(wfo.values()), sum(forced.values())
        assert total <= max(agency_places, total_forced)
        if total > agency_places:
            assert any("OPD" in w and f"{day:%d-%m-%Y}" in w for w in result.warnings)
        # A unit stays within its daily limit and its share so far, unless fixed modes alone break it.
        for unit in heads:
            assert wfo[unit] <= max(min(limits[unit], share[unit]), forced[unit])
            if forced[unit] > limits[unit]:
                assert any(names[unit] in w and f"{day:%d-%m-%Y}" in w for w in result.warnings)
        # No office place is wasted: a free member at home means their unit used its places or the agency is full.
        for m in present:
            if m not in fixed and result.modes[m.employee_id, day] is WFH:
                assert wfo[m.unit_id] >= min(limits[m.unit_id], share[m.unit_id]) or total >= agency_places
        had.update(wfo)

    # Rotation: comparable members (same unit, same days present, never essential or overridden) differ by ≤ 1.
    free = [m for m in members if not m.essential and all((m.employee_id, d) not in overrides for d in days)]
    for a in free:
        for b in free:
            if a.unit_id == b.unit_id and away[a.employee_id] == away[b.employee_id]:
                assert abs(wfo_days(result, a.employee_id) - wfo_days(result, b.employee_id)) <= 1


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(st.integers(1, 6), min_size=1, max_size=14), st.integers(1, 100), st.integers(0, 30))
def test_everyone_gets_office_days_in_proportion_under_any_cap_above_zero(units, percent, extra_days):
    """Units of any size (one-person ones too), a cap p > 0 that leaves the agency at least one place a day:
    over a period of at least 100/p days plus as many as the agency needs to give everyone a turn, everyone
    gets an office day, and nobody more than their unit's share rounded up."""
    members = [Member(e, unit, False) for e, unit in enumerate(units, start=1)]
    places = capacity(len(members), percent)
    if places == 0:
        return  # the agency's daily cap is zero: nobody may be in the office
    day_count = -(-100 // percent) + -(-len(members) // places) + extra_days
    days = [MONDAY + timedelta(days=i) for i in range(day_count)]
    result = plan(members, days, dict.fromkeys(days, percent), {}, {})
    for day in days:
        assert sum(result.modes[m.employee_id, day] is WFO for m in members) <= places
    heads = Counter(units)
    for m in members:
        office = wfo_days(result, m.employee_id)
        assert office >= 1, (m, office)
        # Proportion: within a unit the share is split evenly (±1), and a unit gets no more than its share.
        assert office <= -(-day_count * percent // 100) + 1
    for unit, n in heads.items():
        unit_days = sum(wfo_days(result, m.employee_id) for m in members if m.unit_id == unit)
        assert unit_days <= (day_count * n * percent + 50) // 100


def test_a_one_person_unit_takes_turns_instead_of_never_going_in():
    """Issue 22: 50% of one person rounded down to 0 every day left them out for the whole roster."""
    members = [Member(1, 1, False), Member(2, 2, False), Member(3, 2, False), Member(4, 2, False)]
    days = weekdays(10)
    result = plan(members, days, dict.fromkeys(days, 50), {}, {})
    assert wfo_days(result, 1) == 5
    assert all(sum(result.modes[e, day] is WFO for e in (1, 2, 3, 4)) == 2 for day in days)
    assert sorted(wfo_days(result, e) for e in (2, 3, 4)) == [5, 5, 5]


def test_the_same_input_gives_the_same_roster():
    members = [Member(e, e % 3, e % 5 == 0) for e in range(1, 12)]
    days = weekdays(9)
    first = plan(members, days, dict.fromkeys(days, 30), {}, {})
    assert plan(list(reversed(members)), days, dict.fromkeys(days, 30), {}, {}).modes == first.modes
