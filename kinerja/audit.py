"""The audit trail: every state change and admin action, with who, as whom, when, from where and why.

Services call `record` or `record_many` inside their unit of work, so an entry is committed with the change
it describes and never without it. The client address comes from the request metadata the app stores for
the current request (services never read the request themselves).
"""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass

from flask import Flask, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert

from kinerja import clock
from kinerja.extensions import db
from kinerja.models import AuditEntry, User

ACTION_LABELS = {
    "submit": _l("Diajukan"),
    "withdraw": _l("Pengajuan ditarik"),
    "approve": _l("Disetujui"),
    "return": _l("Dikembalikan"),
    "reopen": _l("Dibuka kembali oleh admin"),
    "lock": _l("Bulan ditutup"),
    "change_setting": _l("Pengaturan diubah"),
    "update": _l("Diubah"),
    "delete": _l("Dihapus"),
    "transfer": _l("Mutasi/promosi"),
    "reactivate": _l("Diaktifkan kembali"),
    "retire": _l("Diberhentikan/nonaktif"),
    "set_bank_account": _l("Rekening bank diubah"),
    "reset_password": _l("Kata sandi direset"),
    "enable_account": _l("Akun diaktifkan"),
    "disable_account": _l("Akun dinonaktifkan"),
    "grant_role": _l("Peran diberikan"),
    "revoke_role": _l("Peran dicabut"),
    "revoke_token": _l("Token API dicabut"),
    "import_staff": _l("Impor pegawai"),
    "import_create": _l("Dibuat lewat impor"),
    "import_update": _l("Diperbarui lewat impor"),
    "change_regency": _l("Identitas pemerintah daerah diubah"),
    "change_signing": _l("Pengaturan tanda tangan elektronik diubah"),
    "sign_document": _l("Ditandatangani secara elektronik"),
    "add_holiday": _l("Libur daerah ditambahkan"),
    "rename_holiday": _l("Nama hari libur diubah"),
    "delete_holiday": _l("Libur daerah dihapus"),
    "cancel_holiday": _l("Hari libur dibatalkan (hari kerja)"),
    "restore_holiday": _l("Hari libur nasional dipulihkan"),
    "unlock": _l("Bulan dibuka kembali"),
    "record_leave": _l("Cuti/izin dicatat"),
    "delete_leave": _l("Cuti/izin dihapus"),
    "grant_backdate": _l("Pengecualian batas pengisian"),
    "assign_acting": _l("Plh/Plt ditugaskan"),
    "end_acting": _l("Plh/Plt diakhiri"),
    "delete_acting": _l("Plh/Plt dibatalkan"),
    "create": _l("Dibuat"),
    "revise": _l("Revisi dibuat"),
    "evaluate": _l("Evaluasi bulanan"),
    "set_predikat": _l("Predikat organisasi ditetapkan"),
    "cleared_flag": _l("Tanda presensi dinyatakan wajar"),
    "confirmed_flag": _l("Tanda presensi dikonfirmasi pelanggaran"),
    "set_wfo_cap": _l("Batas WFO ditetapkan"),
    "end_wfo_cap": _l("Batas WFO diakhiri"),
    "set_unit_essential": _l("Tanda unit esensial diubah"),
    "set_position_essential": _l("Tanda jabatan esensial diubah"),
    "generate_roster": _l("Jadwal piket disusun"),
    "regenerate_roster": _l("Jadwal piket disusun ulang"),
    "edit_roster_entry": _l("Jadwal piket diubah manual"),
    "override_wfo_cap": _l("Jadwal piket melampaui batas WFO"),
    "release_roster_days": _l("Hari jadwal piket dilepas (mutasi/berhenti)"),
    "admit_roster_days": _l("Hari jadwal piket ditambahkan (mutasi)"),
    "publish_roster": _l("Jadwal piket diterbitkan"),
    "delete_roster": _l("Draf jadwal piket dihapus"),
    "lock_tpp": _l("TPP bulan dikunci"),
    "reopen_tpp": _l("TPP bulan dibuka kembali"),
    "add_penalty": _l("Hukuman disiplin dicatat"),
    "delete_penalty": _l("Hukuman disiplin dihapus"),
    "set_treasurer": _l("Bendahara OPD ditetapkan"),
    "request_correction": _l("Koreksi presensi diajukan"),
    "approve_correction": _l("Koreksi presensi disetujui"),
    "reject_correction": _l("Koreksi presensi ditolak"),
    "withdraw_correction": _l("Koreksi presensi ditarik"),
    "set_agency_score": _l("Nilai OPD untuk TPP diisi"),
    "clear_agency_score": _l("Nilai OPD untuk TPP dihapus"),
    "enable_device": _l("Mesin presensi diaktifkan"),
    "disable_device": _l("Mesin presensi dinonaktifkan"),
    "queue_device_command": _l("Perintah untuk mesin presensi diantrekan"),
    "map_device_pin": _l("PIN mesin presensi dipetakan"),
    "unmap_device_pin": _l("Pemetaan PIN mesin presensi dihapus"),
    "change_gateway": _l("Gateway pesan WhatsApp/Telegram diubah"),
    "retry_message": _l("Pesan WhatsApp/Telegram dikirim ulang"),
}

_client_address: ContextVar[str | None] = ContextVar("kinerja_client_address", default=None)


@dataclass(frozen=True)
class Change:
    object_type: str
    object_id: int | None
    action: str
    from_state: str | None = None
    to_state: str | None = None
    agency_id: int | None = None
    acting_for_id: int | None = None
    reason: str | None = None


def record_many(actor: User | None, changes: Iterable[Change]) -> int:
    """Add audit entries for the changes in one statement; the caller's commit stores them."""
    now = clock.utcnow()
    rows = [
        {
            "occurred_at": now,
            "actor_id": actor.id if actor else None,
            "acting_for_id": change.acting_for_id,
            "agency_id": change.agency_id,
            "object_type": change.object_type,
            "object_id": change.object_id,
            "action": change.action,
            "from_state": change.from_state,
            "to_state": change.to_state,
            "reason": (change.reason or None) and change.reason[:1000],
            "ip_address": _client_address.get(),
        }
        for change in changes
    ]
    if rows:
        db.session.execute(insert(AuditEntry), rows)
    return len(rows)


def record(actor: User | None, change: Change) -> None:
    record_many(actor, [change])


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def init_app(app: Flask) -> None:
    app.add_template_filter(action_label, "audit_action")

    @app.before_request
    def remember_client_address() -> None:
        _client_address.set(request.remote_addr)

    @app.teardown_request
    def forget_client_address(_exc) -> None:
        _client_address.set(None)
