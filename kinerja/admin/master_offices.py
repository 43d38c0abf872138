"""An agency's offices: where staff check in, and the radius an office check-in must fall within."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from kinerja import audit
from kinerja.admin.master_data import changes_text, require_manager
from kinerja.database import finish
from kinerja.errors import ValidationFailed
from kinerja.extensions import db
from kinerja.models import Agency, AttendanceRecord, Office, User

# Indonesia from Sabang to Merauke and from Miangas to Rote, with a margin.
LATITUDE_RANGE = (-11.0, 6.0)
LONGITUDE_RANGE = (95.0, 141.0)
RADIUS_RANGE = (10, 5000)


def osm_url(office: Office) -> str:
    """The office's position on OpenStreetMap (a plain link: no map script on our pages)."""
    lat, lon = f"{office.latitude:.6f}", f"{office.longitude:.6f}"
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=18/{lat}/{lon}"


def agency_offices(agency_id: int) -> list[Office]:
    return list(db.session.scalars(select(Office).where(Office.agency_id == agency_id)
                                   .order_by(Office.name, Office.id)))


def check_ins_at(office_id: int) -> int:
    """How many check-ins were counted at the office."""
    query = select(func.count()).select_from(AttendanceRecord).where(AttendanceRecord.office_id == office_id)
    return db.session.scalar(query) or 0


@dataclass(frozen=True)
class OfficeInput:
    name: str
    address: str
    latitude: float
    longitude: float
    radius_m: int


def checked_office(data: OfficeInput) -> OfficeInput:
    """Trimmed input inside Indonesia with a sensible radius."""
    name = data.name.strip()
    if not name:
        raise ValidationFailed(_("Wajib diisi."), field="name")
    if not LATITUDE_RANGE[0] <= data.latitude <= LATITUDE_RANGE[1]:
        raise ValidationFailed(_("Lintang harus antara -11 dan 6 (wilayah Indonesia)."), field="latitude")
    if not LONGITUDE_RANGE[0] <= data.longitude <= LONGITUDE_RANGE[1]:
        raise ValidationFailed(_("Bujur harus antara 95 dan 141 (wilayah Indonesia)."), field="longitude")
    if not RADIUS_RANGE[0] <= data.radius_m <= RADIUS_RANGE[1]:
        raise ValidationFailed(_("Radius antara 10 dan 5.000 meter."), field="radius_m")
    return OfficeInput(name, data.address.strip(), data.latitude, data.longitude, data.radius_m)


def office_snapshot(office: Office) -> dict[str, object]:
    return {"name": office.name, "address": office.address, "latitude": office.latitude,
            "longitude": office.longitude, "radius_m": office.radius_m}


def apply_office(office: Office, data: OfficeInput) -> None:
    office.name, office.address = data.name, data.address
    office.latitude, office.longitude, office.radius_m = data.latitude, data.longitude, data.radius_m


def create_office(actor: User, agency: Agency, data: OfficeInput) -> Office:
    """Add an office where the agency's staff may check in."""
    require_manager(actor, agency.id)
    data = checked_office(data)
    office = Office(agency_id=agency.id)
    apply_office(office, data)
    db.session.add(office)
    db.session.flush()
    audit.record(actor, audit.Change("office", office.id, "create", None, None, agency.id,
                                     reason=f"{office.name} ({office.latitude}, {office.longitude}, "
                                            f"{office.radius_m} m)"))
    finish()
    return office


def update_office(actor: User, office: Office, data: OfficeInput) -> Office:
    """Move, rename or resize an office; past check-ins keep the distance measured then."""
    require_manager(actor, office.agency_id)
    data = checked_office(data)
    before = office_snapshot(office)
    apply_office(office, data)
    text = changes_text(before, office_snapshot(office))
    if text:
        audit.record(actor, audit.Change("office", office.id, "update", None, None, office.agency_id, reason=text))
        finish()
    return office


def delete_office(actor: User, office: Office) -> int:
    """Remove an office (closed, moved away). Check-ins made there keep their distance and radius verdict; only
    the link to the office goes. Returns how many check-ins lost that link."""
    require_manager(actor, office.agency_id)
    used = check_ins_at(office.id)
    audit.record(actor, audit.Change("office", office.id, "delete", None, None, office.agency_id,
                                     reason=f"{office.name}; {used} presensi"))
    db.session.delete(office)
    finish()
    return used
