"""Two months of believable daily activities for every demo employee (the previous month and this month up to
yesterday), inserted with Core in one go.

What each person did fits the position (a service-desk clerk records KTP-el, a nurse cares for inpatients, a
section head checks and initials draft letters); 3–5 activities per working day between 07.30 and 16.30 around
the midday break; mostly at the office, some from home and some on official trips with a surat tugas; a few
days left empty, a few Saturdays worked. Older days are approved, the last few submitted or still drafts, and
a few items were returned with a reason. Some carry a link as evidence.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

from kinerja.demo import data
from kinerja.extensions import db
from kinerja.models import (
    Activity,
    ActivityCategory,
    ActivityStatus,
    Agency,
    Assignment,
    Employee,
    Evidence,
    EvidenceKind,
    OutputUnit,
    Position,
    Regency,
    User,
    WorkMode,
)
from kinerja.workcalendar import holidays_between, is_weekend

MAIN, EXTRA, ORDER = ActivityCategory.MAIN, ActivityCategory.ADDITIONAL, ActivityCategory.INSTRUCTION

# (description, unit, (least, most), category). {kel}, {topik}, {surat}, {bulan} are filled in per activity.
Task = tuple[str, str, tuple[int, int], ActivityCategory]

KELURAHAN = ["Baros", "Cigugur Tengah", "Cimahi", "Karangmekar", "Padasuka", "Setiamanah", "Cibabat",
             "Citeureup", "Pasirkaliki", "Cibeber", "Leuwigajah", "Utama"]
TOPICS = ["penataan pedagang kaki lima", "pengelolaan sampah berbasis kewilayahan", "tambahan penghasilan pegawai",
          "pelayanan administrasi terpadu kecamatan", "retribusi parkir tepi jalan umum", "perlindungan anak",
          "percepatan penurunan stunting", "penyelenggaraan car free day"]
LETTERS = ["undangan rapat koordinasi", "balasan permohonan data", "permohonan narasumber",
           "pemberitahuan kepada lurah", "pengantar laporan bulanan", "permohonan fasilitasi kegiatan"]
MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember"]

LEADER_TASKS: list[Task] = [
    ("Memimpin rapat koordinasi pimpinan perangkat daerah", "kegiatan", (1, 1), MAIN),
    ("Menandatangani surat keluar dan naskah dinas", "surat", (3, 12), MAIN),
    ("Memberikan disposisi surat masuk", "surat", (5, 20), MAIN),
    ("Mengikuti rapat pimpinan bersama Wali Kota", "kegiatan", (1, 1), ORDER),
    ("Memeriksa capaian kinerja dan realisasi anggaran triwulan", "laporan", (1, 1), MAIN),
    ("Meninjau pelayanan di lapangan", "kegiatan", (1, 1), MAIN),
    ("Menerima audiensi perwakilan masyarakat", "kegiatan", (1, 1), EXTRA),
    ("Menelaah dan menyetujui rancangan kebijakan tentang {topik}", "dokumen", (1, 1), MAIN),
]
HEAD_OF_DIVISION_TASKS: list[Task] = [
    ("Memimpin rapat evaluasi pelaksanaan program bidang", "notulen", (1, 1), MAIN),
    ("Memeriksa dan memaraf konsep surat dan naskah dinas", "konsep", (2, 8), MAIN),
    ("Memberikan disposisi dan arahan kepada kepala seksi", "surat", (3, 10), MAIN),
    ("Menyusun laporan capaian kinerja bulan {bulan}", "laporan", (1, 1), MAIN),
    ("Mengendalikan realisasi program dan anggaran bidang", "dokumen", (1, 1), MAIN),
    ("Menghadiri rapat koordinasi lintas perangkat daerah", "kegiatan", (1, 1), EXTRA),
    ("Menelaah usulan program dan kegiatan tahun anggaran berikutnya", "dokumen", (1, 2), MAIN),
    ("Membina dan mengevaluasi kinerja pegawai di lingkungan bidang", "orang", (3, 10), MAIN),
]
CAMAT_TASKS: list[Task] = [
    ("Memimpin rapat minggon kecamatan", "notulen", (1, 1), MAIN),
    ("Meninjau kegiatan posyandu di Kelurahan {kel}", "kegiatan", (1, 1), MAIN),
    ("Memeriksa dan memaraf konsep surat dan naskah dinas", "konsep", (2, 8), MAIN),
    ("Mengoordinasikan penanganan pengaduan warga dengan lurah", "kegiatan", (1, 1), MAIN),
    ("Menghadiri musyawarah warga di Kelurahan {kel}", "kegiatan", (1, 1), EXTRA),
    ("Menandatangani surat keterangan dan rekomendasi", "surat", (5, 20), MAIN),
]
SECTION_HEAD_TASKS: list[Task] = [
    ("Memeriksa dan memaraf konsep surat {surat}", "konsep", (1, 6), MAIN),
    ("Membagi tugas dan memberi arahan kepada staf seksi", "orang", (3, 6), MAIN),
    ("Memverifikasi hasil pekerjaan staf sebelum diajukan", "berkas", (10, 40), MAIN),
    ("Menyusun telaahan staf untuk pimpinan tentang {topik}", "dokumen", (1, 1), MAIN),
    ("Menyusun laporan kinerja seksi bulan {bulan}", "laporan", (1, 1), MAIN),
    ("Mengikuti rapat koordinasi bidang", "kegiatan", (1, 1), EXTRA),
    ("Menyusun rencana kerja mingguan seksi", "dokumen", (1, 1), MAIN),
    ("Memantau antrean dan kualitas pelayanan", "laporan", (1, 1), MAIN),
]
TASKS: dict[str, list[Task]] = {
    "analis_kepegawaian": [
        ("Memverifikasi usulan kenaikan pangkat PNS", "berkas", (5, 20), MAIN),
        ("Memproses usulan kenaikan gaji berkala", "berkas", (5, 25), MAIN),
        ("Menganalisis data SKP pegawai periode {bulan}", "data", (20, 80), MAIN),
        ("Memutakhirkan data pegawai pada SIASN", "data", (10, 50), MAIN),
        ("Menyusun konsep keputusan cuti pegawai", "konsep", (2, 8), MAIN),
        ("Melayani konsultasi kepegawaian", "orang", (2, 8), MAIN),
        ("Menyusun rekomendasi mutasi pegawai", "rekomendasi", (1, 3), MAIN),
    ],
    "pranata_komputer": [
        ("Memelihara server dan jaringan kantor", "kegiatan", (1, 1), MAIN),
        ("Mencadangkan basis data aplikasi layanan", "data", (1, 3), MAIN),
        ("Menangani gangguan perangkat komputer pengguna", "layanan", (2, 8), MAIN),
        ("Memperbarui konten situs web perangkat daerah", "dokumen", (1, 4), MAIN),
        ("Mengonfigurasi akun pengguna aplikasi", "data", (3, 15), MAIN),
        ("Menyusun laporan pemeliharaan sistem informasi", "laporan", (1, 1), MAIN),
        ("Menguji fitur baru aplikasi layanan", "kegiatan", (1, 1), MAIN),
    ],
    "administrator_kependudukan": [
        ("Mengonsolidasikan dan membersihkan data kependudukan", "data", (50, 300), MAIN),
        ("Memverifikasi data ganda pada database SIAK", "data", (10, 60), MAIN),
        ("Memproses permohonan aktivasi NIK", "berkas", (5, 25), MAIN),
        ("Memantau replikasi database kependudukan ke pusat", "laporan", (1, 1), MAIN),
        ("Menyiapkan data agregat kependudukan Kelurahan {kel}", "data", (1, 6), MAIN),
        ("Melayani permintaan pemanfaatan data kependudukan oleh OPD", "layanan", (1, 3), MAIN),
    ],
    "perawat": [
        ("Asuhan keperawatan pasien rawat inap", "orang", (4, 10), MAIN),
        ("Pengkajian keperawatan pasien baru", "orang", (1, 4), MAIN),
        ("Memberikan obat dan memantau tanda vital pasien", "orang", (6, 14), MAIN),
        ("Mendokumentasikan asuhan keperawatan pada rekam medis", "dokumen", (5, 15), MAIN),
        ("Serah terima pasien antarsif", "kegiatan", (1, 1), MAIN),
        ("Edukasi kesehatan kepada pasien dan keluarga", "orang", (2, 6), MAIN),
        ("Merawat luka dan mengganti balutan pasien", "orang", (1, 5), MAIN),
    ],
    "dokter": [
        ("Pemeriksaan dan pelayanan pasien poliklinik", "orang", (10, 30), MAIN),
        ("Visite pasien rawat inap", "orang", (5, 15), MAIN),
        ("Menulis resume medis pasien pulang", "dokumen", (2, 8), MAIN),
        ("Konsultasi medis antarunit", "layanan", (1, 4), MAIN),
        ("Mengikuti pembahasan kasus (case conference)", "kegiatan", (1, 1), EXTRA),
        ("Tindakan medis sederhana", "orang", (1, 5), MAIN),
    ],
    "bidan": [
        ("Pemeriksaan kehamilan (ANC)", "orang", (3, 10), MAIN),
        ("Menolong persalinan normal", "orang", (1, 2), MAIN),
        ("Pemantauan ibu nifas dan bayi baru lahir", "orang", (2, 6), MAIN),
        ("Penyuluhan KB dan kesehatan ibu", "orang", (3, 12), MAIN),
        ("Mendokumentasikan asuhan kebidanan", "dokumen", (3, 10), MAIN),
        ("Pelayanan KB", "orang", (2, 6), MAIN),
    ],
    "analis_kebijakan": [
        ("Menyusun telaahan staf tentang {topik}", "dokumen", (1, 1), MAIN),
        ("Mengkaji rancangan peraturan wali kota tentang {topik}", "dokumen", (1, 1), MAIN),
        ("Menghimpun bahan dan data untuk kajian kebijakan", "data", (3, 10), MAIN),
        ("Menyusun naskah akademik rancangan peraturan daerah", "dokumen", (1, 1), MAIN),
        ("Mengikuti rapat harmonisasi rancangan peraturan", "notulen", (1, 1), EXTRA),
        ("Menyusun ringkasan kebijakan (policy brief) tentang {topik}", "dokumen", (1, 1), MAIN),
        ("Menginventarisasi produk hukum daerah", "dokumen", (5, 20), MAIN),
    ],
    "pengadministrasi": [
        ("Mengagendakan surat masuk dan mendistribusikannya", "surat", (5, 25), MAIN),
        ("Mengetik konsep surat {surat}", "konsep", (2, 8), MAIN),
        ("Mengarsipkan surat keluar", "surat", (5, 20), MAIN),
        ("Menyiapkan bahan dan undangan rapat", "paket", (1, 2), MAIN),
        ("Menginput data kepegawaian pada aplikasi", "data", (5, 30), MAIN),
        ("Menyusun daftar hadir dan notulen rapat", "notulen", (1, 1), MAIN),
        ("Merekap kehadiran pegawai", "laporan", (1, 1), MAIN),
    ],
    "penata_layanan": [
        ("Menyusun laporan pelaksanaan kegiatan", "laporan", (1, 1), MAIN),
        ("Mengolah data layanan bulan {bulan}", "data", (20, 120), MAIN),
        ("Memfasilitasi rapat koordinasi bidang", "kegiatan", (1, 1), MAIN),
        ("Memverifikasi kelengkapan dokumen administrasi", "dokumen", (5, 20), MAIN),
        ("Memutakhirkan data inventaris barang milik daerah", "data", (10, 40), MAIN),
        ("Menyusun konsep surat {surat}", "konsep", (1, 4), MAIN),
    ],
    "operator_layanan": [
        ("Mengantar surat dan dokumen dinas", "surat", (5, 20), MAIN),
        ("Menyiapkan ruang dan perlengkapan rapat", "kegiatan", (1, 2), MAIN),
        ("Menggandakan dan menjilid dokumen", "dokumen", (5, 30), MAIN),
        ("Melayani tamu pimpinan", "orang", (2, 8), MAIN),
        ("Merapikan arsip di ruang tata usaha", "berkas", (10, 40), MAIN),
    ],
}
# Where the agency changes what the job means.
AGENCY_TASKS: dict[tuple[str, str], list[Task]] = {
    ("operator_layanan", "DISDUKCAPIL"): [
        ("Melayani perekaman KTP-el", "orang", (10, 40), MAIN),
        ("Mencetak KTP-el hasil perekaman", "dokumen", (10, 50), MAIN),
        ("Verifikasi berkas pindah datang", "berkas", (3, 15), MAIN),
        ("Melayani pengambilan dokumen kependudukan", "orang", (10, 30), MAIN),
        ("Memindai berkas permohonan ke aplikasi", "berkas", (10, 40), MAIN),
        ("Melayani antrean dan informasi di loket", "layanan", (20, 60), MAIN),
    ],
    ("penata_layanan", "DISDUKCAPIL"): [
        ("Verifikasi berkas pindah datang", "berkas", (5, 20), MAIN),
        ("Menerbitkan kartu keluarga hasil perubahan data", "dokumen", (5, 25), MAIN),
        ("Memproses penerbitan akta kelahiran", "dokumen", (5, 20), MAIN),
        ("Memverifikasi berkas permohonan akta kematian", "berkas", (2, 10), MAIN),
        ("Menyusun laporan harian pelayanan loket", "laporan", (1, 1), MAIN),
        ("Mengarsipkan berkas permohonan yang telah selesai", "berkas", (20, 60), MAIN),
    ],
    ("operator_layanan", "KEC-CMT"): [
        ("Melayani pembuatan surat pengantar dan keterangan", "layanan", (5, 25), MAIN),
        ("Patroli ketertiban umum di wilayah Kelurahan {kel}", "kegiatan", (1, 1), MAIN),
        ("Menjaga ketertiban dan keamanan kantor", "kegiatan", (1, 1), MAIN),
        ("Mendata pedagang kaki lima di Kelurahan {kel}", "data", (10, 40), MAIN),
        ("Mengantar surat undangan ke kelurahan", "surat", (3, 12), MAIN),
    ],
    ("penata_layanan", "KEC-CMT"): [
        ("Memverifikasi permohonan surat keterangan", "berkas", (5, 20), MAIN),
        ("Menyiapkan bahan rapat minggon kecamatan", "dokumen", (1, 3), MAIN),
        ("Menyusun rekap laporan bulanan kelurahan", "laporan", (1, 1), MAIN),
        ("Mengoordinasikan kegiatan posyandu dengan Kelurahan {kel}", "kegiatan", (1, 1), MAIN),
        ("Memproses rekomendasi izin keramaian", "rekomendasi", (1, 5), MAIN),
    ],
    ("operator_layanan", "RSUD"): [
        ("Melayani pendaftaran pasien rawat jalan", "orang", (20, 60), MAIN),
        ("Mengantar rekam medis ke poliklinik", "berkas", (20, 60), MAIN),
        ("Memverifikasi kepesertaan BPJS pasien", "orang", (15, 50), MAIN),
        ("Melayani informasi dan pengaduan pasien", "layanan", (10, 30), MAIN),
    ],
    ("penata_layanan", "BKPSDMD"): [
        ("Memverifikasi dokumen usulan pensiun", "berkas", (2, 8), MAIN),
        ("Merekap capaian SKP pegawai perangkat daerah", "data", (20, 100), MAIN),
        ("Melayani konsultasi penilaian kinerja", "orang", (2, 8), MAIN),
        ("Menyusun konsep surat {surat}", "konsep", (1, 4), MAIN),
        ("Menyusun laporan pelaksanaan kegiatan", "laporan", (1, 1), MAIN),
    ],
}
GROUP_OF_POSITION = {
    "sekda": LEADER_TASKS, "kepala_dinas": LEADER_TASKS, "kepala_badan": LEADER_TASKS,
    "direktur_rsud": LEADER_TASKS, "camat": CAMAT_TASKS, "sekretaris": HEAD_OF_DIVISION_TASKS,
    "kabid": HEAD_OF_DIVISION_TASKS, "kabag": HEAD_OF_DIVISION_TASKS, "sekcam": SECTION_HEAD_TASKS,
    "kasi": SECTION_HEAD_TASKS, "kasubbag": SECTION_HEAD_TASKS,
}
GENERIC_TASKS: list[Task] = TASKS["penata_layanan"]
# A day out of office on a surat tugas: the trip itself, then its report.
TRIP_TASKS: list[Task] = [
    ("Mengikuti rapat koordinasi di Pemerintah Provinsi Jawa Barat", "kegiatan", (1, 1), MAIN),
    ("Mengikuti bimbingan teknis penyusunan SKP di Bandung", "kegiatan", (1, 1), EXTRA),
    ("Monitoring dan evaluasi lapangan di Kelurahan {kel}", "laporan", (1, 1), MAIN),
    ("Konsultasi ke kementerian terkait {topik}", "kegiatan", (1, 1), MAIN),
]
TRIP_TASKS_BY_POSITION: dict[tuple[str, str], list[Task]] = {
    ("operator_layanan", "DISDUKCAPIL"): [
        ("Pelayanan jemput bola perekaman KTP-el di Kelurahan {kel}", "orang", (15, 60), ORDER)],
    ("administrator_kependudukan", "DISDUKCAPIL"): [
        ("Pelayanan jemput bola perekaman KTP-el di Kelurahan {kel}", "orang", (15, 60), ORDER)],
    ("penata_layanan", "DISDUKCAPIL"): [
        ("Pelayanan jemput bola akta kelahiran di Kelurahan {kel}", "berkas", (10, 40), ORDER)],
}
TRIP_REPORT: Task = ("Menyusun laporan hasil perjalanan dinas", "laporan", (1, 1), MAIN)
SATURDAY_TASKS: dict[str, Task] = {
    "DISDUKCAPIL": ("Pelayanan perekaman KTP-el hari Sabtu di Mal Pelayanan Publik", "orang", (20, 60), ORDER),
    "RSUD": ("Jaga pelayanan hari Sabtu sesuai jadwal dinas", "orang", (5, 20), MAIN),
    "KEC-CMT": ("Mengawal kegiatan kerja bakti warga di Kelurahan {kel}", "kegiatan", (1, 1), ORDER),
}
SATURDAY_DEFAULT: Task = ("Mendampingi kegiatan Wali Kota pada hari libur", "kegiatan", (1, 1), ORDER)
HOME_EXTRA: Task = ("Mengikuti rapat daring melalui Zoom", "kegiatan", (1, 1), EXTRA)
DESK_UNITS = {"dokumen", "konsep", "laporan", "data", "rekomendasi", "notulen"}
MEDICAL = {"perawat", "dokter", "bidan"}
RETURN_REASONS = [
    "Uraian kegiatan terlalu umum, mohon dirinci.",
    "Bukti dukung belum dilampirkan.",
    "Kuantitas output tidak sesuai dengan bukti dukung.",
    "Jam kegiatan bertabrakan dengan jadwal rapat, mohon diperiksa kembali.",
]
EVIDENCE_UNITS = {"dokumen", "laporan", "notulen", "konsep", "rekomendasi", "data"}


@dataclass
class Person:
    employee_id: int
    position: str
    agency_code: str
    agency_tag: str
    appraiser_user_id: int | None
    featured: bool = False

    @property
    def tasks(self) -> list[Task]:
        return AGENCY_TASKS.get((self.position, self.agency_code)) or GROUP_OF_POSITION.get(self.position) \
            or TASKS.get(self.position) or GENERIC_TASKS

    @property
    def desk_tasks(self) -> list[Task]:
        return [task for task in self.tasks if task[1] in DESK_UNITS]


@dataclass
class Planned:
    row: dict
    link: str | None = None


@dataclass
class Plan:
    rows: list[Planned] = field(default_factory=list)


def ensure_output_units() -> None:
    """Add the default output units the database lacks (the migration inserts them; create_all does not)."""
    present = set(db.session.scalars(select(OutputUnit.name)))
    missing = [name for name in data.DEFAULT_OUTPUT_UNITS if name not in present]
    if missing:
        db.session.execute(insert(OutputUnit.__table__), [{"name": name, "active": True} for name in missing])


def minutes(value: int) -> time:
    return time(value // 60, value % 60)


def day_blocks(rng: random.Random, count: int, friday: bool) -> list[tuple[int, int]]:
    """`count` consecutive activities from about 07.30, around the midday break, ending by 16.30."""
    lunch_start, lunch_end = (11 * 60 + 30, 13 * 60) if friday else (12 * 60, 13 * 60)
    start = 7 * 60 + 30 + rng.choice((0, 0, 0, 15, 30))
    blocks: list[tuple[int, int]] = []
    for _ in range(count + 3):  # bounded: a block may be skipped at the break
        if len(blocks) == count:
            break
        if lunch_start <= start < lunch_end:
            start = lunch_end
        length = rng.choice((45, 60, 60, 75, 90, 90, 105, 120))
        if start < lunch_start < start + length:
            if lunch_start - start < 45:
                start = lunch_end
                continue
            length = lunch_start - start
        if start + length > 16 * 60 + 30:
            break
        blocks.append((start, start + length))
        start += length + rng.choice((0, 0, 0, 15))
    return blocks


class ActivityBuilder:
    def __init__(self, today: date, zone: ZoneInfo, indicators: dict[tuple[int, int, str], int] | None = None,
                 scheduled: dict[tuple[int, date], WorkMode] | None = None) -> None:
        self.today = today
        self.indicators = indicators or {}  # (employee_id, year, output unit) -> IKI of that year's plan
        self.scheduled = scheduled or {}  # (employee_id, day) -> mode in a published roster
        self.zone = zone
        self.rng = random.Random(2026_11)
        self.created_before = datetime.combine(today, time(0, 0), tzinfo=zone).astimezone(UTC)
        self.columns = set(Activity.__table__.c.keys())
        self.offsets: dict[date, timedelta] = {}
        self.plan = Plan()

    def at(self, day: date, minute: int) -> datetime:
        """A local time on the day as UTC, never after the start of today."""
        offset = self.offsets.get(day)
        if offset is None:
            offset = self.offsets[day] = datetime.combine(day, time(12, 0), tzinfo=self.zone).utcoffset()
        moment = datetime.combine(day, time(0, 0), tzinfo=UTC) + timedelta(minutes=minute) - offset
        return min(moment, self.created_before - timedelta(minutes=5))

    def text(self, template: str, day: date) -> str:
        return template.format(kel=self.rng.choice(KELURAHAN), topik=self.rng.choice(TOPICS),
                               surat=self.rng.choice(LETTERS), bulan=MONTHS[day.month - 1])

    def status_for(self, person: Person, age: int) -> ActivityStatus:
        """By age in working days: drafts and submissions at the end, approvals before, a few stragglers."""
        roll = self.rng.random()
        if person.featured and age <= 2:  # the demo account shows yesterday's drafts beside submitted days
            return ActivityStatus.DRAFT if age == 1 else ActivityStatus.SUBMITTED
        if person.appraiser_user_id is None:  # the Sekda's appraiser (the mayor) does not use the system
            return ActivityStatus.DRAFT if age <= 1 and roll < 0.5 else ActivityStatus.SUBMITTED
        if age <= 2:
            return ActivityStatus.DRAFT if roll < 0.55 else ActivityStatus.SUBMITTED
        if age <= 5:
            return ActivityStatus.APPROVED if roll < 0.55 else ActivityStatus.SUBMITTED if roll < 0.95 \
                else ActivityStatus.DRAFT
        return ActivityStatus.APPROVED if roll < 0.97 else ActivityStatus.SUBMITTED

    def add_day(self, person: Person, day: date, age: int, mode: WorkMode, off_day: bool, count: int,
                returned: int | None = None) -> None:
        rng = self.rng
        letter = None
        if mode is WorkMode.DL:
            tasks = TRIP_TASKS_BY_POSITION.get((person.position, person.agency_code)) or TRIP_TASKS
            chosen = [rng.choice(tasks), TRIP_REPORT]
            blocks = [(8 * 60, 12 * 60), (13 * 60, 14 * 60 + rng.choice((30, 60, 90)))]
            letter = f"800.1.11.1/{rng.randint(100, 999)}-{person.agency_tag}/{day.year}"
        elif off_day:
            chosen = [SATURDAY_TASKS.get(person.agency_code, SATURDAY_DEFAULT)]
            blocks = [(8 * 60, 8 * 60 + rng.choice((150, 180, 210, 240)))]
        else:
            pool = [*person.desk_tasks, HOME_EXTRA] if mode is WorkMode.WFH else person.tasks
            blocks = day_blocks(rng, count, day.weekday() == 4)
            chosen = rng.sample(pool, min(len(blocks), len(pool)))
            blocks = blocks[:len(chosen)]
        status = self.status_for(person, age)
        if person.appraiser_user_id is None:
            returned = None
        elif returned is not None:
            status = ActivityStatus.APPROVED  # the appraiser went through the day and sent one item back
        for index, ((description, unit, (least, most), category), (start, end)) in enumerate(
                zip(chosen, blocks, strict=True)):
            item_status = ActivityStatus.RETURNED if returned == index else status
            created = self.at(day, end + rng.randint(5, 90))
            row = {
                "employee_id": person.employee_id, "activity_date": day, "start_time": minutes(start),
                "end_time": minutes(end), "duration_minutes": end - start,
                "description": self.text(description, day), "quantity": Decimal(rng.randint(least, most)),
                "unit": unit, "work_mode": mode, "assignment_letter": letter, "category": category,
                "indicator_id": self.indicators.get((person.employee_id, day.year, unit)) if category == MAIN else None,
                "status": item_status, "off_day": off_day,
                "return_reason": rng.choice(RETURN_REASONS) if item_status is ActivityStatus.RETURNED else None,
                "submitted_at": None, "client_token": None, "created_at": created, "updated_at": created,
                **{name: None for name in ("reviewed_at", "reviewer_id") if name in self.columns},
            }
            if item_status is not ActivityStatus.DRAFT:
                row["submitted_at"] = self.at(day, 16 * 60 + rng.randint(20, 120))
            if item_status in (ActivityStatus.APPROVED, ActivityStatus.RETURNED):
                reviewed = self.at(day + timedelta(days=rng.randint(1, 2)), 9 * 60 + rng.randint(0, 420))
                row["updated_at"] = reviewed
                if "reviewed_at" in self.columns:
                    row["reviewed_at"] = reviewed
                if "reviewer_id" in self.columns:
                    row["reviewer_id"] = person.appraiser_user_id
            link = None
            if mode is WorkMode.DL or (unit in EVIDENCE_UNITS and rng.random() < 0.3):
                link = f"https://drive.cimahikota.go.id/s/{rng.getrandbits(48):012x}"
            self.plan.rows.append(Planned(row, link))

    def add_person(self, person: Person, working: list[date], saturdays: list[date]) -> None:
        rng = self.rng
        medical = person.position in MEDICAL
        ages = {day: len(working) - index for index, day in enumerate(working)}
        this_month = [day for day in working if day.month == self.today.month and day.year == self.today.year]
        trip_day = returned_day = None
        if person.featured:  # the demo account: a full month with one trip and one returned item
            older = [day for day in this_month if 3 <= ages[day] <= 12] or [d for d in working if 3 <= ages[d] <= 12]
            if older:
                trip_day = older[0]
                returned_day = older[-1] if len(older) > 1 else None
        for day in working:
            if not person.featured and rng.random() < 0.05:
                continue  # a day left empty (sick, forgotten, training without a report)
            if day == trip_day:
                mode = WorkMode.DL
            elif day == returned_day:
                mode = WorkMode.WFO
            else:
                roll = rng.random()
                can_work_home = not medical and len(person.desk_tasks) >= 3
                mode = WorkMode.DL if roll < 0.05 and not person.featured else \
                    WorkMode.WFH if can_work_home and roll < 0.13 else WorkMode.WFO
            scheduled = self.scheduled.get((person.employee_id, day))
            if scheduled is not None and mode is not WorkMode.DL:
                mode = scheduled  # the published roster says where: the office only on its WFO days
            count = rng.choice((3, 4, 4, 5, 5)) if not person.featured else rng.choice((4, 5, 5))
            returned = None
            if day == returned_day or (not person.featured and 4 <= ages[day] <= 15 and rng.random() < 0.02):
                returned = rng.randrange(2)
            self.add_day(person, day, ages[day], mode, False, count, returned)
        for day in saturdays:
            if (medical and rng.random() < 0.35) or (not medical and rng.random() < 0.06):
                age = sum(1 for working_day in working if working_day > day) + 1
                self.add_day(person, day, age, WorkMode.WFO, True, 1)


def demo_people(today: date, featured_id: int | None) -> list[Person]:
    users = dict(db.session.execute(select(User.employee_id, User.id).where(User.employee_id.is_not(None))).all())
    rows = db.session.execute(
        select(Assignment.employee_id, Assignment.appraiser_id, Position.name, Agency.code, Agency.short_name)
        .join(Position, Position.id == Assignment.position_id)
        .join(Agency, Agency.id == Assignment.agency_id)
        .where(Assignment.active_on(today))
        .order_by(Assignment.employee_id)
    ).all()
    key_of = {name: key for key, (name, _kind, _grade) in data.POSITIONS.items()}
    return [
        Person(employee_id, key_of.get(position, ""), code, re.sub(r"[^A-Za-z]", "", short_name),
               users.get(appraiser_id) if appraiser_id else None, featured=employee_id == featured_id)
        for employee_id, appraiser_id, position, code, short_name in rows
    ]


def seed_activities(today: date, featured_employee_id: int | None = None,
                    indicators: dict[tuple[int, int, str], int] | None = None,
                    scheduled: dict[tuple[int, date], WorkMode] | None = None) -> int:
    """Add the demo activities (once: nothing if any activity exists), main tasks linked to the IKI in
    `indicators` ({(employee_id, year, output unit): iki_id}), at the office or at home as the published
    rosters in `scheduled` say; returns how many. No commit."""
    ensure_output_units()
    db.session.flush()
    if db.session.scalar(select(func.count(Activity.id))):
        return 0
    regency = db.session.scalar(select(Regency))
    zone = ZoneInfo(regency.timezone if regency and regency.timezone else "Asia/Jakarta")
    if featured_employee_id is None:
        featured_employee_id = db.session.scalar(
            select(Employee.id).where(Employee.email == "demo-staff@cimahikota.go.id"))

    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    last = today - timedelta(days=1)
    days_off = holidays_between(first, last) if last >= first else {}
    working, saturdays = [], []
    day = first
    while day <= last:
        if day.weekday() == 5 and day not in days_off:
            saturdays.append(day)
        elif not is_weekend(day, 5) and day not in days_off:
            working.append(day)
        day += timedelta(days=1)

    builder = ActivityBuilder(today, zone, indicators, scheduled)
    for person in demo_people(today, featured_employee_id):
        builder.add_person(person, working, saturdays)
    planned = builder.plan.rows
    if not planned:
        return 0
    db.session.execute(insert(Activity.__table__), [item.row for item in planned])

    wanted = {(item.row["employee_id"], item.row["activity_date"], item.row["start_time"]): item
              for item in planned if item.link}
    ids = db.session.execute(
        select(Activity.id, Activity.employee_id, Activity.activity_date, Activity.start_time)
        .where(Activity.activity_date >= first)
    ).all()
    evidence = []
    for activity_id, employee_id, activity_date, start_time in ids:
        item = wanted.get((employee_id, activity_date, start_time))
        if item is not None:
            evidence.append({"activity_id": activity_id, "kind": EvidenceKind.LINK, "url": item.link,
                             "created_at": item.row["created_at"]})
    if evidence:
        db.session.execute(insert(Evidence.__table__), evidence)
    return len(planned)
