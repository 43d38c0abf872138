"""A sample staff import file for trying the import: about 200 new employees spread over the units the
importer may use, each under the unit's current appraiser, with valid NIPs.

The rows are built from what is in the database (the units with staff, their appraisers and the staff
positions used there), so the file imports cleanly into the demo regency and into any regency with staff.
The random generator is seeded: the same database gives the same file, so importing it twice changes nothing
the second time.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from kinerja.admin.staff_import_rows import TEMPLATE_KIND_NAMES
from kinerja.admin.staff_import_template import build_workbook
from kinerja.demo import data
from kinerja.errors import ValidationFailed
from kinerja.extensions import db
from kinerja.identity import EmploymentType, Gender
from kinerja.models import Agency, Assignment, Employee, Position, PositionKind, Unit, User
from kinerja.permissions import admin_agency_ids, is_global_admin

SAMPLE_SIZE = 200
STAFF_KINDS = (PositionKind.FUNGSIONAL, PositionKind.PELAKSANA)
# Titles that go with a position ("dr." for doctors), by the position's name.
DEGREES = {name: data.DEGREES_BY_POSITION[key] for key, (name, _kind, _grade) in data.POSITIONS.items()
           if key in data.DEGREES_BY_POSITION}
GRADES = {
    EmploymentType.PNS: ["II/a", "II/b", "II/c", "II/d", "III/a", "III/b"],
    EmploymentType.CPNS: ["II/a", "III/a"],
    EmploymentType.PPPK: ["V", "VII", "IX"],
    EmploymentType.NON_ASN: [None],
}


@dataclass(frozen=True)
class Slot:
    """A unit that has staff: where new staff go, under whom, in which positions."""

    agency_code: str
    unit_name: str
    appraiser_nip: str
    positions: tuple[tuple[str, PositionKind], ...]


def slots(actor: User, on: date) -> list[Slot]:
    """Units in the actor's scope with staff in staff positions, each with the appraiser of most of them."""
    appraiser = select(Employee.id, Employee.id_number).subquery()
    query = (select(Agency.code, Unit.name, appraiser.c.id_number, Position.name, Position.kind)
             .select_from(Assignment)
             .join(Agency, Agency.id == Assignment.agency_id)
             .join(Unit, Unit.id == Assignment.unit_id)
             .join(Position, Position.id == Assignment.position_id)
             .join(appraiser, appraiser.c.id == Assignment.appraiser_id)
             .where(Assignment.active_on(on), Position.kind.in_(STAFF_KINDS))
             .order_by(Agency.code, Unit.code, Position.name))
    if not is_global_admin(actor):
        query = query.where(Assignment.agency_id.in_(admin_agency_ids(actor)))
    appraisers: dict[tuple[str, str], Counter] = defaultdict(Counter)
    positions: dict[tuple[str, str], dict[str, PositionKind]] = defaultdict(dict)
    for agency_code, unit_name, appraiser_nip, position_name, kind in db.session.execute(query):
        appraisers[(agency_code, unit_name)][appraiser_nip] += 1
        positions[(agency_code, unit_name)][position_name] = kind
    return [Slot(key[0], key[1], counter.most_common(1)[0][0], tuple(sorted(positions[key].items())))
            for key, counter in appraisers.items()]


class SampleMaker:
    """Names, identity numbers and titles drawn from a seeded generator."""

    def __init__(self) -> None:
        self.rng = random.Random(82026)
        self.used: set[str] = set()

    def name(self, gender: Gender) -> str:
        if gender is Gender.MALE:
            return f"{self.rng.choice(data.MALE_NAMES)} {self.rng.choice(data.SURNAMES)}"
        return f"{self.rng.choice(data.FEMALE_NAMES)} {self.rng.choice(data.SURNAMES + data.FEMALE_SURNAMES)}"

    def identity_number(self, kind: EmploymentType, gender: Gender) -> str:
        digit = 1 if gender is Gender.MALE else 2
        while True:
            birth = date(self.rng.randint(1978, 2000), self.rng.randint(1, 12), self.rng.randint(1, 28))
            if kind is EmploymentType.NON_ASN:
                day = birth.day + (40 if gender is Gender.FEMALE else 0)
                number = f"3277{self.rng.randint(1, 3):02d}{day:02d}{birth:%m%y}{self.rng.randint(1, 9999):04d}"
            elif kind is EmploymentType.PPPK:
                number = f"{birth:%Y%m%d}{self.rng.choice([2022, 2023, 2024])}21{digit}{self.rng.randint(1, 999):03d}"
            else:
                year = 2024 if kind is EmploymentType.CPNS else min(birth.year + self.rng.randint(22, 26), 2023)
                number = f"{birth:%Y%m%d}{year}{self.rng.randint(1, 12):02d}{digit}{self.rng.randint(1, 999):03d}"
            if number not in self.used:
                self.used.add(number)
                return number

    def row(self, slot: Slot, index: int) -> list:
        position, kind = slot.positions[index % len(slot.positions)]
        gender = self.rng.choice([Gender.MALE, Gender.FEMALE])
        if kind is PositionKind.FUNGSIONAL:
            employment = self.rng.choice([EmploymentType.PNS, EmploymentType.PNS, EmploymentType.PPPK])
        else:
            employment = self.rng.choices(list(GRADES), weights=[62, 6, 20, 12])[0]
        front, back = DEGREES.get(position) or self.rng.choice(data.JUNIOR_DEGREES)
        name = self.name(gender)
        number = self.identity_number(employment, gender)
        employment_label = "Non-ASN" if employment is EmploymentType.NON_ASN else employment.value
        email = f"{name.lower().replace(' ', '.')}.{number[-4:]}@cimahikota.go.id"
        phone = f"08{self.rng.randint(1100000000, 9999999999)}"
        return [number, name, front, back, gender.value, employment_label, self.rng.choice(GRADES[employment]),
                position, TEMPLATE_KIND_NAMES[kind],
                slot.unit_name, slot.agency_code, slot.appraiser_nip, email, phone]


def sample_rows(actor: User, on: date, size: int = SAMPLE_SIZE) -> list[list]:
    """`size` new employees spread evenly over the units in the actor's scope."""
    places = slots(actor, on)
    if not places:
        raise ValidationFailed(_("Contoh berkas belum dapat dibuat: belum ada unit kerja berisi pegawai yang "
                                 "memiliki atasan."))
    maker = SampleMaker()
    return [maker.row(places[index % len(places)], index // len(places)) for index in range(size)]


def sample_workbook(actor: User, on: date) -> bytes:
    """The import template filled with the sample rows, as .xlsx bytes."""
    return build_workbook(actor, sample_rows(actor, on))
