"""Build the demo regency: agencies, units, offices, positions, about 120 employees and one account per role."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from kinerja.auth.services import hash_password
from kinerja.database import one_step
from kinerja.demo import data
from kinerja.demo.activities import seed_activities
from kinerja.demo.attendance import seed_attendance
from kinerja.demo.review import seed_review_story
from kinerja.demo.roster import scheduled_modes, seed_roster
from kinerja.demo.skp import seed_evaluations, seed_skp
from kinerja.demo.tpp import seed_corrections, seed_tpp
from kinerja.extensions import db
from kinerja.identity import EmploymentType, Gender
from kinerja.models import (
    ActingAssignment,
    ActingKind,
    Agency,
    Assignment,
    Employee,
    Office,
    Position,
    PositionKind,
    Regency,
    Role,
    Unit,
    User,
    UserRole,
)


@dataclass(frozen=True)
class DemoAccount:
    role: str
    login: str
    password: str
    who: str


DEMO_PASSWORDS = {
    "staff": "Pegawai-Cimahi-2026",
    "appraiser": "Penilai-Cimahi-2026",
    "agency_admin": "AdminOPD-Cimahi-2026",
    "bkd_admin": "AdminBKD-Cimahi-2026",
    "superadmin": "Super-Cimahi-2026",
}
ADMIN_USERNAMES = {"agency_admin": "admin.disdukcapil", "bkd_admin": "admin.bkd", "superadmin": "superadmin"}
ASSIGNED_SINCE = date(2024, 1, 2)


class DemoBuilder:
    """Creates the demo objects with a fixed random seed so every machine gets the same regency."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.rng = random.Random(2026)
        self.used_numbers: set[str] = set()
        self.positions: dict[str, Position] = {}
        self.employees: list[Employee] = []

    def person_name(self, gender: Gender) -> str:
        if gender is Gender.MALE:
            return f"{self.rng.choice(data.MALE_NAMES)} {self.rng.choice(data.SURNAMES)}"
        return f"{self.rng.choice(data.FEMALE_NAMES)} {self.rng.choice(data.SURNAMES + data.FEMALE_SURNAMES)}"

    def identity_number(self, employment_type: EmploymentType, gender: Gender, senior: bool) -> str:
        while True:
            birth = date(self.rng.randint(1966, 1976) if senior else self.rng.randint(1975, 1999),
                         self.rng.randint(1, 12), self.rng.randint(1, 28))
            if employment_type is EmploymentType.NON_ASN:
                day = birth.day + (40 if gender is Gender.FEMALE else 0)
                number = f"3277{self.rng.randint(1, 3):02d}{day:02d}{birth:%m%y}{self.rng.randint(1, 9999):04d}"
            elif employment_type is EmploymentType.PPPK:
                year = self.rng.choice([2021, 2022, 2023, 2024])
                number = f"{birth:%Y%m%d}{year}21{1 if gender is Gender.MALE else 2}{self.rng.randint(1, 999):03d}"
            else:
                tmt_year = min(birth.year + self.rng.randint(22, 30), self.today.year - 1)
                number = (f"{birth:%Y%m%d}{tmt_year}{self.rng.randint(1, 12):02d}"
                          f"{1 if gender is Gender.MALE else 2}{self.rng.randint(1, 999):03d}")
            if number not in self.used_numbers:
                self.used_numbers.add(number)
                return number

    def employee(self, position_key: str, *, leader: bool) -> Employee:
        position = self.positions[position_key]
        gender = self.rng.choice([Gender.MALE, Gender.FEMALE])
        if leader or position.kind is PositionKind.FUNGSIONAL:
            employment_type = EmploymentType.PNS
        else:
            employment_type = self.rng.choices(
                [EmploymentType.PNS, EmploymentType.CPNS, EmploymentType.PPPK, EmploymentType.NON_ASN],
                weights=[62, 6, 20, 12],
            )[0]
        if position_key in data.DEGREES_BY_POSITION:
            front, back = data.DEGREES_BY_POSITION[position_key]
        else:
            front, back = self.rng.choice(data.SENIOR_DEGREES if leader else data.JUNIOR_DEGREES)
            if front == "Drs." and gender is Gender.FEMALE:
                front = "Dra."
        if employment_type is EmploymentType.PPPK:
            grade = self.rng.choice(["V", "VII", "IX"])
        elif employment_type is EmploymentType.NON_ASN:
            grade = None
        elif employment_type is EmploymentType.CPNS:
            grade = self.rng.choice(["II/a", "III/a"])
        else:
            grade = self.rng.choice(data.GRADES[position.kind])
        name = self.person_name(gender)
        employee = Employee(
            id_number=self.identity_number(employment_type, gender, senior=leader),
            employment_type=employment_type,
            name=name,
            front_title=front,
            back_title=back,
            grade=grade,
            gender=gender,
            email=f"{name.lower().replace(' ', '.')}{len(self.employees) + 1}@cimahikota.go.id",
            phone=f"08{self.rng.randint(1100000000, 9999999999)}",
        )
        self.employees.append(employee)
        return employee

    def assign(self, employee: Employee, agency: Agency, unit: Unit, position_key: str,
               appraiser: Employee | None) -> Assignment:
        assignment = Assignment(
            employee=employee, agency=agency, unit=unit, position=self.positions[position_key],
            appraiser=appraiser, valid_from=ASSIGNED_SINCE,
        )
        db.session.add(assignment)
        return assignment

    def build_positions(self) -> None:
        for key, (name, kind, grade) in data.POSITIONS.items():
            self.positions[key] = Position(name=name, kind=kind, class_grade=grade)
        db.session.add_all(self.positions.values())

    def build_agency(self, spec: dict, sekda: Employee | None) -> tuple[Agency, dict[str, Employee]]:
        """One agency with its units, offices, head, unit heads and staff; returns unit heads by code."""
        agency = Agency(code=spec["code"], name=spec["name"], short_name=spec["short_name"],
                        timezone=data.REGENCY["timezone"], work_week=5)
        db.session.add(agency)
        for name, address, lat, lon, radius in spec["offices"]:
            db.session.add(Office(agency=agency, name=name, address=address, latitude=lat, longitude=lon,
                                  radius_m=radius))
        units: dict[str, Unit] = {}
        for code, unit_name, *_rest in spec["units"]:
            parent = units.get(code.rpartition(".")[0])
            units[code] = Unit(agency=agency, parent=parent, code=code, name=unit_name)
        db.session.add_all(units.values())

        head = sekda if spec["head"] == "sekda" and sekda else self.employee(spec["head"], leader=True)
        agency.head = head
        top_unit = units[spec["units"][0][0]]
        self.assign(head, agency, top_unit, spec["head"], None if spec["head"] == "sekda" else sekda)

        heads: dict[str, Employee] = {}
        for code, _name, head_key, staff_keys, staff_count in spec["units"]:
            parent_code = code.rpartition(".")[0]
            unit_head = self.employee(head_key, leader=True)
            heads[code] = unit_head
            self.assign(unit_head, agency, units[code], head_key, heads.get(parent_code, head))
            for index in range(staff_count):
                position_key = staff_keys[index % len(staff_keys)]
                self.assign(self.employee(position_key, leader=False), agency, units[code], position_key,
                            unit_head)
        return agency, heads


def find_demo_accounts() -> list[DemoAccount]:
    """The demo sign-ins, one per role, read back from the database."""
    regency = db.session.scalar(select(Regency))
    if regency is None:
        return []
    accounts = []
    for key, label in (("staff", "Pegawai"), ("appraiser", "Pejabat penilai")):
        user = db.session.scalar(
            select(User).join(User.employee).where(Employee.email == f"demo-{key}@cimahikota.go.id")
        )
        if user and user.employee:
            accounts.append(DemoAccount(label, user.employee.id_number, DEMO_PASSWORDS[key], user.employee.full_name))
    for key, label in (("agency_admin", "Admin OPD (Disdukcapil, kuota WFO & jadwal piket)"),
                       ("bkd_admin", "Admin BKD"), ("superadmin", "Superadmin")):
        accounts.append(DemoAccount(label, ADMIN_USERNAMES[key], DEMO_PASSWORDS[key], ADMIN_USERNAMES[key]))
    return accounts


def seed_demo(today: date) -> bool:
    """Create the demo regency unless one exists, in one transaction; returns True when it created it."""
    if db.session.scalar(select(Regency.id)) is not None:
        return False
    with one_step():  # the roster services inside only flush: all of the demo or nothing
        build_demo(today)
    return True


def build_demo(today: date) -> None:
    builder = DemoBuilder(today)
    db.session.add(Regency(**data.REGENCY))
    builder.build_positions()

    sekda_spec = data.AGENCIES[0]
    setda, _heads = builder.build_agency(sekda_spec, None)
    sekda = setda.head
    agencies = {"SETDA": setda}
    unit_heads: dict[str, dict[str, Employee]] = {"SETDA": _heads}
    for spec in data.AGENCIES[1:]:
        agency, heads = builder.build_agency(spec, sekda)
        agencies[spec["code"]] = agency
        unit_heads[spec["code"]] = heads
    db.session.flush()

    # The demo pair: a service-desk clerk and her section head, who also stands in for a colleague on leave.
    appraiser = unit_heads["DISDUKCAPIL"]["02.01"]
    staff = db.session.scalar(
        select(Employee).join(Assignment, Assignment.employee_id == Employee.id)
        .where(Assignment.appraiser_id == appraiser.id, Employee.employment_type == EmploymentType.PNS)
        .order_by(Employee.id).limit(1)
    )
    staff.email = "demo-staff@cimahikota.go.id"
    appraiser.email = "demo-appraiser@cimahikota.go.id"
    db.session.add(ActingAssignment(
        kind=ActingKind.PLH, acting=appraiser, absent=unit_heads["DISDUKCAPIL"]["03.01"],
        valid_from=today - timedelta(days=7), valid_to=today + timedelta(days=21),
        decree_number="800.1.3/045-Disdukcapil/2026",
    ))

    unusable = hash_password(secrets.token_urlsafe(32))
    demo_hashes = {key: hash_password(password) for key, password in DEMO_PASSWORDS.items()}
    for employee in builder.employees:
        key = "staff" if employee is staff else "appraiser" if employee is appraiser else None
        user = User(employee=employee, password_hash=demo_hashes[key] if key else unusable,
                    must_change_password=True)
        user.roles.append(UserRole(role=Role.STAFF))
        db.session.add(user)
    admin_roles = {
        "agency_admin": (Role.AGENCY_ADMIN, agencies["DISDUKCAPIL"]),
        "bkd_admin": (Role.BKD_ADMIN, None),
        "superadmin": (Role.SUPERADMIN, None),
    }
    for key, (role, agency) in admin_roles.items():
        user = User(username=ADMIN_USERNAMES[key], password_hash=demo_hashes[key], must_change_password=True)
        user.roles.append(UserRole(role=role, agency=agency))
        db.session.add(user)
    seed_roster(today)  # first: the activities and check-ins follow the published rosters
    scheduled = scheduled_modes()
    indicators = seed_skp(today, staff.id)
    seed_activities(today, staff.id, indicators, scheduled)
    seed_evaluations(today, appraiser.id)
    seed_attendance(today, scheduled)
    seed_review_story(today, staff, appraiser)
    db.session.flush()
    seed_tpp(today, ADMIN_USERNAMES["bkd_admin"], "DISDUKCAPIL", staff.id)
    seed_corrections(today, appraiser.id)
