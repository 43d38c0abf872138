"""Identity numbers of civil servants and other staff, and the ASN grade tables.

- NIP (PNS/CPNS): 18 digits = birth date YYYYMMDD + TMT CPNS YYYYMM + gender (1 man, 2 woman) + sequence.
- NI PPPK: 18 digits laid out like a NIP, with the code 21 where a NIP has the TMT month.
- NIK (non-ASN): 16 digits = region code (6) + birth date DDMMYY (day + 40 for women) + sequence (4).

The appointment must fit the law: a CPNS is at least 18 when appointed (PP 11/2017 Pasal 23), a PPPK at least 20
(PP 49/2018 Pasal 16) and appointed in 2019 or later, when the first PPPK were. Ages are counted in whole months
from the birth month to the TMT month; an NI PPPK holds only the year, so its latest month (December, or this month
in the current year) must already reach 20 years.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from kinerja import clock
from kinerja.i18n import translated

PNS_MIN_AGE = 18  # PP 11/2017 Pasal 23 ayat (1) huruf a
PPPK_MIN_AGE = 20  # PP 49/2018 Pasal 16 huruf a
PPPK_FIRST_YEAR = 2019  # the first PPPK were recruited and appointed in 2019


class EmploymentType(enum.StrEnum):
    PNS = "PNS"
    CPNS = "CPNS"
    PPPK = "PPPK"
    NON_ASN = "NON_ASN"

    @property
    def label(self) -> str:
        return translated(EMPLOYMENT_TYPE_LABELS[self])

    @property
    def is_asn(self) -> bool:
        return self is not EmploymentType.NON_ASN


EMPLOYMENT_TYPE_LABELS = {
    EmploymentType.PNS: _l("PNS"),
    EmploymentType.CPNS: _l("CPNS"),
    EmploymentType.PPPK: _l("PPPK"),
    EmploymentType.NON_ASN: _l("Non-ASN"),
}


class Gender(enum.StrEnum):
    MALE = "L"
    FEMALE = "P"

    @property
    def label(self) -> str:
        return str(_l("Laki-laki") if self is Gender.MALE else _l("Perempuan"))


# Golongan ruang of PNS with their pangkat (PP 99/2000).
PNS_RANKS: dict[str, str] = {
    "I/a": "Juru Muda",
    "I/b": "Juru Muda Tingkat I",
    "I/c": "Juru",
    "I/d": "Juru Tingkat I",
    "II/a": "Pengatur Muda",
    "II/b": "Pengatur Muda Tingkat I",
    "II/c": "Pengatur",
    "II/d": "Pengatur Tingkat I",
    "III/a": "Penata Muda",
    "III/b": "Penata Muda Tingkat I",
    "III/c": "Penata",
    "III/d": "Penata Tingkat I",
    "IV/a": "Pembina",
    "IV/b": "Pembina Tingkat I",
    "IV/c": "Pembina Utama Muda",
    "IV/d": "Pembina Utama Madya",
    "IV/e": "Pembina Utama",
}

# PPPK grades (Perpres 98/2020): golongan I to XVII, without pangkat.
PPPK_GRADES: tuple[str, ...] = (
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX",
    "X", "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII",
)


def grades_for(employment_type: EmploymentType) -> tuple[str, ...]:
    """Grades allowed for an employment type (none for non-ASN staff)."""
    if employment_type in (EmploymentType.PNS, EmploymentType.CPNS):
        return tuple(PNS_RANKS)
    if employment_type is EmploymentType.PPPK:
        return PPPK_GRADES
    return ()


def rank_label(grade: str | None) -> str:
    """'Penata Muda, III/a' for a PNS grade, 'IX' for PPPK, '' without a grade."""
    if not grade:
        return ""
    rank = PNS_RANKS.get(grade)
    return f"{rank}, {grade}" if rank else grade


class InvalidIdentity(ValueError):
    """An identity number that does not fit its employment type; str() is a translated message."""


@dataclass(frozen=True)
class IdentityInfo:
    birth_date: date
    gender: Gender


def _date_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _check_birth_date(birth: date | None, today: date) -> date:
    if birth is None or not (birth.year >= 1930) or birth > today:
        raise InvalidIdentity(_l("Tanggal lahir di dalam nomor identitas tidak valid."))
    return birth


def _gender_digit(digit: str) -> Gender:
    if digit == "1":
        return Gender.MALE
    if digit == "2":
        return Gender.FEMALE
    raise InvalidIdentity(_l("Digit jenis kelamin harus 1 (laki-laki) atau 2 (perempuan)."))


def months_of_age(birth: date, year: int, month: int) -> int:
    """Whole months from the birth month to the given month (born in March, March 18 years on is 216)."""
    return (year * 12 + month) - (birth.year * 12 + birth.month)


def _check_nip_tmt(birth: date, year: int, month: int, today: date) -> None:
    if not 1 <= month <= 12 or (year, month) > (today.year, today.month):
        raise InvalidIdentity(_l("TMT pengangkatan di dalam nomor identitas tidak valid."))
    if months_of_age(birth, year, month) < PNS_MIN_AGE * 12:
        tmt, born = f"{month:02d}-{year}", birth.strftime("%d-%m-%Y")
        raise InvalidIdentity(_l(
            "TMT CPNS di dalam NIP (%(tmt)s) jatuh sebelum pegawai berusia %(age)s tahun (lahir %(birth)s); "
            "PP 11/2017 menetapkan usia paling rendah %(age)s tahun.", tmt=tmt, age=PNS_MIN_AGE, birth=born))


def _check_pppk_year(birth: date, year: int, today: date) -> None:
    if year > today.year:
        raise InvalidIdentity(_l("TMT pengangkatan di dalam nomor identitas tidak valid."))
    if year < PPPK_FIRST_YEAR:
        raise InvalidIdentity(_l(
            "Tahun pengangkatan di dalam NI PPPK (%(year)s) sebelum %(first)s; PPPK (PP 49/2018) baru diangkat "
            "sejak %(first)s.", year=year, first=PPPK_FIRST_YEAR))
    latest_month = today.month if year == today.year else 12
    if months_of_age(birth, year, latest_month) < PPPK_MIN_AGE * 12:
        born = birth.strftime("%d-%m-%Y")
        raise InvalidIdentity(_l(
            "Tahun pengangkatan di dalam NI PPPK (%(year)s) jatuh sebelum pegawai berusia %(age)s tahun (lahir "
            "%(birth)s); PP 49/2018 menetapkan usia paling rendah %(age)s tahun.", year=year, age=PPPK_MIN_AGE,
            birth=born))


def _parse_nip_like(number: str, today: date, *, pppk: bool) -> IdentityInfo:
    if len(number) != 18 or not number.isascii() or not number.isdigit():
        raise InvalidIdentity(_l("Nomor harus terdiri atas 18 angka."))
    birth = _check_birth_date(_date_or_none(int(number[0:4]), int(number[4:6]), int(number[6:8])), today)
    year, month = int(number[8:12]), int(number[12:14])
    if pppk:
        if number[12:14] != "21":
            raise InvalidIdentity(_l("NI PPPK harus memuat kode 21 setelah tahun pengangkatan."))
        _check_pppk_year(birth, year, today)
    else:
        _check_nip_tmt(birth, year, month, today)
    gender = _gender_digit(number[14])
    if number[15:18] == "000":
        raise InvalidIdentity(_l("Nomor urut di dalam nomor identitas tidak boleh 000."))
    return IdentityInfo(birth_date=birth, gender=gender)


def _parse_nik(number: str, today: date) -> IdentityInfo:
    if len(number) != 16 or not number.isascii() or not number.isdigit():
        raise InvalidIdentity(_l("NIK harus terdiri atas 16 angka."))
    day, month, year2 = int(number[6:8]), int(number[8:10]), int(number[10:12])
    gender = Gender.MALE
    if day > 40:
        day, gender = day - 40, Gender.FEMALE
    century = 2000 if 2000 + year2 <= today.year else 1900
    birth = _check_birth_date(_date_or_none(century + year2, month, day), today)
    if number[0:2] == "00" or number[12:16] == "0000":
        raise InvalidIdentity(_l("NIK tidak valid."))
    return IdentityInfo(birth_date=birth, gender=gender)


def parse_identity(number: str, employment_type: EmploymentType, today: date | None = None) -> IdentityInfo:
    """Check an identity number against its employment type and return what it encodes."""
    today = today or clock.today()
    number = (number or "").strip()
    if employment_type in (EmploymentType.PNS, EmploymentType.CPNS):
        return _parse_nip_like(number, today, pppk=False)
    if employment_type is EmploymentType.PPPK:
        return _parse_nip_like(number, today, pppk=True)
    return _parse_nik(number, today)


def normalize_identity(number: str) -> str:
    """Drop the spaces and dots that people type inside NIPs ('19850312 201001 1 004')."""
    return "".join(ch for ch in (number or "") if ch not in " .-\t")
