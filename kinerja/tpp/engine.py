"""The month's TPP of one employee, from plain facts: no database, no clock, no request.

Everything is whole Rupiah (int) and percentages are basis points (1% = 100). The one rounding rule: every
line of the explanation is rounded half up to the whole Rupiah, and every total is the sum of its lines, so the
slip, the nominative list and the payroll file always add up.

The computation, in the order of the explanation:
1. The base: the ceiling (pagu) of each day's assignment × the status factor of that day (employment type, and a
   leave such as tugas belajar that reduces pay), pro rata by calendar days: one line per run of equal days.
2. The kinerja share (e.g. 60% of the base) paid at the kinerja achievement: approved effective minutes against
   the target (capped at 100%), the month's SKP predikat mapped to a percentage, or a weighted mix of both.
3. The discipline share (e.g. 40%) minus deductions counted per working day (late arrival and early leave by
   minute brackets, a missing check-in or check-out, a day absent without leave) and per required session not
   attended (apel pagi, before or after the break), never below zero.
4. An optional third share the regency names, paid in full or × the agency's score of the month (e.g. budget
   absorption) that BKD enters, at the rules' rate while the score is missing.
5. Disciplinary penalties (PP 94/2021) cut their rate from what the month pays after discipline deductions.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from kinerja.models.tpp import DeductionBase, ThirdMeasure

FULL = 10_000  # 100% in basis points


def share(amount: int, *rates: int) -> int:
    """`amount` × each rate (basis points), rounded half up to the whole Rupiah, in integers only."""
    numerator, denominator = amount, 1
    for rate in rates:
        numerator *= rate
        denominator *= FULL
    return ratio(numerator, denominator)


def ratio(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up (both non-negative)."""
    return (2 * numerator + denominator) // (2 * denominator)


class Cut(enum.StrEnum):
    """What a discipline deduction is for."""

    LATE = "late"
    EARLY = "early"
    NO_CHECK_IN = "no_check_in"
    NO_CHECK_OUT = "no_check_out"
    ABSENT = "absent"
    MISSED_SESSION = "missed_session"


@dataclass(frozen=True)
class Bracket:
    low: int  # minutes, inclusive
    high: int | None  # inclusive; None = and more
    rate: int  # basis points per day

    def holds(self, minutes: int) -> bool:
        return self.low <= minutes and (self.high is None or minutes <= self.high)


@dataclass(frozen=True)
class LeaveRule:
    counts_present: bool  # a day on this leave is not a discipline deduction
    needs_document: bool  # ... only with a letter (document number) recorded
    pay_factor: int = FULL  # what a day on this leave pays of the ceiling (tugas belajar: often less)


@dataclass(frozen=True)
class Rules:
    kinerja_share: int
    discipline_share: int
    third_share: int = 0
    third_name: str = ""
    minutes_weight: int = FULL  # FULL: minutes only; 0: predikat only; between: a weighted mix
    predikat_rates: dict[str, int] = field(default_factory=dict)
    unrated: int = 0  # the kinerja achievement of a month with no target or no predikat
    deduction_base: DeductionBase = DeductionBase.DISCIPLINE
    late: tuple[Bracket, ...] = ()
    early: tuple[Bracket, ...] = ()
    no_check_in: int = 0
    no_check_out: int = 0
    absent: int = 0
    leave: dict[str, LeaveRule] = field(default_factory=dict)
    type_factors: dict[str, int] = field(default_factory=dict)  # employment type → basis points (default FULL)
    third_measure: str = ThirdMeasure.FULL.value  # AGENCY_SCORE: the third share × the agency's score of the month
    third_missing: int = 0  # what is paid of the third share while the agency's score is not entered
    missed_session: int = 0  # per required session (apel pagi, before/after the break) not attended


@dataclass(frozen=True)
class Day:
    day: date
    ceiling: int = 0  # the pagu of the position held that day; 0 when not assigned
    assigned: bool = True
    working: bool = True  # a working day of the agency (not a weekend, holiday or cuti bersama)
    assessed: bool = True  # already past: a day still to come is not counted absent
    leave: str | None = None
    leave_documented: bool = False
    checked_in: bool = False
    late_minutes: int = 0
    checked_out: bool = False
    early_minutes: int = 0
    field_duty: bool = False  # dinas luar: no office hours to be late for
    corrected: bool = False  # the facts come from an approved attendance correction
    missed_sessions: int = 0  # required sessions between check-in and check-out not attended


@dataclass(frozen=True)
class Penalty:
    decree: str
    rate: int


@dataclass(frozen=True)
class Month:
    days_in_month: int
    employment_type: str
    days: tuple[Day, ...]
    effective_minutes_per_day: int
    approved_minutes: int = 0
    predikat: str | None = None
    penalties: tuple[Penalty, ...] = ()
    third_score: int | None = None  # the agency's score of the month (basis points); None: not entered


class LineKind(enum.StrEnum):
    PAY = "pay"  # adds to the gross
    CUT = "cut"  # subtracts from the gross (negative amount)
    INFO = "info"  # explains, no amount of its own


@dataclass(frozen=True)
class Line:
    kind: LineKind
    code: str
    amount: int = 0
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    base: int
    kinerja_rate: int  # achievement, basis points
    kinerja: int  # paid for kinerja
    discipline_share: int
    discipline_cuts: int  # positive
    third: int
    gross: int
    penalty: int  # positive
    net: int
    lines: tuple[Line, ...]

    @property
    def discipline(self) -> int:
        return self.discipline_share - self.discipline_cuts


# --- The steps ------------------------------------------------------------------------------------------------


def day_factor(rules: Rules, month: Month, day: Day) -> int:
    factor = rules.type_factors.get(month.employment_type, FULL)
    rule = rules.leave.get(day.leave) if day.leave else None
    if rule is not None and rule.pay_factor != FULL:
        factor = share(factor, rule.pay_factor)
    return factor


def base_lines(rules: Rules, month: Month) -> list[Line]:
    """One line per run of days with the same ceiling and factor: pagu × days / days of the month × factor."""
    runs: list[list] = []
    for day in month.days:
        if not day.assigned or day.ceiling <= 0:
            continue
        factor = day_factor(rules, month, day)
        reduced_by = day.leave if factor != rules.type_factors.get(month.employment_type, FULL) else None
        key = (day.ceiling, factor, reduced_by)
        if runs and runs[-1][0] == key and (day.day - runs[-1][2]).days == 1:
            runs[-1][2] = day.day
            runs[-1][3] += 1
        else:
            runs.append([key, day.day, day.day, 1])
    lines = []
    for (ceiling, factor, leave), start, end, count in runs:
        amount = ratio(ceiling * count * factor, month.days_in_month * FULL)
        lines.append(Line(LineKind.INFO, "base", amount, {
            "ceiling": ceiling, "days": count, "days_in_month": month.days_in_month, "factor": factor,
            "start": start.isoformat(), "end": end.isoformat(), "leave": leave,
            "employment_type": month.employment_type}))
    return lines


def target_minutes(month: Month) -> int:
    """Working days assigned and not on leave × the effective minutes of a day."""
    return month.effective_minutes_per_day * sum(
        1 for day in month.days if day.assigned and day.working and not day.leave)


def kinerja_rate(rules: Rules, month: Month) -> tuple[int, list[Line]]:
    lines: list[Line] = []
    minutes_rate = predikat_rate = None
    if rules.minutes_weight > 0:
        target = target_minutes(month)
        if target:
            minutes_rate = min(FULL, ratio(month.approved_minutes * FULL, target))
            lines.append(Line(LineKind.INFO, "minutes", params={
                "approved": month.approved_minutes, "target": target, "rate": minutes_rate}))
        else:
            minutes_rate = rules.unrated
            lines.append(Line(LineKind.INFO, "no_target", params={"rate": minutes_rate}))
    if rules.minutes_weight < FULL:
        if month.predikat and month.predikat in rules.predikat_rates:
            predikat_rate = rules.predikat_rates[month.predikat]
            lines.append(Line(LineKind.INFO, "predikat", params={"predikat": month.predikat, "rate": predikat_rate}))
        else:
            predikat_rate = rules.unrated
            lines.append(Line(LineKind.INFO, "no_predikat", params={"rate": predikat_rate}))
    if minutes_rate is None:
        return predikat_rate or 0, lines
    if predikat_rate is None:
        return minutes_rate, lines
    mixed = ratio(minutes_rate * rules.minutes_weight + predikat_rate * (FULL - rules.minutes_weight), FULL)
    lines.append(Line(LineKind.INFO, "mixed", params={
        "minutes_rate": minutes_rate, "predikat_rate": predikat_rate, "weight": rules.minutes_weight,
        "rate": mixed}))
    return mixed, lines


def bracket_of(brackets: Sequence[Bracket], minutes: int) -> Bracket | None:
    return next((bracket for bracket in brackets if bracket.holds(minutes)), None)


def day_cuts(rules: Rules, day: Day) -> list[tuple[Cut, Bracket | None]]:
    """The deductions of one day: none when not a working day, not yet past or on leave that counts present."""
    if not (day.assigned and day.working and day.assessed):
        return []
    rule = rules.leave.get(day.leave) if day.leave else None
    if rule is not None and rule.counts_present and (day.leave_documented or not rule.needs_document):
        return []
    if not day.checked_in and not day.checked_out:
        return [(Cut.ABSENT, None)]
    cuts: list[tuple[Cut, Bracket | None]] = []
    if not day.checked_in:
        cuts.append((Cut.NO_CHECK_IN, None))
    elif day.late_minutes > 0 and not day.field_duty and (bracket := bracket_of(rules.late, day.late_minutes)):
        cuts.append((Cut.LATE, bracket))
    if not day.checked_out:
        cuts.append((Cut.NO_CHECK_OUT, None))
    elif day.early_minutes > 0 and not day.field_duty and (bracket := bracket_of(rules.early, day.early_minutes)):
        cuts.append((Cut.EARLY, bracket))
    cuts += [(Cut.MISSED_SESSION, None)] * day.missed_sessions
    return cuts


def cut_rate(rules: Rules, cut: Cut, bracket: Bracket | None) -> int:
    if bracket is not None:
        return bracket.rate
    return {Cut.NO_CHECK_IN: rules.no_check_in, Cut.NO_CHECK_OUT: rules.no_check_out, Cut.ABSENT: rules.absent,
            Cut.MISSED_SESSION: rules.missed_session}[cut]


def discipline_lines(rules: Rules, month: Month, base: int, discipline_share: int) -> list[Line]:
    corrected = [day.day.isoformat() for day in month.days if day.corrected and day.assigned]
    lines = [Line(LineKind.INFO, "corrected", params={"days": len(corrected), "dates": corrected})] \
        if corrected else []
    counted: dict[tuple[Cut, Bracket | None], list[date]] = {}
    for day in month.days:
        for key in day_cuts(rules, day):
            counted.setdefault(key, []).append(day.day)
    of = discipline_share if rules.deduction_base is DeductionBase.DISCIPLINE else base
    order = list(Cut)
    for (cut, bracket), days in sorted(counted.items(), key=lambda item: (
            order.index(item[0][0]), item[0][1].low if item[0][1] else 0)):
        rate = cut_rate(rules, cut, bracket)
        if rate == 0:
            continue
        total_rate = rate * len(days)
        lines.append(Line(LineKind.CUT, cut.value, -share(of, total_rate), {
            "days": len(days), "rate": rate, "total_rate": total_rate,
            "low": bracket.low if bracket else None, "high": bracket.high if bracket else None,
            "dates": [day.isoformat() for day in days], "of": rules.deduction_base.value, "base": of}))
    taken = -sum(line.amount for line in lines if line.kind is LineKind.CUT)
    if taken > discipline_share:
        lines.append(Line(LineKind.CUT, "cap", taken - discipline_share, {"share": discipline_share}))
    return lines


def measured_third(rules: Rules, month: Month, base: int) -> Line:
    """The third share × the agency's score of the month, or × what the rules pay while it is missing."""
    params = {"share": rules.third_share, "name": rules.third_name, "base": base}
    if month.third_score is None:
        return Line(LineKind.PAY, "third_missing", share(base, rules.third_share, rules.third_missing),
                    params | {"rate": rules.third_missing})
    return Line(LineKind.PAY, "third_score", share(base, rules.third_share, month.third_score),
                params | {"score": month.third_score})


def compute(rules: Rules, month: Month) -> Result:
    lines = base_lines(rules, month)
    base = sum(line.amount for line in lines)

    achievement, kinerja_info = kinerja_rate(rules, month)
    kinerja = share(base, rules.kinerja_share, achievement)
    lines += kinerja_info
    lines.append(Line(LineKind.PAY, "kinerja", kinerja, {
        "share": rules.kinerja_share, "rate": achievement, "base": base}))

    discipline_share = share(base, rules.discipline_share)
    lines.append(Line(LineKind.PAY, "discipline", discipline_share, {"share": rules.discipline_share, "base": base}))
    cuts = discipline_lines(rules, month, base, discipline_share)
    lines += cuts
    discipline_cuts = -sum(line.amount for line in cuts)

    third = share(base, rules.third_share) if rules.third_share else 0
    if rules.third_share and rules.third_measure == ThirdMeasure.AGENCY_SCORE:
        lines.append(measured := measured_third(rules, month, base))
        third = measured.amount
    elif rules.third_share:
        lines.append(Line(LineKind.PAY, "third", third, {"share": rules.third_share, "name": rules.third_name,
                                                          "base": base}))
    gross = kinerja + discipline_share + third

    penalty = 0
    after_cuts = gross - discipline_cuts
    remaining = FULL
    for item in month.penalties:
        rate = min(item.rate, remaining)
        remaining -= rate
        amount = share(after_cuts, rate)
        if amount:
            lines.append(Line(LineKind.CUT, "penalty", -amount, {"decree": item.decree, "rate": rate,
                                                                  "base": after_cuts}))
        penalty += amount
    net = gross - discipline_cuts - penalty
    return Result(base=base, kinerja_rate=achievement, kinerja=kinerja, discipline_share=discipline_share,
                  discipline_cuts=discipline_cuts, third=third, gross=gross, penalty=penalty, net=net,
                  lines=tuple(lines))


def totals(results: Iterable[Result]) -> dict[str, int]:
    keys = ("base", "kinerja", "discipline_share", "discipline_cuts", "third", "gross", "penalty", "net")
    summed = dict.fromkeys(keys, 0)
    for result in results:
        for key in keys:
            summed[key] += getattr(result, key)
    return summed
