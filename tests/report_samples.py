"""Report data built in memory (no database), for renderer tests and benchmarks."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

from kinerja.reports.model import (
    ActivityLine,
    AgencyRecap,
    EmployeeMonth,
    IndicatorLine,
    Person,
    Rated,
    RecapRow,
)

EMPLOYEE = Person(name="Siti Rahmawati, S.Kom.", id_label="NIP", id_number="198703152010012003",
                  rank="Penata Muda Tingkat I, III/b", position="Pranata Komputer Ahli Pertama",
                  unit="Bidang Aplikasi Informatika", agency="Dinas Komunikasi dan Informatika")
APPRAISER = Person(name="Drs. Bambang Hermawan, M.Si.", id_label="NIP", id_number="197501102000031004",
                   rank="Pembina, IV/a", position="Kepala Bidang Aplikasi Informatika",
                   unit="Bidang Aplikasi Informatika", agency="Dinas Komunikasi dan Informatika")
ACTING = Person(name="Rina Marlina, S.T.", id_label="NIP", id_number="198002022005012001",
                rank="Penata Tingkat I, III/d", position="Plh. Kepala Bidang Aplikasi Informatika",
                unit="Bidang Aplikasi Informatika", agency="Dinas Komunikasi dan Informatika", acting="Plh.")

DESCRIPTIONS = (
    "Menyusun laporan pemeliharaan server aplikasi e-kinerja",
    "Memperbaiki formulir pendaftaran layanan perizinan daring",
    "Rapat koordinasi integrasi data kepegawaian dengan BKPSDM",
    "Mendampingi pengguna OPD dalam pengisian SKP bulanan",
    "Memeriksa cadangan basis data harian dan mencatat hasilnya",
)


def working_days(year: int, month: int) -> list[date]:
    day = date(year, month, 1)
    days = []
    while day.month == month:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def activity_lines(count: int, year: int = 2026, month: int = 10, status: str = "approved") -> tuple[ActivityLine, ...]:
    days = working_days(year, month)
    lines = []
    for number in range(count):
        day = days[number * len(days) // count] if count else days[0]
        slot = number % 5
        start = time(7 + slot + slot // 2, 30 if slot % 2 else 0)
        end = time(start.hour + 1, start.minute)
        lines.append(ActivityLine(
            day=day, start=start, end=end, minutes=60, description=DESCRIPTIONS[number % len(DESCRIPTIONS)],
            quantity=Decimal("1.00"), unit="Dokumen", mode=("WFO", "WFH", "DL")[number % 3], status=status,
            status_label={"approved": "Disetujui", "submitted": "Diajukan", "draft": "Draf",
                          "returned": "Dikembalikan"}[status],
            indicator="Jumlah aplikasi yang dipelihara" if number % 2 else "",
        ))
    return tuple(lines)


def employee_month(rows: int = 110, *, draft: bool = False, acting: bool = False, rated: bool = True,
                   employee: Person = EMPLOYEE, extra_line: ActivityLine | None = None) -> EmployeeMonth:
    lines = activity_lines(rows)
    if draft and lines:
        lines = lines[:-1] + activity_lines(1, status="submitted")
    if extra_line is not None:
        lines = (*lines, extra_line)
    counts: dict[str, int] = {}
    for line in lines:
        counts[line.status] = counts.get(line.status, 0) + 1
    return EmployeeMonth(
        employee_id=1, year=2026, month=10, period_label="Oktober 2026", regency="Pemerintah Kota Cimahi",
        city="Cimahi", logo=None, agency_id=1, agency_name=employee.agency, employee=employee,
        appraiser=ACTING if acting else APPRAISER, earlier_appraisers=(), activities=lines, working_days=22,
        days_filed=22, target_minutes=22 * 300, approved_minutes=sum(line.minutes for line in lines
                                                                      if line.status == "approved"),
        filed_minutes=sum(line.minutes for line in lines), mode_days={"WFO": 12, "WFH": 8, "DL": 2},
        attendance_days={"WFO": 12, "WFH": 8, "DL": 2}, late_minutes=35, counts=counts, open_monthly_items=0,
        indicators=(
            IndicatorLine(rhk="Terpeliharanya aplikasi layanan publik", rhk_kind="Utama",
                          indicator="Jumlah aplikasi yang dipelihara", aspect="Kuantitas", target=Decimal("12.00"),
                          unit="Aplikasi", realised=Decimal("11.00"), adjustment=Decimal("1.00"),
                          note="Satu aplikasi dipelihara di luar jam kerja", feedback="Pertahankan",
                          planned_action="Pemeliharaan aplikasi bulanan"),
            IndicatorLine(rhk="Terlaksananya pendampingan pengguna", rhk_kind="Tambahan",
                          indicator="Jumlah OPD yang didampingi", aspect="Kuantitas", target=Decimal("5.00"),
                          unit="OPD", realised=Decimal("3.00"), other_units=((Decimal("2.00"), "Dokumen"),)),
        ),
        evaluation=Rated("Sesuai ekspektasi", "Di atas ekspektasi", "Baik", "baik") if rated else None,
        signature_date=date(2026, 10, 31), signature_date_label="31 Oktober 2026",
    )


def recap_row(number: int) -> RecapRow:
    return RecapRow(
        employee_id=number, name=f"Pegawai Contoh {number:05d}",
        id_number=f"1987031520100{number % 10:1d}{number:04d}"[:18],
        grade="III/b", position="Pranata Komputer Ahli Pertama", unit="Bidang Aplikasi Informatika",
        working_days=22, days_filed=20 + number % 3, approved_minutes=6000 + number % 700, target_minutes=6600,
        approved=100, pending=number % 4, returned=number % 2, draft=0,
        mode_days={"WFO": 12, "WFH": 8, "DL": 2}, predikat=("Baik", "Sangat Baik")[number % 2],
        predikat_code=("baik", "sangat_baik")[number % 2],
    )


def agency_recap(rows: int = 40, *, head: Person | None = APPRAISER) -> AgencyRecap:
    return AgencyRecap(
        agency_id=1, agency_code="DISKOMINFO", agency_name="Dinas Komunikasi dan Informatika",
        agency_short_name="Diskominfo", year=2026, month=10, period_label="Oktober 2026",
        regency="Pemerintah Kota Cimahi", city="Cimahi", logo=None, head=head,
        rows=tuple(recap_row(number) for number in range(1, rows + 1)),
        signature_date=date(2026, 10, 31), signature_date_label="31 Oktober 2026",
    )
