"""Two months of check-ins and check-outs for the staff of two demo agencies, inserted with Core in one go.

Each working day follows the person's activities: at the office (a position inside an office's radius, a few
metres of GPS wander), at home (a home a few kilometres away) or on a trip (somewhere in town, with the surat
tugas of the day's activities). Most arrive before 07.30, some late; most leave after the end of the day, a few
early. A day without activities is mostly a day without check-in. A few people carry anomalies for the review
list: one reports the same coordinates with accuracy 0 on three days, two share a phone one day.

The agency under a WFO cap keeps it: its people check in at the office only on their WFO days of the published
roster (the activities already follow it; a day without activities takes the roster's mode). Each check-in
within the selfie retention has a selfie, stored as a real one is: a small generated picture (no photos of
people in the demo), a different one each time.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw
from sqlalchemy import func, insert, select

from kinerja import clock, images
from kinerja.attendance import hours, selfie
from kinerja.attendance.geo import distance_m
from kinerja.extensions import db
from kinerja.models import (
    Activity,
    Agency,
    Assignment,
    AttendanceFlag,
    AttendanceKind,
    AttendanceRecord,
    AttendanceSession,
    Employee,
    FlagKind,
    FlagStatus,
    Leave,
    Office,
    Regency,
    WorkMode,
)
from kinerja.settings import setting
from kinerja.workcalendar import holidays_between, is_weekend

AGENCY_CODES = ("DISDUKCAPIL", "BKPSDMD")
DEMO_APEL = (time(7, 30), time(8, 0))  # Monday's apel pagi, required of those at the office
METRES_PER_DEGREE = 111_195.0
USER_AGENTS = (
    "Mozilla/5.0 (Linux; Android 14; SM-A155F) AppleWebKit/537.36 Chrome/130.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 13; Redmi Note 12) AppleWebKit/537.36 Chrome/129.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 Version/17.6 Mobile Safari",
)


def moved(lat: float, lon: float, metres: float, bearing: float) -> tuple[float, float]:
    """The position `metres` away in the direction `bearing` (radians), on a flat local approximation."""
    d_lat = metres * math.cos(bearing) / METRES_PER_DEGREE
    d_lon = metres * math.sin(bearing) / (METRES_PER_DEGREE * math.cos(math.radians(lat)))
    return round(lat + d_lat, 7), round(lon + d_lon, 7)


class SelfieMaker:
    """Stand-in selfies: an oval face and shoulders on a background of the person's colour, framed a little
    differently each time, stored through kinerja.attendance.selfie with their hash."""

    SIZE = (72, 96)

    def __init__(self, seed: int = 2026_90) -> None:
        self.rng = random.Random(seed)

    def colours(self) -> dict:
        rng = self.rng
        return {"background": (rng.randint(150, 230), rng.randint(150, 230), rng.randint(150, 230)),
                "skin": (rng.randint(170, 230), rng.randint(120, 180), rng.randint(90, 140)),
                "clothes": (rng.randint(20, 120), rng.randint(20, 120), rng.randint(60, 160))}

    def store(self, colours: dict) -> tuple[str, str]:
        """The stored file's name and the picture's hash."""
        rng = self.rng
        image = Image.new("RGB", self.SIZE, colours["background"])
        draw = ImageDraw.Draw(image)
        x, y, tilt = rng.randint(-9, 9), rng.randint(-7, 7), rng.randint(-4, 4)
        draw.rectangle((8 + x, 70 + y, 64 + x, 96), fill=colours["clothes"])
        draw.ellipse((18 + x - tilt, 14 + y, 54 + x + tilt, 62 + y), fill=colours["skin"])
        shade = rng.randint(-25, 25)
        draw.rectangle((0, 0, 71, 4), fill=tuple(max(0, min(255, c + shade)) for c in colours["background"]))
        picture = selfie.Selfie(images.encode(image, "JPEG", quality=70), selfie.dhash(image))
        name, _path = selfie.write(picture)
        return name, picture.phash


class AttendanceBuilder:
    def __init__(self, today: date, zone: ZoneInfo, offices: dict[int, list[Office]],
                 selfies_since: datetime | None = None) -> None:
        self.today = today
        self.zone = zone
        self.offices = offices
        self.rng = random.Random(2026_23)
        self.rows: list[dict] = []
        self.flags: dict[tuple[int, date, AttendanceKind], list[dict]] = {}
        self.selfies = SelfieMaker()
        self.selfies_since = selfies_since  # check-ins from then on keep their selfie (within retention)
        self.apel_rng = random.Random(2026_07)
        self.apel_selfies = SelfieMaker(2026_91)

    def local(self, day: date, minute: int) -> datetime:
        return datetime.combine(day, time(minute // 60, minute % 60, self.rng.randint(0, 59)), tzinfo=self.zone)

    def place(self, agency_id: int, lat: float, lon: float) -> tuple[int | None, float | None, bool]:
        best = None
        for office in self.offices.get(agency_id, ()):
            metres = distance_m(lat, lon, office.latitude, office.longitude)
            inside = metres <= office.radius_m
            if best is None or (inside, -metres) > (best[2], -best[1]):
                best = (office.id, metres, inside)
        return (best[0], round(best[1], 1), best[2]) if best else (None, None, False)

    def record(self, person: dict, day: date, kind: AttendanceKind, moment: datetime, mode: WorkMode,
               position: tuple[float, float], accuracy: float, letter: str | None, device: str) -> dict:
        late, early = hours.lateness(kind, mode, moment, hours.working_hours(day, person["work_week"]))
        office_id, metres, inside = self.place(person["agency_id"], *position)
        row = {
            "employee_id": person["employee_id"], "agency_id": person["agency_id"], "day": day, "kind": kind,
            "at": moment.astimezone(UTC), "mode": mode, "latitude": position[0], "longitude": position[1],
            "accuracy_m": accuracy, "office_id": office_id, "distance_m": metres, "within_radius": inside,
            "assignment_letter": letter if mode is WorkMode.DL else None, "selfie_name": None, "selfie_hash": None,
            "device_id": device, "user_agent_hash": person["ua_hash"],
            "late_minutes": late, "early_minutes": early,
            "off_day": False, "created_at": moment.astimezone(UTC), "updated_at": moment.astimezone(UTC),
        }
        if self.selfies_since is not None and moment >= self.selfies_since:
            row["selfie_name"], row["selfie_hash"] = self.selfies.store(person["colours"])
        self.rows.append(row)
        return row

    def position(self, person: dict, mode: WorkMode) -> tuple[float, float]:
        rng = self.rng
        if mode is WorkMode.WFO:
            office = person["office"]
            return moved(office.latitude, office.longitude, rng.uniform(3, office.radius_m * 0.6),
                         rng.uniform(0, 2 * math.pi))
        if mode is WorkMode.WFH:
            return moved(*person["home"], rng.uniform(2, 15), rng.uniform(0, 2 * math.pi))
        office = person["office"]
        return moved(office.latitude, office.longitude, rng.uniform(1500, 6000), rng.uniform(0, 2 * math.pi))

    def add_person(self, person: dict, days: list[date], modes: dict[date, tuple[WorkMode, str | None]],
                   now: datetime | None, roster: dict[date, WorkMode] | None = None) -> None:
        """The person's check-ins on the days: the mode of the day's activities, else the roster's (else WFO);
        never the office on a day the published roster has them at home."""
        rng = self.rng
        roster = roster or {}
        for day in days:
            planned = modes.get(day)
            if planned is None and (day != self.today and rng.random() < 0.7):
                continue  # no activities that day and no check-in either (sick without letter, forgotten)
            mode, letter = planned or (roster.get(day, WorkMode.WFO), None)
            if mode is WorkMode.WFO and roster.get(day) is WorkMode.WFH:
                mode = WorkMode.WFH
            working = hours.working_hours(day, person["work_week"])
            start = working.start.hour * 60 + working.start.minute
            end = working.end.hour * 60 + working.end.minute
            arrival = start - rng.randint(1, 35) if rng.random() > person["lateness"] else start + rng.randint(1, 55)
            moment = self.local(day, arrival)
            if day == self.today and (now is None or moment >= now):
                continue
            row = self.record(person, day, AttendanceKind.IN, moment, mode, self.position(person, mode),
                              round(rng.uniform(4, 30), 1), letter, person["device"])
            self.attend_apel(person, row, arrival, now)
            if day == self.today:
                continue  # the day is not over yet
            leaving = end + rng.randint(0, 70) if rng.random() > 0.06 else end - rng.randint(5, 60)
            self.record(person, day, AttendanceKind.OUT, self.local(day, leaving), mode,
                        self.position(person, mode), round(rng.uniform(4, 30), 1), letter, person["device"])

    def attend_apel(self, person: dict, check_in: dict, arrival: int, now: datetime | None) -> None:
        """The Monday apel pagi (DEMO_APEL) at the office: most who arrive in time attend; late comers miss it.
        Its own random stream, so the rest of the demo stays as it was."""
        day = check_in["day"]
        opens, closes = DEMO_APEL
        start, end = opens.hour * 60 + opens.minute, closes.hour * 60 + closes.minute
        if day.isoweekday() != 1 or check_in["mode"] is not WorkMode.WFO or arrival >= end or \
                self.apel_rng.random() < 0.1:
            return
        minute = self.apel_rng.randint(max(start, arrival), end - 1)
        moment = datetime.combine(day, time(minute // 60, minute % 60, self.apel_rng.randint(0, 59)),
                                  tzinfo=self.zone)
        if now is not None and day == now.date() and moment >= now:
            return
        selfie_name = selfie_hash = None
        if self.selfies_since is not None and moment >= self.selfies_since:
            selfie_name, selfie_hash = self.apel_selfies.store(person["colours"])
        self.rows.append(check_in | {"kind": AttendanceKind.APEL, "at": moment.astimezone(UTC),
                                     "late_minutes": 0, "early_minutes": 0, "selfie_name": selfie_name,
                                     "selfie_hash": selfie_hash, "created_at": moment.astimezone(UTC),
                                     "updated_at": moment.astimezone(UTC)})

    def flag(self, row: dict, kind: FlagKind, **params) -> None:
        self.flags.setdefault((row["employee_id"], row["day"], row["kind"]), []).append(
            {"kind": kind, "detail": json.dumps(params, ensure_ascii=False)[:500], "status": FlagStatus.OPEN,
             "created_at": row["at"], "updated_at": row["at"]})

    def add_anomalies(self, people: list[dict]) -> None:
        """One person with a fixed spot and accuracy 0 on three office check-ins; two people sharing a phone."""
        check_ins = [row for row in self.rows if row["kind"] is AttendanceKind.IN and row["day"] < self.today]
        by_person: dict[int, list[dict]] = {}
        for row in check_ins:
            by_person.setdefault(row["employee_id"], []).append(row)

        def at_office(person: dict) -> list[dict]:
            return [row for row in by_person.get(person["employee_id"], []) if row["mode"] is WorkMode.WFO]

        spoofer = next((person for person in people[3:] if len(at_office(person)) >= 8), None)
        if spoofer is not None:
            office = spoofer["office"]
            spot = moved(office.latitude, office.longitude, min(20.0, office.radius_m / 3), 1.0)
            days: list[str] = []
            for row in sorted(at_office(spoofer), key=lambda row: row["day"])[-8:-5]:
                row.update(latitude=spot[0], longitude=spot[1], accuracy_m=0.0)
                row["office_id"], row["distance_m"], row["within_radius"] = self.place(row["agency_id"], *spot)
                days.append(row["day"].isoformat())
                self.flag(row, FlagKind.EXACT_ACCURACY, accuracy=0.0)
                if len(days) >= 3:
                    self.flag(row, FlagKind.SAME_COORDINATES, m=1, n=len(days), days=days[-5:])
        pair = [person for person in people[5:] if by_person.get(person["employee_id"])][:2]
        if len(pair) == 2:
            shared_days = {row["day"] for row in by_person[pair[0]["employee_id"]]} & \
                {row["day"] for row in by_person[pair[1]["employee_id"]]}
            if shared_days:
                day = sorted(shared_days)[-4] if len(shared_days) >= 4 else max(shared_days)
                first = next(row for row in by_person[pair[0]["employee_id"]] if row["day"] == day)
                second = next(row for row in by_person[pair[1]["employee_id"]] if row["day"] == day)
                second["device_id"] = first["device_id"]
                self.flag(second, FlagKind.SHARED_DEVICE, names=pair[0]["name"])


def seed_attendance(today: date, scheduled: dict[tuple[int, date], WorkMode] | None = None) -> int:
    """Add the demo check-ins (once: nothing if any record exists), following the published rosters in
    `scheduled` ({(employee_id, day): mode}); returns how many records. No commit."""
    db.session.flush()
    if db.session.scalar(select(func.count(AttendanceRecord.id))):
        return 0
    regency = db.session.scalar(select(Regency))
    zone = ZoneInfo(regency.timezone if regency and regency.timezone else "Asia/Jakarta")
    agencies = list(db.session.scalars(select(Agency).where(Agency.code.in_(AGENCY_CODES)).order_by(Agency.code)))
    offices: dict[int, list[Office]] = {}
    for office in db.session.scalars(select(Office).where(Office.agency_id.in_([a.id for a in agencies]))
                                      .order_by(Office.id)):
        offices.setdefault(office.agency_id, []).append(office)
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    days_off = holidays_between(first, today)
    selfies_since = clock.now(zone) - timedelta(days=setting("SELFIE_RETENTION_DAYS"))
    builder = AttendanceBuilder(today, zone, offices, selfies_since)
    now = clock.now(zone)
    roster: dict[int, dict[date, WorkMode]] = {}
    for (employee_id, day), mode in (scheduled or {}).items():
        roster.setdefault(employee_id, {})[day] = mode
    now = now if now.date() == today else None

    rows = db.session.execute(
        select(Assignment.employee_id, Assignment.agency_id, Agency.work_week)
        .join(Agency, Agency.id == Assignment.agency_id)
        .where(Assignment.agency_id.in_([a.id for a in agencies]), Assignment.active_on(today))
        .order_by(Assignment.employee_id)).all()
    ids = [row.employee_id for row in rows]
    if not ids:
        return 0
    modes: dict[int, dict[date, tuple[WorkMode, str | None]]] = {}
    for employee_id, day, mode, letter in db.session.execute(
        select(Activity.employee_id, Activity.activity_date, Activity.work_mode, Activity.assignment_letter)
        .where(Activity.employee_id.in_(ids), Activity.activity_date >= first)
        .order_by(Activity.employee_id, Activity.activity_date, Activity.start_time)
    ):
        modes.setdefault(employee_id, {}).setdefault(day, (mode, letter))
    leave: dict[int, set[date]] = {}
    for item in db.session.scalars(select(Leave).where(Leave.employee_id.in_(ids), Leave.end_date >= first)):
        day = item.start_date
        while day <= item.end_date:
            leave.setdefault(item.employee_id, set()).add(day)
            day += timedelta(days=1)
    names = dict(db.session.execute(select(Employee.id, Employee.name).where(Employee.id.in_(ids))).all())

    people = []
    for employee_id, agency_id, work_week in rows:
        rng = builder.rng
        office = offices[agency_id][0] if agency_id in offices else None
        if office is None:
            continue
        person = {
            "employee_id": employee_id, "agency_id": agency_id, "work_week": work_week, "office": office,
            "name": names.get(employee_id, ""),
            "home": moved(office.latitude, office.longitude, rng.uniform(2000, 6000), rng.uniform(0, 2 * math.pi)),
            "device": f"demo-{rng.getrandbits(64):016x}",
            "ua_hash": hashlib.sha256(rng.choice(USER_AGENTS).encode()).hexdigest(),
            "lateness": rng.choice((0.02, 0.05, 0.05, 0.1, 0.25)),
            "colours": builder.selfies.colours(),
        }
        people.append(person)
        days = []
        day = first
        while day <= today:
            if not is_weekend(day, work_week) and day not in days_off and day not in leave.get(employee_id, ()):
                days.append(day)
            day += timedelta(days=1)
        builder.add_person(person, days, modes.get(employee_id, {}), now, roster.get(employee_id))
    builder.add_anomalies(people)
    if not builder.rows:
        return 0
    db.session.add(AttendanceSession(kind=AttendanceKind.APEL, opens=DEMO_APEL[0], closes=DEMO_APEL[1],
                                     weekdays="1", wfo=True, wfh=False, dl=False, valid_from=first))
    db.session.execute(insert(AttendanceRecord.__table__), builder.rows)
    if builder.flags:
        keys = {key[0] for key in builder.flags}
        flags = []
        for record_id, employee_id, day, kind in db.session.execute(
            select(AttendanceRecord.id, AttendanceRecord.employee_id, AttendanceRecord.day, AttendanceRecord.kind)
            .where(AttendanceRecord.employee_id.in_(keys), AttendanceRecord.day >= first)
        ):
            for item in builder.flags.get((employee_id, day, kind), ()):
                flags.append({**item, "record_id": record_id})
        if flags:
            db.session.execute(insert(AttendanceFlag.__table__), flags)
    return len(builder.rows)
