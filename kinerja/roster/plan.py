"""The roster as pure arithmetic: who works in the office on each day so that the WFO cap holds per unit and per
agency, with office duty rotating fairly. No database here; services.py feeds it and stores the result.

Each day, on its own:
1. present = members not away (leave, no active assignment); nobody else gets a mode that day;
2. capacity = floor(percent × present / 100), for each unit and for the agency;
3. fixed members take their place first: essential staff are WFO, a manual override keeps its mode; both count
   against capacity, and when they alone exceed it a warning names the unit (or agency) and the day;
4. the remaining office places go, one by one, to the free members in the order (WFO days so far, WFO days in
   earlier rosters, day of their last WFO, employee id); a member is taken while both their unit and the agency
   still have a place, everyone else works from home.

Why two comparable members (same unit, present on the same days, never fixed) end at most one WFO day apart:
they face the same two counters (unit places, agency places), which only decrease during step 4. So when the
later of the two in the order is taken, the earlier one was taken too. If their counts are equal, at most one
of them gains a day; if they differ by one, the one behind comes first and the one ahead can only gain a day
together with them. A gap of at most one therefore never grows. The tie-breaks (earlier rosters, last WFO day)
do not affect that bound; they make the duty rotate instead of always falling to the same people.
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
    """Office places for `headcount` people under `percent` (None: no cap, everyone)."""
    if percent is None:
        return headcount
    return headcount * percent // 100


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
    for index, day in enumerate(sorted(days)):
        present = [m for m in members if day not in away.get(m.employee_id, ())]
        percent = percents.get(day)
        unit_places = {unit: capacity(count, percent) for unit, count in
                       Counter(m.unit_id for m in present).items()}
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
            if count > unit_places[unit]:
                result.warnings.append(over_warning(names.get(unit, str(unit)), day, count, unit_places[unit]))
        total_fixed = sum(fixed_wfo.values())
        if total_fixed > agency_places:
            result.warnings.append(over_warning(_("OPD"), day, total_fixed, agency_places))
        left = {unit: max(0, places - fixed_wfo[unit]) for unit, places in unit_places.items()}
        agency_left = max(0, agency_places - total_fixed)
        free.sort(key=lambda m: (wfo_days[m.employee_id], prior.get(m.employee_id, 0),
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
    return result

