"""The month's approved output per IKI and unit: the one rule that the SKP page, the monthly activities and the
reports show (realisation).

Units are compared without regard to case or spaces ('Dokumen', 'dokumen ' and 'DOKUMEN' are one unit). They are
grouped in SQL and merged again here, since a case-insensitive collation (MariaDB) merges 'Dokumen' and 'dokumen'
where SQLite and PostgreSQL do not. Output in a unit other than the IKI's is listed apart, never added.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from kinerja.extensions import db
from kinerja.models import Activity, ActivityStatus
from kinerja.workcalendar import month_days

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ApprovedOutput:
    """The month's approved daily output for one indicator and unit."""

    indicator_id: int | None
    unit: str
    quantity: Decimal


OutputKey = tuple[int | None, str]
Outputs = dict[OutputKey, ApprovedOutput]


@dataclass
class IkiRealisation:
    """The month's approved output for one IKI: in its unit, and apart what was reported in other units."""

    iki_id: int
    unit: str
    quantity: Decimal = ZERO
    other_units: list[ApprovedOutput] = field(default_factory=list)


def unit_key(unit: str) -> str:
    """'Dokumen', 'dokumen ' and 'DOKUMEN' are one unit."""
    return " ".join(unit.split()).casefold()


def approved_outputs(employee_ids: Collection[int], first: date) -> dict[int, Outputs]:
    """Per employee, the month's approved daily output by indicator and unit, in one grouped query."""
    start, end = month_days(first.year, first.month)
    result: dict[int, Outputs] = {employee_id: {} for employee_id in employee_ids}
    if not result:
        return result
    rows = db.session.execute(
        select(Activity.employee_id, Activity.indicator_id, Activity.unit, func.sum(Activity.quantity))
        .where(Activity.employee_id.in_(list(result)), Activity.activity_date.between(start, end),
               Activity.status == ActivityStatus.APPROVED)
        .group_by(Activity.employee_id, Activity.indicator_id, Activity.unit)
        .order_by(Activity.employee_id, Activity.indicator_id, Activity.unit)
    )
    for employee_id, indicator_id, unit, total in rows:
        outputs = result[employee_id]
        key = (indicator_id, unit_key(unit))
        quantity = Decimal(str(total or 0)).quantize(CENT)
        known = outputs.get(key)
        if known is not None:
            quantity += known.quantity
            unit = known.unit
        outputs[key] = ApprovedOutput(indicator_id, unit, quantity)
    return result


def outputs_of(employee_id: int, first: date) -> Outputs:
    """One employee's month of approved_outputs."""
    return approved_outputs([employee_id], first)[employee_id]


def realise(outputs: Outputs, iki_id: int, unit: str) -> IkiRealisation:
    """The IKI's realisation: what was approved for it in its unit; other units apart, in a stable order."""
    mine = unit_key(unit)
    item = IkiRealisation(iki_id, unit)
    for (indicator_id, key), output in outputs.items():
        if indicator_id != iki_id:
            continue
        if key == mine:
            item.quantity += output.quantity
        else:
            item.other_units.append(output)
    item.other_units.sort(key=lambda output: unit_key(output.unit))
    return item
