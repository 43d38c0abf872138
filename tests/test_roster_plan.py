"""The roster arithmetic (kinerja.roster.plan): worked examples and a property test over random agencies."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kinerja.models import WorkMode
from kinerja.roster.plan import Member, capacity, plan

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
        places = {unit: capacity(n, percents[day]) for unit, n in heads.items()}
        agency_places = capacity(len(present), percents[day])
        # The cap holds per unit and per agency, unless fixed modes alone break it, which is then warned about.
        for unit in heads:
            assert wfo[unit] <= max(places[unit], forced[unit])
            if wfo[unit] > places[unit]:
                assert any(names[unit] in w and f"{day:%d-%m-%Y}" in w for w in result.warnings)
        total, total_forced = sum(wfo.values()), sum(forced.values())
        assert total <= max(agency_places, total_forced)
        if total > agency_places:
            assert any("OPD" in w and f"{day:%d-%m-%Y}" in w for w in result.warnings)
        # No office place is wasted: a free member at home means their unit or the agency is full.
        for m in present:
            if m not in fixed and result.modes[m.employee_id, day] is WFH:
                assert wfo[m.unit_id] >= places[m.unit_id] or total >= agency_places

    # Rotation: comparable members (same unit, same days present, never essential or overridden) differ by ≤ 1.
    free = [m for m in members if not m.essential and all((m.employee_id, d) not in overrides for d in days)]
    for a in free:
        for b in free:
            if a.unit_id == b.unit_id and away[a.employee_id] == away[b.employee_id]:
                assert abs(wfo_days(result, a.employee_id) - wfo_days(result, b.employee_id)) <= 1
