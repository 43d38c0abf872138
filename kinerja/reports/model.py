"""What a report shows, as plain frozen data: loaded once from the database (kinerja.reports.data) and handed to
the renderers (PDF, XLSX), which never query. Labels are already in the report's language (Indonesian: official
documents), so a renderer only lays them out. `data_hash()` keys stored reports: the same data, the same file.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, time
from decimal import Decimal

# Bump when a template or a renderer changes what the same data produces: stored files are then made again.
LAYOUT_VERSION = 1


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def plain(value):
    """What dataclasses.asdict gives for the report data (same JSON, so the same hashes), without its deep
    copies: ten times faster on a 110-row month, and it runs for every report checked against the store."""
    kind = type(value)
    if kind in (str, int, float, bool, type(None)):
        return value
    if is_dataclass(value):
        names = _FIELD_NAMES.get(kind)
        if names is None:
            names = _FIELD_NAMES[kind] = tuple(item.name for item in fields(value))
        return {name: plain(getattr(value, name)) for name in names}
    if kind in (tuple, list):
        return [plain(item) for item in value]
    if kind is dict:
        return {key: plain(item) for key, item in value.items()}
    return value  # Decimal, date, time: json.dumps(default=str) writes them as asdict's copies would be


@dataclass(frozen=True)
class Person:
    """An identity block: the employee, or the appraiser who signs (the Plh/Plt standing in, if any)."""

    name: str  # with academic titles
    id_label: str  # "NIP" for ASN (NIP or NI PPPK), "NIK" for non-ASN staff
    id_number: str
    rank: str  # "Penata Muda, III/a", "IX" for PPPK, "-" without a grade
    position: str  # "Plh. Kepala Bidang ..." when acting
    unit: str
    agency: str
    acting: str = ""  # "Plh." / "Plt." when this person signs for the appraiser, else ""


@dataclass(frozen=True)
class ActivityLine:
    day: date
    start: time
    end: time
    minutes: int
    description: str
    quantity: Decimal
    unit: str
    mode: str  # WFO / WFH / DL
    status: str  # ActivityStatus value
    status_label: str
    indicator: str = ""  # the IKI it realises, if linked


@dataclass(frozen=True)
class IndicatorLine:
    """One IKI of the plan in force: target, the month's realisation and the appraiser's evaluation of it."""

    rhk: str
    rhk_kind: str  # "Utama" / "Tambahan"
    indicator: str
    aspect: str
    target: Decimal
    unit: str
    realised: Decimal  # approved output in the IKI's unit
    adjustment: Decimal = Decimal("0.00")
    note: str = ""
    feedback: str = ""
    planned_action: str = ""  # the month's rencana aksi for the IKI
    other_units: tuple[tuple[Decimal, str], ...] = ()  # approved output in other units, listed apart

    @property
    def total(self) -> Decimal:
        return self.realised + self.adjustment


@dataclass(frozen=True)
class Rated:
    rating_result: str
    rating_behaviour: str
    predikat: str
    predikat_code: str


@dataclass(frozen=True)
class EmployeeMonth:
    """Everything on one employee's monthly report (laporan kinerja bulanan)."""

    employee_id: int
    year: int
    month: int
    period_label: str  # "Oktober 2026"
    regency: str
    city: str  # for "<kota>, <tanggal>"
    logo: str | None  # a file under static/, or "upload:branding/<sha256>.png" (BKD's upload); see pdf.logo_src
    agency_id: int
    agency_name: str
    employee: Person
    appraiser: Person | None  # None for a top official appraised outside the system: blank lines to sign
    earlier_appraisers: tuple[str, ...]  # other appraisers during the month (after a transfer)
    activities: tuple[ActivityLine, ...]
    working_days: int
    days_filed: int
    target_minutes: int
    approved_minutes: int
    filed_minutes: int  # submitted, approved or returned
    mode_days: dict[str, int]  # days with filed activities, per mode
    attendance_days: dict[str, int]  # days checked in, per mode
    late_minutes: int
    counts: dict[str, int]  # activities per status
    open_monthly_items: int  # monthly activities not yet approved
    indicators: tuple[IndicatorLine, ...]
    evaluation: Rated | None
    signature_date: date
    signature_date_label: str  # "31 Oktober 2026"
    notes: tuple[str, ...] = field(default=())

    @property
    def is_draft(self) -> bool:
        """DRAFT while anything of the month is not approved (or nothing was filed)."""
        approved = self.counts.get("approved", 0)
        return approved == 0 or sum(self.counts.values()) != approved or self.open_monthly_items > 0

    @property
    def status_label(self) -> str:
        return "DRAF" if self.is_draft else "FINAL"

    @property
    def minutes_percent(self) -> float:
        return 100.0 * self.approved_minutes / self.target_minutes if self.target_minutes else 0.0

    def data_hash(self) -> str:
        """A hash of everything the report shows (and of the layout version)."""
        payload = json.dumps([LAYOUT_VERSION, plain(self)], default=str, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class RecapRow:
    """One employee's line on the agency recap (rekapitulasi OPD) and the BKD regency workbook."""

    employee_id: int
    name: str
    id_number: str
    grade: str
    position: str
    unit: str
    working_days: int
    days_filed: int
    approved_minutes: int
    target_minutes: int
    approved: int
    pending: int
    returned: int
    draft: int
    mode_days: dict[str, int]
    predikat: str  # label, "" when not rated
    predikat_code: str  # Predikat value, "" when not rated

    @property
    def minutes_percent(self) -> float:
        return 100.0 * self.approved_minutes / self.target_minutes if self.target_minutes else 0.0

    @property
    def filed_percent(self) -> float:
        return 100.0 * self.days_filed / self.working_days if self.working_days else 0.0


@dataclass(frozen=True)
class AgencyRecap:
    agency_id: int
    agency_code: str
    agency_name: str
    agency_short_name: str
    year: int
    month: int
    period_label: str
    regency: str
    city: str
    logo: str | None
    head: Person | None  # the Kepala OPD who signs (or the Plh/Plt standing in)
    rows: tuple[RecapRow, ...]
    signature_date: date
    signature_date_label: str

    def total(self, name: str) -> int:
        return sum(getattr(row, name) for row in self.rows)

    def mode_total(self, mode: str) -> int:
        return sum(row.mode_days.get(mode, 0) for row in self.rows)

    @property
    def filed_percent(self) -> float:
        working = self.total("working_days")
        return 100.0 * self.total("days_filed") / working if working else 0.0

    @property
    def minutes_percent(self) -> float:
        target = self.total("target_minutes")
        return 100.0 * self.total("approved_minutes") / target if target else 0.0

    @property
    def approval_percent(self) -> float:
        """Share of submitted activities that are approved."""
        sent = self.total("approved") + self.total("pending") + self.total("returned")
        return 100.0 * self.total("approved") / sent if sent else 0.0

    def predikat_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.rows:
            if row.predikat_code:
                counts[row.predikat_code] = counts.get(row.predikat_code, 0) + 1
        return counts


# The BKN national e-Kinerja daily-progress shape, preceded by who it belongs to.
BKN_HEADER = ("NIP", "Nama", "Rencana Aksi", "Tanggal", "Jam Mulai", "Jam Selesai", "Kegiatan Harian",
              "Realisasi", "Satuan", "Bukti Dukung")


@dataclass(frozen=True)
class BknRow:
    id_number: str
    name: str
    planned_action: str
    day: date
    start: time
    end: time
    description: str
    quantity: Decimal
    unit: str
    evidence: str  # links, one per line

    def cells(self) -> tuple:
        return (self.id_number, self.name, self.planned_action, self.day, self.start, self.end, self.description,
                self.quantity, self.unit, self.evidence)
