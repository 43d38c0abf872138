"""Each line of a TPP computation in the reader's language: 'Terlambat 31–60 menit: 3 hari × 1% = 3%'."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from kinerja.i18n import format_date
from kinerja.identity import EmploymentType
from kinerja.models import LeaveKind, Predikat
from kinerja.tpp.engine import FULL, Line
from kinerja.tpp.rules import format_percent, grouped


def rupiah(amount: int) -> str:
    """'Rp 1.234.567' (whole Rupiah, Indonesian grouping)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {grouped(abs(amount))}"


def percent(points: int) -> str:
    return f"{format_percent(points)}%"


def minutes_range(params: dict) -> str:
    if params["high"] is None:
        return _("lebih dari %(n)s menit", n=params["low"] - 1)
    return _("%(low)s–%(high)s menit", low=params["low"], high=params["high"])


def days_range(params: dict) -> str:
    start, end = date.fromisoformat(params["start"]), date.fromisoformat(params["end"])
    if start == end:
        return format_date(start, "d MMM")
    return f"{format_date(start, 'd MMM')}–{format_date(end, 'd MMM')}"


def _of(params: dict) -> str:
    return _("dari bagian disiplin") if params["of"] == "discipline" else _("dari pagu")


def _counted(label: str, params: dict) -> str:
    return _("%(label)s: %(days)s hari × %(rate)s = %(total)s %(of)s", label=label, days=params["days"],
             rate=percent(params["rate"]), total=percent(params["total_rate"]), of=_of(params))


def describe(line: Line) -> str:
    params = line.params
    code = line.code
    if code == "base":
        text = _("Pagu %(ceiling)s × %(days)s/%(month)s hari (%(range)s)", ceiling=rupiah(params["ceiling"]),
                 days=params["days"], month=params["days_in_month"], range=days_range(params))
        if params["factor"] != FULL:
            if params.get("leave"):
                reason = LeaveKind(params["leave"]).label
            else:
                reason = EmploymentType(params["employment_type"]).label
            text += " × " + _("%(rate)s (%(reason)s)", rate=percent(params["factor"]), reason=reason)
        return text
    if code == "minutes":
        return _("Capaian kinerja: %(approved)s dari %(target)s menit efektif disetujui = %(rate)s",
                 approved=grouped(params["approved"]), target=grouped(params["target"]),
                 rate=percent(params["rate"]))
    if code == "no_target":
        return _("Tidak ada hari kerja yang ditargetkan bulan ini: capaian %(rate)s", rate=percent(params["rate"]))
    if code == "predikat":
        return _("Predikat kinerja %(predikat)s: %(rate)s", predikat=Predikat(params["predikat"]).label,
                 rate=percent(params["rate"]))
    if code == "no_predikat":
        return _("Belum ada predikat kinerja bulan ini: %(rate)s", rate=percent(params["rate"]))
    if code == "mixed":
        return _("Capaian gabungan: %(w)s × %(m)s (menit) + %(v)s × %(p)s (predikat) = %(rate)s",
                 w=percent(params["weight"]), m=percent(params["minutes_rate"]),
                 v=percent(FULL - params["weight"]), p=percent(params["predikat_rate"]), rate=percent(params["rate"]))
    if code == "kinerja":
        return _("Bagian kinerja %(share)s × capaian %(rate)s dari %(base)s", share=percent(params["share"]),
                 rate=percent(params["rate"]), base=rupiah(params["base"]))
    if code == "discipline":
        return _("Bagian disiplin %(share)s dari %(base)s", share=percent(params["share"]), base=rupiah(params["base"]))
    if code == "third":
        return _("Bagian %(name)s %(share)s dari %(base)s", name=params["name"], share=percent(params["share"]),
                 base=rupiah(params["base"]))
    if code == "third_score":
        return _("%(name)s: %(score)s × bagian %(share)s dari %(base)s", name=params["name"],
                 score=percent(params["score"]), share=percent(params["share"]), base=rupiah(params["base"]))
    if code == "third_missing":
        return _("%(name)s: nilai OPD bulan ini belum diisi BKD; dibayar %(rate)s × bagian %(share)s dari %(base)s",
                 name=params["name"], rate=percent(params["rate"]), share=percent(params["share"]),
                 base=rupiah(params["base"]))
    if code == "late":
        return _counted(_("Terlambat %(range)s", range=minutes_range(params)), params)
    if code == "early":
        return _counted(_("Pulang sebelum waktunya %(range)s", range=minutes_range(params)), params)
    if code == "no_check_in":
        return _counted(_("Tidak presensi masuk"), params)
    if code == "no_check_out":
        return _counted(_("Tidak presensi pulang"), params)
    if code == "absent":
        return _counted(_("Tidak masuk tanpa keterangan"), params)
    if code == "missed_session":
        return _("Tidak mengikuti sesi presensi wajib (apel/istirahat): %(times)s kali × %(rate)s = %(total)s "
                 "%(of)s", times=params["days"], rate=percent(params["rate"]), total=percent(params["total_rate"]),
                 of=_of(params))
    if code == "corrected":
        return _("Koreksi presensi disetujui: %(days)s hari, dihitung sesuai koreksi", days=params["days"])
    if code == "cap":
        return _("Potongan disiplin dibatasi sebesar bagian disiplin (%(share)s)", share=rupiah(params["share"]))
    if code == "penalty":
        return _("Hukuman disiplin (SK %(decree)s): pemotongan %(rate)s dari %(base)s", decree=params["decree"],
                 rate=percent(params["rate"]), base=rupiah(params["base"]))
    return code


def cut_dates(line: Line) -> str:
    """The days a deduction counted, 'tanggal 3, 4, 10'."""
    days = [date.fromisoformat(day).day for day in dict.fromkeys(line.params.get("dates", []))]
    return ", ".join(str(day) for day in days)
