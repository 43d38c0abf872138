"""The navigation bar's entries for the signed-in user's roles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from kinerja import clock
from kinerja.permissions import (
    admin_agency_ids,
    headed_agency_ids,
    is_appraiser,
    is_global_admin,
)

CACHED_SETS = 256  # distinct sets of facts kept per app before the cache starts again


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    icon: str
    endpoint: str


def navigation_for() -> tuple[NavItem, ...]:
    """Entries for the current user; empty when nobody is signed in.

    The entries follow from a handful of facts (employee or not, roles, agencies headed, appraiser today, the
    month, the language), so the app keeps them per set of facts instead of building them on every page.
    """
    if not current_user.is_authenticated:
        return ()
    user = current_user._get_current_object()  # the proxy costs a lookup on every use
    administered = frozenset(admin_agency_ids(user))
    global_admin = is_global_admin(user)
    headed = frozenset(headed_agency_ids(user))
    appraiser = bool(administered) or is_appraiser(user)
    month = clock.today().replace(day=1)
    key = (user.employee_id is not None, global_admin, administered, headed, appraiser, month,
           str(get_locale()), request.script_root)
    cache = current_app.extensions.setdefault("navigation", {})
    items = cache.get(key)
    if items is None:
        if len(cache) >= CACHED_SETS:
            cache.clear()
        items = cache[key] = tuple(entries(user.employee_id is not None, global_admin, administered, headed,
                                           appraiser, month))
    return items


def entries(employee: bool, global_admin: bool, administered: frozenset[int], headed: frozenset[int],
            appraiser: bool, month: date) -> list[NavItem]:
    items = [NavItem(str(_l("Beranda")), url_for("main.home"), "house", "main.home")]
    if employee:
        items.append(NavItem(str(_l("Kegiatan")), url_for("activities.today"), "journal-check", "activities.day"))
        items.append(NavItem(str(_l("Kalender")), url_for("activities.this_month"), "calendar3", "activities.month"))
        items.append(NavItem(str(_l("Kegiatan bulanan")), url_for("activities.this_monthly"), "list-check",
                             "activities.monthly"))
        items.append(NavItem(str(_l("SKP")), url_for("skp.index"), "bullseye", "skp.index"))
        items.append(NavItem(str(_l("Presensi")), url_for("attendance.index"), "geo-alt", "attendance.index"))
        items.append(NavItem(str(_l("Jadwal saya")), url_for("roster.my_schedule"), "calendar-week",
                             "roster.my_schedule"))
        items.append(NavItem(str(_l("TPP saya")), url_for("tpp.mine"), "cash-coin", "tpp.employee"))
        items.append(NavItem(str(_l("Profil")), url_for("main.profile"), "person-badge", "main.profile"))
    if appraiser:
        items.append(NavItem(str(_l("Pemeriksaan")), url_for("review.inbox"), "clipboard-check", "review.inbox"))
        items.append(NavItem(str(_l("Koreksi presensi")), url_for("attendance.correction_inbox"), "clock-history",
                             "attendance.correction_inbox"))
        items.append(NavItem(str(_l("Tinjauan presensi")), url_for("attendance.review"), "person-bounding-box",
                             "attendance.review"))
    for agency_id in sorted(administered):
        items.append(
            NavItem(
                str(_l("OPD saya")),
                url_for("main.agency_detail", agency_id=agency_id),
                "building",
                "main.agency_detail",
            )
        )
        items.append(NavItem(str(_l("Kuota & jadwal")), url_for("roster.rosters", agency_id=agency_id),
                             "calendar2-week", "roster.rosters"))
        items.append(NavItem(str(_l("Pesan WhatsApp OPD")), url_for("messaging.agency_log", agency_id=agency_id),
                             "whatsapp", "messaging.agency_log"))
    if global_admin or administered:
        items.append(NavItem(str(_l("Mesin presensi")), url_for("devices.index"), "fingerprint", "devices.index"))
    if not global_admin:
        for agency_id in sorted(administered | headed):
            items.append(NavItem(str(_l("TPP OPD")), url_for("tpp.agency", first=month,
                                                              agency_id=agency_id), "cash-stack", "tpp.agency"))
        for agency_id in sorted(administered | headed):
            items.append(NavItem(str(_l("Dasbor OPD")), url_for("admin.dashboard_agency", agency_id=agency_id),
                                 "speedometer2", "admin.dashboard_agency"))
    for agency_id in sorted(headed - administered):
        items.append(NavItem(str(_l("Pemantauan OPD")), url_for("oversight.monitoring_page", agency_id=agency_id),
                             "graph-up", "oversight.monitoring_page"))
    if global_admin:
        items.append(NavItem(str(_l("Dasbor kinerja")), url_for("admin.dashboard"), "speedometer2",
                             "admin.dashboard"))
        items.append(NavItem(str(_l("Semua OPD")), url_for("main.agencies"), "buildings", "main.agencies"))
        items.append(NavItem(str(_l("Penutupan bulan")), url_for("oversight.month_locks"), "lock",
                             "oversight.month_locks"))
        items.append(NavItem(str(_l("Pesan WhatsApp")), url_for("messaging.log"), "whatsapp", "messaging.log"))
        items.append(NavItem(str(_l("Distribusi predikat")), url_for("skp.distribution"), "bar-chart",
                             "skp.distribution"))
        items.append(NavItem(str(_l("TPP")), url_for("tpp.regency", first=month),
                             "cash-stack", "tpp.regency"))
        items.append(NavItem(str(_l("Jabatan esensial")), url_for("roster.positions"), "shield-check",
                             "roster.positions"))
    items.append(NavItem(str(_l("Laporan")), url_for("reports.index"), "file-earmark-pdf", "reports.index"))
    if global_admin or administered:
        items.append(NavItem(str(_l("Administrasi")), url_for("admin.index"), "gear", "admin.index"))
        items.append(NavItem(str(_l("Jejak audit")), url_for("oversight.audit_log"), "journal-text",
                             "oversight.audit_log"))
    return items
