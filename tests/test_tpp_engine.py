"""The TPP computation on hand-computed months, and its invariants over generated months (no database)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kinerja.tpp.engine import (
    FULL,
    Bracket,
    Day,
    DeductionBase,
    LeaveRule,
    LineKind,
    Month,
    Penalty,
    Rules,
    compute,
    share,
)

NOVEMBER = [date(2026, 11, 1) + timedelta(days=n) for n in range(30)]  # 1 November 2026 is a Sunday
BRACKETS = (Bracket(1, 30, 50), Bracket(31, 60, 100), Bracket(61, 90, 125), Bracket(91, None, 150))
RULES = Rules(
    kinerja_share=6000, discipline_share=4000, minutes_weight=FULL, unrated=0,
    predikat_rates={"sangat_baik": 10_000, "baik": 9000, "butuh_perbaikan": 7000, "kurang": 5000,
                    "sangat_kurang": 2500},
    late=BRACKETS, early=BRACKETS, no_check_in=250, no_check_out=250, absent=300,
    leave={"cuti": LeaveRule(True, False), "sakit": LeaveRule(True, True), "dinas_luar": LeaveRule(True, True),
           "tugas_belajar": LeaveRule(True, False, pay_factor=5000)},
    type_factors={"CPNS": 8000},
)


def working(day: date) -> bool:
    return day.weekday() < 5


def month(ceiling=5_000_000, employment="PNS", approved=None, overrides=None, penalties=(), predikat=None,
          ceilings=None) -> Month:
    """November 2026 (21 working days), every working day on time unless overridden."""
    overrides = overrides or {}
    days = []
    for day in NOVEMBER:
        facts = {"checked_in": working(day), "checked_out": working(day)}
        facts.update(overrides.get(day.day, {}))
        days.append(Day(day=day, ceiling=(ceilings or {}).get(day.day, ceiling), working=working(day), **facts))
    return Month(days_in_month=30, employment_type=employment, days=tuple(days), effective_minutes_per_day=300,
                 approved_minutes=21 * 300 if approved is None else approved, predikat=predikat,
                 penalties=tuple(penalties))


def lines(result, code):
    return [line for line in result.lines if line.code == code]


def test_a_full_month_pays_the_whole_ceiling():
    result = compute(RULES, month())
    assert (result.base, result.kinerja_rate, result.kinerja, result.discipline_share) == (
        5_000_000, 10_000, 3_000_000, 2_000_000)
    assert (result.discipline_cuts, result.penalty, result.gross, result.net) == (0, 0, 5_000_000, 5_000_000)


def test_a_late_day_in_each_bracket_a_missing_check_out_and_an_absent_day():
    result = compute(RULES, month(overrides={
        2: {"late_minutes": 10}, 3: {"late_minutes": 45}, 4: {"late_minutes": 75}, 5: {"late_minutes": 120},
        9: {"checked_out": False}, 10: {"checked_in": False, "checked_out": False},
        11: {"early_minutes": 31}, 12: {"checked_in": False},
    }))
    # Of the discipline share of Rp 2.000.000: 0,5% 1% 1,25% 1,5% (late), 2,5% (no check-out),
    # 3% (absent), 1% (left 31 minutes early), 2,5% (no check-in).
    assert [(line.code, line.params["days"], line.params["rate"], line.amount) for line in result.lines
            if line.kind is LineKind.CUT] == [
        ("late", 1, 50, -10_000), ("late", 1, 100, -20_000), ("late", 1, 125, -25_000), ("late", 1, 150, -30_000),
        ("early", 1, 100, -20_000), ("no_check_in", 1, 250, -50_000), ("no_check_out", 1, 250, -50_000),
        ("absent", 1, 300, -60_000)]
    assert result.discipline_cuts == 265_000
    assert result.net == 5_000_000 - 265_000


def test_the_same_bracket_on_three_days_is_one_line():
    result = compute(RULES, month(overrides={2: {"late_minutes": 40}, 3: {"late_minutes": 59},
                                             4: {"late_minutes": 31}}))
    (line,) = lines(result, "late")
    assert (line.params["days"], line.params["total_rate"], line.amount) == (3, 300, -60_000)
    assert line.params["dates"] == ["2026-11-02", "2026-11-03", "2026-11-04"]


def test_rates_of_the_whole_base_when_the_regency_says_so():
    rules = Rules(**{**RULES.__dict__, "deduction_base": DeductionBase.CEILING})
    result = compute(rules, month(overrides={2: {"late_minutes": 45}}))
    assert result.discipline_cuts == 50_000  # 1% of Rp 5.000.000


def test_the_discipline_share_never_goes_below_zero():
    absent = {day.day: {"checked_in": False, "checked_out": False} for day in NOVEMBER}
    result = compute(RULES, month(overrides=absent, approved=0))
    assert (result.discipline_cuts, result.discipline) == (1_260_000, 740_000)  # 21 days × 3% = 63%
    harsh = Rules(**{**RULES.__dict__, "absent": 500})  # 21 days × 5% = 105%
    capped = compute(harsh, month(overrides=absent, approved=0))
    assert (capped.discipline_cuts, capped.discipline, capped.net) == (2_000_000, 0, 0)
    assert lines(capped, "cap")[0].amount == 21 * 100_000 - 2_000_000


def test_days_to_come_and_days_off_are_never_absent():
    nothing = {day.day: {"checked_in": False, "checked_out": False, "assessed": day.day <= 20} for day in NOVEMBER}
    (absent,) = lines(compute(RULES, month(overrides=nothing)), "absent")
    assert absent.params["days"] == 15  # the working days from 2 to 20 November


def test_leave_that_counts_as_present_and_leave_that_needs_a_letter():
    result = compute(RULES, month(overrides={
        2: {"checked_in": False, "checked_out": False, "leave": "cuti"},
        3: {"checked_in": False, "checked_out": False, "leave": "sakit", "leave_documented": True},
        4: {"checked_in": False, "checked_out": False, "leave": "sakit"},  # no letter: absent
    }))
    (absent,) = lines(result, "absent")
    assert absent.params["dates"] == ["2026-11-04"]


def test_field_duty_is_never_late():
    result = compute(RULES, month(overrides={2: {"late_minutes": 120, "field_duty": True}}))
    assert result.discipline_cuts == 0


def test_a_cpns_gets_eighty_percent():
    result = compute(RULES, month(employment="CPNS"))
    assert (result.base, result.net) == (4_000_000, 4_000_000)
    (base,) = lines(result, "base")
    assert base.params["factor"] == 8000


def test_a_mid_month_transfer_between_classes_is_pro_rata_by_days():
    ceilings = {number: (3_000_000 if number <= 15 else 4_500_000) for number in range(1, 31)}
    result = compute(RULES, month(ceilings=ceilings))
    assert [(line.params["ceiling"], line.params["days"], line.amount) for line in lines(result, "base")] == [
        (3_000_000, 15, 1_500_000), (4_500_000, 15, 2_250_000)]
    assert result.base == 3_750_000


def test_retirement_mid_month_pays_the_days_assigned():
    gone = {number: {"assigned": False, "checked_in": False, "checked_out": False} for number in range(11, 31)}
    result = compute(RULES, month(ceiling=3_000_000, overrides=gone, approved=7 * 300))
    assert result.base == 1_000_000
    assert result.kinerja_rate == 10_000  # 7 working days from 2 to 10 November, all filed
    assert result.discipline_cuts == 0  # no absence counted after the assignment ended


def test_tugas_belajar_days_pay_their_factor():
    study = {number: {"leave": "tugas_belajar", "checked_in": False, "checked_out": False}
             for number in range(16, 31)}
    result = compute(RULES, month(overrides=study, ceiling=3_000_000, approved=10 * 300))
    assert [(line.params["days"], line.params["factor"], line.amount) for line in lines(result, "base")] == [
        (15, FULL, 1_500_000), (15, 5000, 750_000)]
    assert result.discipline_cuts == 0


def test_kinerja_from_minutes_is_capped_at_one_hundred_percent():
    assert compute(RULES, month(approved=5040)).kinerja == 2_400_000  # 80% of Rp 3.000.000
    assert compute(RULES, month(approved=99_999)).kinerja_rate == FULL


def test_kinerja_from_the_predikat_and_from_both():
    by_predikat = Rules(**{**RULES.__dict__, "minutes_weight": 0})
    assert compute(by_predikat, month(predikat="baik")).kinerja == 2_700_000
    assert compute(by_predikat, month(predikat=None)).kinerja == 0  # unrated gives the rules' unrated rate
    both = Rules(**{**RULES.__dict__, "minutes_weight": 7000})
    result = compute(both, month(approved=5040, predikat="baik"))
    assert result.kinerja_rate == 8300  # 70% × 80% + 30% × 90%
    assert result.kinerja == 2_490_000


def test_a_penalty_cuts_what_the_month_pays_after_discipline():
    result = compute(RULES, month(overrides={2: {"late_minutes": 45}},
                                  penalties=[Penalty("800/123/BKPSDM/2026", 2500)]))
    assert result.penalty == 1_245_000  # 25% of (5.000.000 − 20.000)
    assert result.net == 3_735_000


def test_whole_rupiah_rounded_half_up():
    assert share(3_333_333, 6000) == 2_000_000  # 1.999.999,8
    assert share(1, 5000) == 1  # 0,5 up
    assert share(1, 4999) == 0


DAY_FACTS = st.fixed_dictionaries({
    "checked_in": st.booleans(), "checked_out": st.booleans(), "late_minutes": st.integers(0, 300),
    "early_minutes": st.integers(0, 300), "field_duty": st.booleans(), "assessed": st.booleans(),
    "leave": st.sampled_from([None, "cuti", "sakit", "tugas_belajar", "unknown"]),
    "leave_documented": st.booleans()})


@settings(max_examples=200, deadline=None)
@given(facts=st.lists(DAY_FACTS, min_size=30, max_size=30), ceiling=st.integers(1, 60_000_000),
       approved=st.integers(0, 20_000), employment=st.sampled_from(["PNS", "CPNS", "PPPK"]),
       absent=st.integers(0, 10_000), penalty=st.integers(0, 10_000), weight=st.integers(0, FULL),
       base=st.sampled_from(list(DeductionBase)))
def test_invariants(facts, ceiling, approved, employment, absent, penalty, weight, base):
    rules = Rules(**{**RULES.__dict__, "absent": absent, "minutes_weight": weight, "deduction_base": base})
    result = compute(rules, month(ceiling=ceiling, employment=employment, approved=approved,
                                  overrides=dict(enumerate(facts, start=1)), penalties=[Penalty("X", penalty)],
                                  predikat="baik"))
    for amount in (result.base, result.kinerja, result.discipline_share, result.discipline_cuts, result.gross,
                   result.penalty, result.net, result.discipline):
        assert amount >= 0
    assert result.discipline <= result.discipline_share
    assert result.base == sum(line.amount for line in result.lines if line.code == "base")
    assert result.gross == sum(line.amount for line in result.lines if line.kind is LineKind.PAY)
    assert result.net == result.gross + sum(line.amount for line in result.lines if line.kind is LineKind.CUT)
    assert result.net <= result.base
