"""People as lists show them: plain rows read with their columns, not ORM entities (a list of a hundred people
hydrated four entities a row: issue 19)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import ColumnElement

from kinerja.identity import EmploymentType
from kinerja.models import Employee
from kinerja.models.people import titled_name


@dataclass(frozen=True)
class PersonRow:
    """An employee in a list: enough for the name with titles, the NIP/NIK (`staff_id`) and a link."""

    id: int
    id_number: str
    employment_type: EmploymentType
    name: str
    front_title: str
    back_title: str

    @property
    def full_name(self) -> str:
        return titled_name(self.front_title, self.name, self.back_title)


def person_columns() -> tuple[ColumnElement, ...]:
    """The columns of a PersonRow, in its order: `PersonRow(*row[:PERSON_WIDTH])`."""
    return (Employee.id, Employee.id_number, Employee.employment_type, Employee.name, Employee.front_title,
            Employee.back_title)


PERSON_WIDTH = len(PersonRow.__dataclass_fields__)


def staff_id(person: PersonRow | Employee) -> Markup:
    """The NIP (NIK for non-ASN staff) beside a name, so that namesakes can be told apart: the templates'
    `person|staff_id` filter (a list of a hundred people shows it on every row; a macro call cost three times
    as much)."""
    label = _("NIP") if person.employment_type.is_asn else _("NIK")
    return Markup('<span class="staff-id small text-muted font-monospace text-nowrap">'  # noqa: S704 (escaped)
                  f'{escape(label)} {escape(person.id_number)}</span>')
