"""factory_boy factories and a small ready-made regency for tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import factory
from factory.alchemy import SQLAlchemyModelFactory

from config import TestingConfig
from kinerja import clock
from kinerja.auth.passwords import hash_password
from kinerja.extensions import db
from kinerja.identity import EmploymentType, Gender
from kinerja.models import (
    ActingAssignment,
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

PASSWORD = "Sandi-Uji-Kinerja-77"
_PASSWORD_HASH = hash_password(PASSWORD, TestingConfig.PASSWORD_HASH_METHOD)


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


def nip_for(n: int, gender: Gender = Gender.MALE) -> str:
    """A valid, unique NIP for the n-th test employee."""
    # Born 1980-1989 (a long suite creates thousands of employees: later births would put the 2010 TMT
    # before the age of 18); with the 3-digit serial the pair repeats only after 3.6 million employees.
    birth = date(1980, 1, 1) + timedelta(days=n % 3650)
    return f"{birth:%Y%m%d}201001{1 if gender is Gender.MALE else 2}{n % 999 + 1:03d}"


class RegencyFactory(BaseFactory):
    class Meta:
        model = Regency

    name = "Pemerintah Kota Uji"
    signature_city = "Uji"


class AgencyFactory(BaseFactory):
    class Meta:
        model = Agency

    code = factory.Sequence(lambda n: f"OPD{n}")
    name = factory.Sequence(lambda n: f"Dinas Uji {n}")
    short_name = factory.Sequence(lambda n: f"Dinas {n}")
    timezone = "Asia/Jakarta"
    work_week = 5


class UnitFactory(BaseFactory):
    class Meta:
        model = Unit

    agency = factory.SubFactory(AgencyFactory)
    code = factory.Sequence(lambda n: f"{n:02d}")
    name = factory.Sequence(lambda n: f"Bidang Uji {n}")


class PositionFactory(BaseFactory):
    class Meta:
        model = Position

    name = factory.Sequence(lambda n: f"Jabatan Uji {n}")
    kind = PositionKind.PELAKSANA
    class_grade = 6


class OfficeFactory(BaseFactory):
    class Meta:
        model = Office

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Kantor {n}")
    latitude = -6.8722
    longitude = 107.5424
    radius_m = 100


class EmployeeFactory(BaseFactory):
    class Meta:
        model = Employee

    id_number = factory.Sequence(nip_for)
    employment_type = EmploymentType.PNS
    name = factory.Sequence(lambda n: f"Pegawai Uji {n}")
    grade = "III/a"
    gender = Gender.MALE
    active = True


class AssignmentFactory(BaseFactory):
    class Meta:
        model = Assignment

    employee = factory.SubFactory(EmployeeFactory)
    unit = factory.SubFactory(UnitFactory)
    agency = factory.SelfAttribute("unit.agency")
    position = factory.SubFactory(PositionFactory)
    appraiser = None
    valid_from = date(2024, 1, 1)
    valid_to = None


class ActingAssignmentFactory(BaseFactory):
    class Meta:
        model = ActingAssignment

    acting = factory.SubFactory(EmployeeFactory)
    absent = factory.SubFactory(EmployeeFactory)
    valid_from = factory.LazyFunction(lambda: clock.today() - timedelta(days=3))
    valid_to = factory.LazyFunction(lambda: clock.today() + timedelta(days=3))
    decree_number = "800/001/2026"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    username = None
    employee = None
    password_hash = _PASSWORD_HASH
    must_change_password = False
    is_enabled = True

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """roles=[Role.X, (Role.AGENCY_ADMIN, agency)]; staff by default when linked to an employee."""
        wanted = extracted if extracted is not None else ([Role.STAFF] if self.employee else [])
        for item in wanted:
            role, agency = item if isinstance(item, tuple) else (item, None)
            self.roles.append(UserRole(role=role, agency=agency))
        if create:
            db.session.flush()


def staff_member(unit: Unit, appraiser: Employee | None, **employee_fields) -> Employee:
    """An employee assigned to the unit under the appraiser, with a staff account."""
    employee = EmployeeFactory(**employee_fields)
    AssignmentFactory(employee=employee, unit=unit, agency=unit.agency, appraiser=appraiser)
    UserFactory(employee=employee)
    return employee


@dataclass
class Organisation:
    agency_a: Agency
    agency_b: Agency
    head_a: Employee
    appraiser_a: Employee
    staff_a: Employee
    staff_a2: Employee
    other_appraiser_a: Employee
    other_staff_a: Employee
    head_b: Employee
    staff_b: Employee
    agency_admin_a: User
    bkd_admin: User
    superadmin: User

    def user(self, employee: Employee) -> User:
        return db.session.query(User).filter_by(employee_id=employee.id).one()


def build_org() -> Organisation:
    """Two agencies. A: head → appraiser → two staff, head → other appraiser → one staff. B: head → staff.

    Built in memory and stored in one flush: the unit of work then inserts each table's rows together (a flush
    per object cost the PostgreSQL and MariaDB suites about a tenth of their time, as nearly every test builds it)."""
    rows: list = []

    def member(unit: Unit, appraiser: Employee | None, **employee_fields) -> Employee:
        employee = EmployeeFactory.build(**employee_fields)
        rows.extend((employee, UserFactory.build(employee=employee),
                     AssignmentFactory.build(employee=employee, unit=unit, agency=unit.agency, appraiser=appraiser)))
        return employee

    regency = RegencyFactory.build()
    agency_a, agency_b = AgencyFactory.build(code="A", name="Dinas A"), AgencyFactory.build(code="B", name="Dinas B")
    top_a = UnitFactory.build(agency=agency_a, code="01", name="Sekretariat A")
    section_a = UnitFactory.build(agency=agency_a, code="01.01", name="Seksi A1", parent=top_a)
    section_a2 = UnitFactory.build(agency=agency_a, code="01.02", name="Seksi A2", parent=top_a)
    top_b = UnitFactory.build(agency=agency_b, code="01", name="Sekretariat B")

    head_a = member(top_a, None, name="Kepala A")
    appraiser_a = member(section_a, head_a, name="Penilai A", gender=Gender.FEMALE)
    staff_a = member(section_a, appraiser_a, name="Staf A")
    staff_a2 = member(section_a, appraiser_a, name="Staf A Dua")
    other_appraiser_a = member(section_a2, head_a, name="Penilai Lain A")
    other_staff_a = member(section_a2, other_appraiser_a, name="Staf Lain A")
    head_b = member(top_b, None, name="Kepala B")
    staff_b = member(top_b, head_b, name="Staf B")
    agency_a.head, agency_b.head = head_a, head_b

    organisation = Organisation(
        agency_a=agency_a,
        agency_b=agency_b,
        head_a=head_a,
        appraiser_a=appraiser_a,
        staff_a=staff_a,
        staff_a2=staff_a2,
        other_appraiser_a=other_appraiser_a,
        other_staff_a=other_staff_a,
        head_b=head_b,
        staff_b=staff_b,
        agency_admin_a=UserFactory.build(username="admin.a", roles=[(Role.AGENCY_ADMIN, agency_a)]),
        bkd_admin=UserFactory.build(username="admin.bkd", roles=[Role.BKD_ADMIN]),
        superadmin=UserFactory.build(username="superadmin", roles=[Role.SUPERADMIN]),
    )
    db.session.add_all([regency, agency_a, agency_b, *rows, *vars(organisation).values()])
    db.session.commit()
    return organisation


# --- Activities: factories and helpers for the activity, evidence and calendar tests -------------------------

import uuid  # noqa: E402
from datetime import datetime, time  # noqa: E402
from decimal import Decimal  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from kinerja.models import (  # noqa: E402
    Activity,
    ActivityCategory,
    ActivityStatus,
    BackdateGrant,
    Evidence,
    EvidenceKind,
    HolidayEntry,
    HolidayKind,
    Leave,
    LeaveKind,
    MonthLock,
    WorkMode,
)

WIB = ZoneInfo("Asia/Jakarta")
# A Wednesday afternoon: the backdating window reaches back to Wednesday 11 November, October is closed.
FIXED_NOW = datetime(2026, 11, 18, 16, 0, tzinfo=WIB)


def hm(text: str) -> time:
    """'08:30' → time(8, 30)."""
    return time.fromisoformat(text)


def minutes_between(start: time, end: time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


class ActivityFactory(BaseFactory):
    """An activity stored as is, without the service's rules (pass employee=)."""

    class Meta:
        model = Activity

    employee = factory.SubFactory(EmployeeFactory)
    activity_date = date(2026, 11, 17)
    start_time = time(8, 0)
    end_time = time(9, 0)
    duration_minutes = factory.LazyAttribute(lambda o: minutes_between(o.start_time, o.end_time))
    description = factory.Sequence(lambda n: f"Menyusun laporan uji {n}")
    quantity = Decimal("1")
    unit = "dokumen"
    work_mode = WorkMode.WFO
    assignment_letter = None
    category = ActivityCategory.MAIN
    status = ActivityStatus.DRAFT
    off_day = False


class EvidenceLinkFactory(BaseFactory):
    class Meta:
        model = Evidence

    activity = factory.SubFactory(ActivityFactory)
    kind = EvidenceKind.LINK
    url = factory.Sequence(lambda n: f"https://arsip.contoh.go.id/bukti/{n}")


class BackdateGrantFactory(BaseFactory):
    class Meta:
        model = BackdateGrant

    employee_id = None
    date_from = date(2026, 11, 1)
    date_to = date(2026, 11, 30)
    valid_until = date(2026, 11, 30)
    reason = "Sakit, lupa mengisi"


class MonthLockFactory(BaseFactory):
    class Meta:
        model = MonthLock

    agency_id = None
    year = 2026
    month = 11
    locked = True
    reason = "Uji"


class LeaveFactory(BaseFactory):
    class Meta:
        model = Leave

    employee_id = None
    kind = LeaveKind.CUTI
    start_date = date(2026, 11, 9)
    end_date = date(2026, 11, 10)


class HolidayEntryFactory(BaseFactory):
    class Meta:
        model = HolidayEntry

    day = date(2026, 11, 20)
    name = "Hari Jadi Kota Uji"
    kind = HolidayKind.REGIONAL
    is_day_off = True


def freeze_now(monkeypatch, when: datetime | date = FIXED_NOW, *, running: bool = False) -> datetime:
    """Freeze the one clock at `when` for this test and every process it starts (a date: FIXED_NOW's hour, WIB);
    `running`: start it there and let it run (races whose processes wait for each other)."""
    if not isinstance(when, datetime):
        when = datetime.combine(when, FIXED_NOW.timetz())
    monkeypatch.setenv(clock.SETTING, clock.setting(when, running=running))
    return when


def activity_input(day: date, start: str = "08:00", end: str = "09:00", **fields):
    """An ActivityInput for the services, valid apart from what the fields change."""
    from kinerja.activities.services import ActivityInput

    values = {
        "description": "Menyusun laporan kegiatan",
        "quantity": Decimal("1"),
        "unit": "dokumen",
        "work_mode": WorkMode.WFO,
        "category": ActivityCategory.MAIN,
        **fields,
    }
    return ActivityInput(activity_date=day, start_time=hm(start), end_time=hm(end), **values)


def activity_form(start: str = "08:00", end: str = "09:00", **fields) -> dict:
    """The quick-add form's fields, valid apart from what the fields change."""
    return {
        "start_time": start,
        "end_time": end,
        "description": "Menyusun laporan kegiatan",
        "quantity": "1",
        "unit": "dokumen",
        "work_mode": "WFO",
        "category": "tugas_utama",
        "assignment_letter": "",
        "link": "",
        "client_token": str(uuid.uuid4()),
        **fields,
    }


def activity_count() -> int:
    return db.session.query(Activity).count()


def field_error(page: str, name: str) -> str | None:
    """The error shown right under the form field `name` on a rendered page, if any."""
    import html
    import re

    match = re.search(
        rf'<(input|textarea)[^>]*\bname="{name}"[^>]*>(?:[^<]*</textarea>)?\s*'
        r'(?:<div class="form-text">[^<]*</div>\s*)?<div class="invalid-feedback d-block">(.*?)</div>',
        page,
        re.S,
    )
    return html.unescape(match.group(2)) if match else None


def iki_for(employee: Employee, text: str = "Jumlah dokumen terselesaikan", unit: str = "dokumen"):
    """A real IKI (with its approved SKP and RHK) of the employee, for activities linked to an indicator."""
    from kinerja.models import Iki, Rhk, RhkKind, Skp, SkpStatus

    skp = Skp(employee_id=employee.id, period_start=date(2026, 1, 1), period_end=date(2026, 12, 31),
              status=SkpStatus.APPROVED, version=1)
    indicator = Iki(text=text, target_value=Decimal(100), unit=unit)
    skp.rhk = [Rhk(kind=RhkKind.MAIN, text=f"RHK {text}", position=1, indicators=[indicator])]
    db.session.add(skp)
    db.session.flush()
    return indicator
