"""Anti-spoofing: anomalies on a new check-in or check-out, each a flag for a person to review.

Browsers cannot see mock-location apps, so the position is a claim. None of these is proof: someone may sit
at the same desk every day, or share a phone with a colleague whose battery died. The reviewer decides.
"""

from __future__ import annotations

import json
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from kinerja.attendance.geo import distance_m, inside_bbox, parse_bbox
from kinerja.attendance.selfie import hamming
from kinerja.extensions import db
from kinerja.models import AttendanceFlag, AttendanceRecord, Employee, FlagKind, WorkMode
from kinerja.settings import setting

LOOKBACK_DAYS = 60
DEGREES_PER_METRE = 1 / 111_000


def flag(kind: FlagKind, **params) -> AttendanceFlag:
    return AttendanceFlag(kind=kind, detail=json.dumps(params, ensure_ascii=False)[:500])


def earlier_records(record: AttendanceRecord) -> select:
    return select(AttendanceRecord).where(
        AttendanceRecord.employee_id == record.employee_id,
        AttendanceRecord.id != record.id,
        AttendanceRecord.day >= record.day - timedelta(days=LOOKBACK_DAYS),
        # Machine punches carry the office's own coordinates, not a phone's claim.
        AttendanceRecord.machine_id.is_(None),
    )


def same_coordinates(record: AttendanceRecord) -> AttendanceFlag | None:
    """The same position to about a metre on several days: real GPS wanders by metres from day to day."""
    metres = setting("ATTENDANCE_SAME_SPOT_M")
    box = (metres + 1) * DEGREES_PER_METRE * 2
    nearby = db.session.scalars(earlier_records(record).where(
        AttendanceRecord.latitude.between(record.latitude - box, record.latitude + box),
        AttendanceRecord.longitude.between(record.longitude - box, record.longitude + box),
    ))
    days = {record.day} | {other.day for other in nearby
                           if distance_m(record.latitude, record.longitude, other.latitude, other.longitude) <= metres}
    if len(days) < setting("ATTENDANCE_SAME_SPOT_DAYS"):
        return None
    return flag(FlagKind.SAME_COORDINATES, m=metres, n=len(days),
                days=[day.isoformat() for day in sorted(days)[-5:]])


def exact_accuracy(record: AttendanceRecord) -> AttendanceFlag | None:
    """Phones report metres of uncertainty; 0 or sub-metre values come from fake-location apps."""
    if record.accuracy_m >= 1:
        return None
    return flag(FlagKind.EXACT_ACCURACY, accuracy=round(record.accuracy_m, 2))


def impossible_speed(record: AttendanceRecord) -> AttendanceFlag | None:
    """Too fast from the person's previous check-in or check-out, beyond what the two accuracies explain."""
    previous = db.session.scalar(
        select(AttendanceRecord).where(AttendanceRecord.employee_id == record.employee_id,
                                       AttendanceRecord.id != record.id, AttendanceRecord.at <= record.at)
        .order_by(AttendanceRecord.at.desc()).limit(1))
    if previous is None:
        return None
    metres = distance_m(previous.latitude, previous.longitude, record.latitude, record.longitude)
    if metres <= previous.accuracy_m + record.accuracy_m:
        return None
    seconds = max((record.at - previous.at).total_seconds(), 1.0)
    speed = metres / 1000 / (seconds / 3600)
    if speed <= setting("ATTENDANCE_MAX_SPEED_KMH"):
        return None
    return flag(FlagKind.IMPOSSIBLE_SPEED, km=round(metres / 1000, 1), minutes=round(seconds / 60),
                speed=round(speed))


def repeated_selfie(record: AttendanceRecord) -> AttendanceFlag | None:
    """A selfie nearly identical to an earlier one of the same person: a reused or printed photo."""
    if not record.selfie_hash:
        return None
    limit = setting("SELFIE_HASH_DISTANCE")
    rows = db.session.execute(
        select(AttendanceRecord.day, AttendanceRecord.selfie_hash).where(
            AttendanceRecord.employee_id == record.employee_id, AttendanceRecord.id != record.id,
            AttendanceRecord.selfie_hash.is_not(None))
        .order_by(AttendanceRecord.at.desc()))
    for day, other in rows:
        distance = hamming(record.selfie_hash, other)
        if distance <= limit:
            return flag(FlagKind.REPEATED_SELFIE, day=day.isoformat(), distance=distance)
    return None


def shared_device(record: AttendanceRecord) -> AttendanceFlag | None:
    """The same browser (its random id) used by other people on the same day."""
    if not record.device_id:
        return None
    names = sorted(set(db.session.scalars(
        select(Employee.name).join(AttendanceRecord, AttendanceRecord.employee_id == Employee.id).where(
            AttendanceRecord.day == record.day, AttendanceRecord.device_id == record.device_id,
            AttendanceRecord.employee_id != record.employee_id))))
    if not names:
        return None
    return flag(FlagKind.SHARED_DEVICE, names=", ".join(names[:5]) + (" …" if len(names) > 5 else ""))


def outside_regency(record: AttendanceRecord) -> AttendanceFlag | None:
    """A position outside the regency's bounding box. Field duty (DL) often leads out of town: not flagged."""
    if record.mode is WorkMode.DL:
        return None
    if inside_bbox(record.latitude, record.longitude, parse_bbox(current_app.config["REGENCY_BBOX"])):
        return None
    return flag(FlagKind.OUTSIDE_REGENCY, lat=f"{record.latitude:.5f}", lon=f"{record.longitude:.5f}")


CHECKS = (same_coordinates, exact_accuracy, impossible_speed, repeated_selfie, shared_device, outside_regency)


def evaluate(record: AttendanceRecord) -> list[AttendanceFlag]:
    """Every anomaly of a record already flushed (it has an id); the caller adds them to the record."""
    return [found for check in CHECKS if (found := check(record)) is not None]
