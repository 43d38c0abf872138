"""The roster as pure arithmetic: who works in the office on each day so that the WFO cap holds for the agency
every day and each unit gets its share over the period, with office duty rotating fairly. No database here;
services.py feeds it and stores the result.

Each day, in date order:
1. present = members not away (leave, no active assignment); nobody else gets a mode that day;
2. the agency's places = floor(percent × present / 100): the cap, never exceeded by the rotation;
3. each unit's share accrues: percent × its present members / 100 a day, a fraction for a small unit. Its
   places that day are its accrued share rounded to the nearest whole, less the places it has had so far, and
   at most ceil(percent × its present / 100) (its unit limit). So a one-person unit under 50% is in the office
   every other day instead of never, and a share the agency cap left unused on one day carries to the next;
4. fixed members take their place first: essential staff are WFO, a manual override keeps its mode; both count
   against the places, and when they alone exceed the unit limit (or the agency's places) a warning names the
   unit (or agency) and the day;
5. the remaining office places go, one by one, to the free members in the order (WFO days so far, how far
   their unit is behind its share, WFO days in earlier rosters, day of their last WFO, employee id); a member is
   taken while both their unit and the agency still have a place, everyone else works from home.

The result is deterministic: the same input gives the same roster.

Why two comparable members (same unit, present on the same days, never fixed) end at most one WFO day apart:
they face the same two counters (unit places, agency places), which only decrease during step 5. So when the
later of the two in the order is taken, the earlier one was taken too. If their counts are equal, at most one
of them gains a day; if they differ by one, the one behind comes first and the one ahead can only gain a day
together with them. A gap of at most one therefore never grows. The tie-breaks (the unit's arrears, the same
for both; earlier rosters, last WFO day) do not affect that bound; they let the units that are behind catch up
first and make the duty rotate instead of always falling to the same people.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from kinerja.models import WorkMode


@dataclass(frozen=True)
class Member:
    employee_id: int
    unit_id: int
    essential: bool


@dataclass
class Plan:
    modes: dict[tuple[int, date], WorkMode] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def capacity(headcount: int, percent: int | None) -> int:
    """The agency's office places for `headcount` people under `percent`, rounded down (None: no cap)."""
    if percent is None:
        return headcount
    return headcount * percent // 100


def unit_limit(headcount: int, percent: int | None) -> int:
    """The most of a unit's `headcount` people in the office on one day under `percent`, rounded up: units take
    turns at their fractional share (None: no cap)."""
    if percent is None:
        return headcount
    return -(-headcount * percent // 100)


def over_warning(place: str, day: date, wfo: int, places: int) -> str:
    return _("%(place)s, %(day)s: %(wfo)s pegawai wajib WFO (esensial atau diubah manual) melebihi kapasitas "
             "WFO %(capacity)s.", place=place, day=f"{day:%d-%m-%Y}", wfo=wfo, capacity=places)


def fixed_mode(member: Member, override: WorkMode | None) -> WorkMode | None:
    """The mode decided before the rotation: essential staff are on site whatever an override says."""
    if member.essential:
        return WorkMode.WFO
    return override


def plan(members: list[Member], days: list[date], percents: dict[date, int | None], away: dict[int, set[date]],
         overrides: dict[tuple[int, date], WorkMode], prior_wfo: dict[int, int] | None = None, *,
         unit_names: dict[int, str] | None = None) -> Plan:
    """Each present member's mode on each day; see the module docstring for the rules and the fairness proof."""
    prior = prior_wfo or {}
    names = unit_names or {}
    result = Plan()
    wfo_days: Counter[int] = Counter()
    last_wfo: dict[int, int] = {}
    accrued: Counter[int] = Counter()  # per unit: the share so far, in hundredths of a person-day
    had: Counter[int] = Counter()  # per unit: office places taken so far
    for index, day in enumerate(sorted(days)):
        present = [m for m in members if day not in away.get(m.employee_id, ())]
        percent = percents.get(day)
        heads = Counter(m.unit_id for m in present)
        limits = {unit: unit_limit(count, percent) for unit, count in heads.items()}
        unit_places = {}
        for unit, count in heads.items():
            accrued[unit] += count * (100 if percent is None else percent)
            unit_places[unit] = min(limits[unit], max(0, (accrued[unit] + 50) // 100 - had[unit]))
        agency_places = capacity(len(present), percent)
        fixed_wfo: Counter[int] = Counter()
        free: list[Member] = []
        for member in present:
            mode = fixed_mode(member, overrides.get((member.employee_id, day)))
            if mode is None:
                free.append(member)
                continue
            result.modes[member.employee_id, day] = mode
            if mode is WorkMode.WFO:
                fixed_wfo[member.unit_id] += 1
        for unit, count in sorted(fixed_wfo.items()):
            if count > limits[unit]:
                result.warnings.append(over_warning(names.get(unit, str(unit)), day, count, limits[unit]))
        total_fixed = sum(fixed_wfo.values())
        if total_fixed > agency_places:
            result.warnings.append(over_warning(_("OPD"), day, total_fixed, agency_places))
        left = {unit: max(0, places - fixed_wfo[unit]) for unit, places in unit_places.items()}
        agency_left = max(0, agency_places - total_fixed)
        behind = {unit: accrued[unit] - 100 * (had[unit] + fixed_wfo[unit]) for unit in heads}
        free.sort(key=lambda m: (wfo_days[m.employee_id], -behind[m.unit_id], prior.get(m.employee_id, 0),
                                 last_wfo.get(m.employee_id, -1), m.employee_id))
        for member in free:
            on_site = agency_left > 0 and left[member.unit_id] > 0
            if on_site:
                agency_left -= 1
                left[member.unit_id] -= 1
            result.modes[member.employee_id, day] = WorkMode.WFO if on_site else WorkMode.WFH
        for member in present:
            if result.modes[member.employee_id, day] is WorkMode.WFO:
                wfo_days[member.employee_id] += 1
                last_wfo[member.employee_id] = index
                had[member.unit_id] += 1
    return result
