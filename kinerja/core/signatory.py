"""How an act done for an absent official reads: the acting official's name, then "Plh." (or "Plt.") before the
position of the one they stood in for, as in "Budi Santoso, S.E., Plh. Kepala Bidang Kepegawaian".

Notices, the item history, the audit trail, the review pages and the documents' signature blocks all take their
wording from `acting_title` and `acting_name`; `names` finds, in bulk, who acted as whom on which day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from kinerja import clock
from kinerja.extensions import db
from kinerja.models import ActingAssignment, ActingKind, Assignment, AuditEntry, Position, User


@dataclass(frozen=True)
class Act:
    """Something a user did on a day, possibly standing in (Plh/Plt) for an absent employee."""

    actor_id: int | None
    acting_for_id: int | None
    day: date


def day_of(moment: datetime) -> date:
    """The local day of a stored (UTC) instant."""
    return moment.astimezone(clock.zone()).date()


def acting_title(kind: str, position: str) -> str:
    """The title one signs under when standing in: "Plh. Kepala Bidang Kepegawaian" (`kind` "Plh." or "Plt.")."""
    return f"{kind} {position}"


def acting_name(name: str, kind: str, position: str) -> str:
    """The official form: "Budi Santoso, S.E., Plh. Kepala Bidang Kepegawaian"."""
    return f"{name}, {acting_title(kind, position)}"


def names(acts: Iterable[Act]) -> dict[Act, str]:
    """The name each act reads under: the actor's own, or the official form when they stood in for someone.
    Acts without a (still existing) actor are left out. Three queries whatever the number of acts."""
    acts = {act for act in acts if act.actor_id is not None}
    if not acts:
        return {}
    users = {user.id: user for user in db.session.scalars(
        select(User).where(User.id.in_({act.actor_id for act in acts})).options(joinedload(User.employee)))}
    standing = [act for act in acts if act.acting_for_id is not None and act.actor_id in users
                and users[act.actor_id].employee_id is not None]
    kinds = _kinds({(users[act.actor_id].employee_id, act.acting_for_id, act.day) for act in standing})
    positions = _positions({(act.acting_for_id, act.day) for act in standing})
    result = {}
    for act in acts:
        user = users.get(act.actor_id)
        if user is None:
            continue
        if act in standing:
            kind = kinds.get((user.employee_id, act.acting_for_id, act.day), ActingKind.PLH.label)
            result[act] = acting_name(user.display_name, kind, positions[(act.acting_for_id, act.day)])
        else:
            result[act] = user.display_name
    return result


def name_of(actor: User, acting_for_id: int | None, day: date) -> str:
    """The name one act of `actor` reads under (see `names`)."""
    if acting_for_id is None:
        return actor.display_name
    return names([Act(actor.id, acting_for_id, day)])[Act(actor.id, acting_for_id, day)]


def entry_names(entries: Iterable[AuditEntry]) -> dict[int, str]:
    """Per audit entry id, the name its actor reads under (entries whose account is gone are left out)."""
    acts = {entry.id: Act(entry.actor_id, entry.acting_for_id, day_of(entry.occurred_at)) for entry in entries}
    found = names(acts.values())
    return {entry_id: found[act] for entry_id, act in acts.items() if act in found}


def _kinds(wanted: set[tuple[int, int, date]]) -> dict[tuple[int, int, date], str]:
    """"Plh." or "Plt." for each (acting, absent, day) covered by an acting assignment."""
    days: dict[tuple[int, int], list[date]] = defaultdict(list)
    for acting_id, absent_id, day in wanted:
        days[(acting_id, absent_id)].append(day)
    if not days:
        return {}
    found: dict[tuple[int, int, date], str] = {}
    for acting_id, absent_id, kind, valid_from, valid_to in db.session.execute(
        select(ActingAssignment.acting_id, ActingAssignment.absent_id, ActingAssignment.kind,
               ActingAssignment.valid_from, ActingAssignment.valid_to)
        .where(ActingAssignment.acting_id.in_({pair[0] for pair in days}),
               ActingAssignment.absent_id.in_({pair[1] for pair in days}))
    ):
        for day in days.get((acting_id, absent_id), ()):
            if valid_from <= day <= valid_to:
                found[(acting_id, absent_id, day)] = kind.label
    return found


def _positions(wanted: set[tuple[int, date]]) -> dict[tuple[int, date], str]:
    """The position of each (employee, day): the assignment begun last on or before the day, else the first."""
    days: dict[int, list[date]] = defaultdict(list)
    for employee_id, day in wanted:
        days[employee_id].append(day)
    found: dict[tuple[int, date], str] = {}
    if days:
        for employee_id, valid_from, position in db.session.execute(
            select(Assignment.employee_id, Assignment.valid_from, Position.name)
            .join(Position, Position.id == Assignment.position_id)
            .where(Assignment.employee_id.in_(list(days)))
            .order_by(Assignment.valid_from, Assignment.id)
        ):
            for day in days[employee_id]:
                if valid_from <= day or (employee_id, day) not in found:
                    found[(employee_id, day)] = position
    return {key: found.get(key, "-") for key in wanted}
