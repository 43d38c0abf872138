"""Demo SKP: an approved plan for every employee, cascaded down the hierarchy from the Sekda's agency goal, IKI in
the units their daily work is counted in (so the demo activities realise them), and last month's evaluations with
a mix of predikat. The featured demo staff member has only last year's plan, to draft this year's from it."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from kinerja.demo import data
from kinerja.demo.activities import MAIN
from kinerja.demo.activities import Person as TaskPerson
from kinerja.extensions import db
from kinerja.models import Agency, Assignment, Position, Unit, User
from kinerja.models.skp import (
    BehaviourExpectation,
    BehaviourValue,
    Evaluation,
    EvaluationIndicator,
    Iki,
    IkiAspect,
    OrganisationPredikat,
    OrgPredikat,
    Predikat,
    Rating,
    Rhk,
    RhkKind,
    Skp,
    SkpStatus,
)
from kinerja.skp.predikat import predikat

SEKDA_GOAL = "Meningkatnya kualitas tata kelola pemerintahan dan pelayanan publik Kota Cimahi"
# Output unit -> (RHK of a staff member, IKI, yearly target)
STAFF_RHK = {
    "orang": ("Terlayaninya masyarakat sesuai standar pelayanan", "Jumlah orang yang dilayani", 2400),
    "dokumen": ("Terselesaikannya dokumen administrasi secara tepat waktu", "Jumlah dokumen yang diselesaikan", 600),
    "berkas": ("Terverifikasinya berkas permohonan layanan", "Jumlah berkas yang diverifikasi", 1200),
    "data": ("Tersedianya data yang mutakhir dan akurat", "Jumlah data yang dimutakhirkan", 1500),
    "laporan": ("Tersusunnya laporan pelaksanaan tugas", "Jumlah laporan yang disusun", 60),
    "kegiatan": ("Terlaksananya kegiatan pelayanan dan ketertiban", "Jumlah kegiatan yang dilaksanakan", 150),
    "surat": ("Terkelolanya surat masuk dan keluar", "Jumlah surat yang diproses", 900),
    "konsep": ("Tersusunnya konsep naskah dinas", "Jumlah konsep naskah dinas", 240),
    "layanan": ("Terselesaikannya permintaan layanan masyarakat", "Jumlah layanan yang diselesaikan", 3000),
    "notulen": ("Terdokumentasinya hasil rapat", "Jumlah notulen rapat", 48),
    "rekomendasi": ("Tersusunnya rekomendasi kebijakan", "Jumlah rekomendasi yang disusun", 24),
    "paket": ("Terdistribusikannya paket layanan", "Jumlah paket yang didistribusikan", 120),
}
LEADER_RHK = ("Meningkatnya kinerja program dan kegiatan {unit}", "Meningkatnya kualitas layanan {unit}")
EXTRA_RHK = ("Terlaksananya tugas tambahan dan instruksi pimpinan", "Jumlah tugas tambahan yang diselesaikan",
             "kegiatan", 24)
EXPECTATIONS = {
    BehaviourValue.SERVICE: "Menanggapi pengaduan layanan paling lambat satu hari kerja",
    BehaviourValue.ACCOUNTABLE: "Melaporkan kegiatan harian tepat waktu dengan bukti dukung",
    BehaviourValue.COLLABORATIVE: "Aktif membantu rekan pada puncak antrean pelayanan",
}
LEAD_POSITIONS = {"sekda", "kepala_dinas", "kepala_badan", "direktur_rsud", "camat", "sekretaris", "kabid", "kabag",
                  "sekcam", "kasi", "kasubbag"}
# Ratings of last month: (hasil kerja, perilaku) with weights; the agency in BREAKING gets only good ratings,
# so with an organisation predikat "Baik" it breaks SE MenPANRB 3/2023 (too many Baik, no Butuh Perbaikan).
RATINGS = [((Rating.AS_EXPECTED, Rating.AS_EXPECTED), 55), ((Rating.ABOVE, Rating.ABOVE), 20),
           ((Rating.ABOVE, Rating.AS_EXPECTED), 8), ((Rating.BELOW, Rating.AS_EXPECTED), 12),
           ((Rating.AS_EXPECTED, Rating.BELOW), 3), ((Rating.BELOW, Rating.BELOW), 2)]
GOOD_RATINGS = [((Rating.AS_EXPECTED, Rating.AS_EXPECTED), 80), ((Rating.ABOVE, Rating.ABOVE), 20)]
BREAKING = "DISDUKCAPIL"
ORG_PREDIKATS = {"SETDA": OrgPredikat.GOOD, BREAKING: OrgPredikat.GOOD, "BKPSDMD": OrgPredikat.OUTSTANDING}


@dataclass
class Member:
    employee_id: int
    appraiser_id: int | None
    position: str
    agency_code: str
    unit_name: str
    agency_name: str
    agency_id: int


def members(today: date) -> list[Member]:
    """Everyone assigned today, appraisers before the people they appraise."""
    key_of = {name: key for key, (name, _kind, _grade) in data.POSITIONS.items()}
    rows = db.session.execute(
        select(Assignment.employee_id, Assignment.appraiser_id, Position.name, Agency.code, Unit.name, Agency.name,
               Agency.id)
        .join(Position, Position.id == Assignment.position_id).join(Agency, Agency.id == Assignment.agency_id)
        .join(Unit, Unit.id == Assignment.unit_id).where(Assignment.active_on(today)).order_by(Assignment.employee_id)
    ).all()
    found = {row[0]: Member(row[0], row[1], key_of.get(row[2], ""), row[3], row[4], row[5], row[6]) for row in rows}
    ordered, placed = [], set()
    while len(ordered) < len(found):
        ready = [member for member in found.values() if member.employee_id not in placed
                 and (member.appraiser_id is None or member.appraiser_id not in found
                      or member.appraiser_id in placed)]
        if not ready:  # a cycle would be a bug in the demo data: place the rest as they are
            ready = [member for member in found.values() if member.employee_id not in placed]
        ordered.extend(ready)
        placed.update(member.employee_id for member in ready)
    return ordered


def main_units(member: Member) -> list[str]:
    """The two output units the member's main daily tasks are most often counted in."""
    tasks = TaskPerson(member.employee_id, member.position, member.agency_code, "", None).tasks
    counts = Counter(unit for _text, unit, _range, category in tasks if category == MAIN and unit in STAFF_RHK)
    return [unit for unit, _count in counts.most_common(2)] or ["dokumen"]


def build_plan(member: Member, year: int, parents: list[Rhk], approved_by: int | None) -> Skp:
    period_start = date(year, 1, 1)
    skp = Skp(employee_id=member.employee_id, appraiser_id=member.appraiser_id, period_start=period_start,
              period_end=date(year, 12, 31), status=SkpStatus.APPROVED, version=1,
              agency_goal=SEKDA_GOAL if member.appraiser_id is None else None,
              approved_at=datetime(year, 1, 8, 2, 0, tzinfo=UTC), submitted_at=datetime(year, 1, 6, 3, 0, tzinfo=UTC),
              approved_by=approved_by,
              dukungan_sumber_daya="Sarana kerja kantor, aplikasi Kinerja dan dukungan anggaran perangkat daerah",
              skema_pertanggungjawaban="Laporan kegiatan harian dan evaluasi bulanan kepada pejabat penilai",
              konsekuensi="Capaian kinerja menjadi dasar pemberian tambahan penghasilan pegawai")
    skp.behaviours = [BehaviourExpectation(value=value, expectation=EXPECTATIONS.get(value, ""))
                      for value in BehaviourValue]
    place = member.agency_name if member.position in {"sekda", "kepala_dinas", "kepala_badan", "direktur_rsud",
                                                      "camat"} else member.unit_name
    for index, unit in enumerate(main_units(member)):
        text, indicator, target = STAFF_RHK[unit]
        if member.position in LEAD_POSITIONS:
            text = LEADER_RHK[index].format(unit=place)
        parent = parents[index % len(parents)] if parents else None
        skp.rhk.append(Rhk(kind=RhkKind.MAIN, text=text, position=index + 1, parent=parent, indicators=[
            Iki(text=indicator, target_value=Decimal(target), unit=unit, aspect=IkiAspect.QUANTITY)]))
    text, indicator, unit, target = EXTRA_RHK
    skp.rhk.append(Rhk(kind=RhkKind.ADDITIONAL, text=text, position=len(skp.rhk) + 1, indicators=[
        Iki(text=indicator, target_value=Decimal(target), unit=unit, aspect=IkiAspect.QUANTITY)]))
    db.session.add(skp)
    return skp


def seed_skp(today: date, featured_employee_id: int | None) -> dict[tuple[int, int, str], int]:
    """The plans of this year (and of last year for the featured staff member and when it is January);
    returns {(employee_id, year, output unit): iki_id} for linking the demo activities. No commit."""
    users = dict(db.session.execute(select(User.employee_id, User.id).where(User.employee_id.is_not(None))).all())
    last_month = today.replace(day=1) - timedelta(days=1)
    years = sorted({last_month.year, today.year})
    plans: dict[tuple[int, int], Skp] = {}
    for member in members(today):
        for year in sorted({*years, today.year - 1}) if member.employee_id == featured_employee_id else years:
            if member.employee_id == featured_employee_id and year == today.year:
                continue  # to draft from last year's plan in the demo
            boss = plans.get((member.appraiser_id, year)) if member.appraiser_id else None
            parents = [rhk for rhk in boss.rhk if rhk.kind is RhkKind.MAIN] if boss is not None else []
            plans[(member.employee_id, year)] = build_plan(
                member, year, parents, users.get(member.appraiser_id) if member.appraiser_id else None)
    db.session.flush()
    return {(employee_id, year, iki.unit): iki.id for (employee_id, year), skp in plans.items() if year in years
            for rhk in skp.rhk if rhk.kind is RhkKind.MAIN for iki in rhk.indicators}


def seed_evaluations(today: date, featured_appraiser_id: int | None) -> int:
    """Last month's evaluation of everyone with a plan then (the featured appraiser leaves two subordinates to
    rate), and organisation predikat for three agencies, one of them breaking the distribution rule. No commit."""
    rng = random.Random(20260301)
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    users = dict(db.session.execute(select(User.employee_id, User.id).where(User.employee_id.is_not(None))).all())
    agencies = {member.employee_id: member.agency_code for member in members(today)}
    plans = db.session.scalars(
        select(Skp).where(Skp.status == SkpStatus.APPROVED, Skp.period_start <= first, Skp.period_end >= first)
        .order_by(Skp.employee_id)).all()
    skipped: dict[int, int] = defaultdict(int)
    count = 0
    for skp in plans:
        if skp.appraiser_id is None:
            continue
        if skp.appraiser_id == featured_appraiser_id and skipped[skp.appraiser_id] < 2:
            skipped[skp.appraiser_id] += 1
            continue
        choices = GOOD_RATINGS if agencies.get(skp.employee_id) == BREAKING else RATINGS
        result, behaviour = rng.choices([pair for pair, _weight in choices],
                                        [weight for _pair, weight in choices])[0]
        evaluation = Evaluation(employee_id=skp.employee_id, skp_id=skp.id, year=first.year, month=first.month,
                                rating_result=result, rating_behaviour=behaviour, predikat=predikat(result, behaviour),
                                evaluated_by=users.get(skp.appraiser_id))
        main = next((rhk for rhk in skp.rhk if rhk.kind is RhkKind.MAIN and rhk.indicators), None)
        if main is not None:
            evaluation.indicators = [EvaluationIndicator(
                iki_id=main.indicators[0].id, feedback=FEEDBACK[evaluation.predikat])]
        db.session.add(evaluation)
        count += 1
    codes = dict(db.session.execute(select(Agency.code, Agency.id)).all())
    for code, value in ORG_PREDIKATS.items():
        if code in codes:
            db.session.add(OrganisationPredikat(agency_id=codes[code], year=first.year, predikat=value))
    return count


FEEDBACK = {
    Predikat.VERY_GOOD: "Capaian melampaui target; pertahankan dan bagikan cara kerja kepada rekan.",
    Predikat.GOOD: "Capaian sesuai target bulan ini.",
    Predikat.NEEDS_IMPROVEMENT: "Capaian di bawah target; susun rencana aksi untuk bulan depan.",
    Predikat.POOR: "Perilaku kerja perlu diperbaiki; akan dibahas dalam pembinaan.",
    Predikat.VERY_POOR: "Capaian dan perilaku kerja di bawah ekspektasi; perlu pembinaan intensif.",
}

