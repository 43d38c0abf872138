"""Identity numbers (NIP, NI PPPK, NIK) and the ASN grade tables."""

from datetime import date

import pytest
from flask_babel import force_locale

from kinerja import clock
from kinerja.identity import (
    PNS_RANKS,
    PPPK_GRADES,
    EmploymentType,
    Gender,
    InvalidIdentity,
    grades_for,
    normalize_identity,
    parse_identity,
    rank_label,
)

PNS, CPNS, PPPK, NON_ASN = EmploymentType.PNS, EmploymentType.CPNS, EmploymentType.PPPK, EmploymentType.NON_ASN
MALE, FEMALE = Gender.MALE, Gender.FEMALE
TODAY = date(2026, 5, 15)  # fixed, so "the future" means the same thing on every run


@pytest.mark.parametrize(
    ("number", "employment_type", "birth", "gender"),
    [
        ("198503122010011004", PNS, date(1985, 3, 12), MALE),
        ("199807152024032001", CPNS, date(1998, 7, 15), FEMALE),
        ("198503122003031004", PNS, date(1985, 3, 12), MALE),  # TMT in the month they turned 18
        ("198503122026051004", PNS, date(1985, 3, 12), MALE),  # TMT this very month
        ("  198503122010011004\t", PNS, date(1985, 3, 12), MALE),  # surrounding whitespace is dropped
        ("198002292005012999", PNS, date(1980, 2, 29), FEMALE),  # leap day
        ("199001012022211001", PPPK, date(1990, 1, 1), MALE),
        ("199512312026212015", PPPK, date(1995, 12, 31), FEMALE),  # appointed this year
        ("3277011203850001", NON_ASN, date(1985, 3, 12), MALE),
        ("3277015203850001", NON_ASN, date(1985, 3, 12), FEMALE),  # day + 40 for women
        ("3277014101050001", NON_ASN, date(2005, 1, 1), FEMALE),  # two-digit year in this century
        ("3277013112300001", NON_ASN, date(1930, 12, 31), MALE),  # '30 is past 2026: last century
    ],
)
def test_valid_identity_numbers_decode_birth_date_and_gender(number, employment_type, birth, gender):
    info = parse_identity(number, employment_type, today=TODAY)
    assert (info.birth_date, info.gender) == (birth, gender)


@pytest.mark.parametrize(
    ("number", "employment_type", "message"),
    [
        ("19850312201001100", PNS, "18 angka"),  # 17 digits
        ("1985031220100110044", PNS, "18 angka"),  # 19 digits
        ("", PNS, "18 angka"),
        ("19850312201001100A", PNS, "18 angka"),  # a letter inside
        ("1985O3122010011004", PNS, "18 angka"),  # letter O for zero
        ("19850312 201001 1 004", PNS, "18 angka"),  # spaces inside (normalize_identity removes them)
        ("١٩٨٥٠٣١٢٢٠١٠٠١١٠٠٤", PNS, "18 angka"),  # Arabic-Indic digits pass str.isdigit()
        ("198502302010011004", PNS, "Tanggal lahir"),  # 30 February
        ("198513122010011004", PNS, "Tanggal lahir"),  # birth month 13
        ("192512122010011004", PNS, "Tanggal lahir"),  # born before 1930
        ("202701012010011004", PNS, "Tanggal lahir"),  # born in the future
        ("198503122010131004", PNS, "TMT"),  # TMT month 13
        ("198503122010001004", PNS, "TMT"),  # TMT month 00
        ("198503121999121004", PNS, "berusia 18 tahun"),  # appointed at 14
        ("198503122026061004", PNS, "TMT"),  # TMT next month
        ("198503122030011004", PNS, "TMT"),  # TMT years ahead
        ("198503122010013004", PNS, "jenis kelamin"),
        ("198503122010010004", CPNS, "jenis kelamin"),
        ("198503122010011000", PNS, "000"),
        ("199001012022211001", PNS, "TMT"),  # an NI PPPK is not a NIP: "21" is no month
        ("199001012022011001", PPPK, "kode 21"),  # a NIP is not an NI PPPK
        ("199001012004211001", PPPK, "sebelum 2019"),  # appointed at 14, before there were PPPK
        ("199001012027211001", PPPK, "TMT"),  # appointed next year
        ("199001012022213001", PPPK, "jenis kelamin"),
        ("199001012022211000", PPPK, "000"),
        ("19900101202221100", PPPK, "18 angka"),
        ("327701120385001", NON_ASN, "16 angka"),  # 15 digits
        ("32770112038500011", NON_ASN, "16 angka"),  # 17 digits
        ("198503122010011004", NON_ASN, "16 angka"),  # a NIP is not a NIK
        ("32770112038500A1", NON_ASN, "16 angka"),
        ("3277013203850001", NON_ASN, "Tanggal lahir"),  # day 32
        ("3277014003850001", NON_ASN, "Tanggal lahir"),  # day 40: neither a man's nor a woman's day
        ("3277017203850001", NON_ASN, "Tanggal lahir"),  # woman's day 72 = 32
        ("3277011213850001", NON_ASN, "Tanggal lahir"),  # month 13
        ("3277011512260001", NON_ASN, "Tanggal lahir"),  # December 2026 is after TODAY
        ("0077011203850001", NON_ASN, "NIK tidak valid"),  # region code 00
        ("3277011203850000", NON_ASN, "NIK tidak valid"),  # sequence 0000
    ],
)
def test_invalid_identity_numbers_are_refused(number, employment_type, message):
    with pytest.raises(InvalidIdentity, match=message):
        parse_identity(number, employment_type, today=TODAY)


@pytest.mark.parametrize(
    ("number", "employment_type", "today"),
    [
        ("200006152018061001", PNS, TODAY),  # born June 2000, TMT June 2018: 18 years by month
        ("200006302018062001", CPNS, TODAY),  # the day of the month does not count, only the month
        ("199912152019211001", PPPK, TODAY),  # born December 1999: 20 in December 2019, the year's last month
        ("199901152019211001", PPPK, date(2019, 1, 20)),  # 20 in January 2019, the first PPPK year
        ("200105152021212001", PPPK, date(2021, 5, 3)),  # appointed this year: 20 this month
    ],
)
def test_appointment_ages_at_the_boundary_pass(number, employment_type, today):
    assert parse_identity(number, employment_type, today=today).birth_date.year in (1999, 2000, 2001)


@pytest.mark.parametrize(
    ("number", "employment_type", "today", "message"),
    [
        ("200006152018051001", PNS, TODAY, "berusia 18 tahun"),  # one month short of 18
        ("200006012018051001", CPNS, TODAY, "berusia 18 tahun"),  # the 1st of the month does not help
        ("201001012025111001", PNS, TODAY, "berusia 18 tahun"),  # 15 years old: passed when only years counted
        ("200006152018011001", PNS, TODAY, "PP 11/2017"),  # the same year as turning 18, five months short
        ("200001152019211001", PPPK, TODAY, "berusia 20 tahun"),  # 19 years 11 months by December 2019
        ("200105152021212001", PPPK, date(2021, 4, 30), "berusia 20 tahun"),  # this year, but 20 only next month
        ("199001012018211001", PPPK, TODAY, "sebelum 2019"),  # TMT 2018 (up to December): no PPPK yet
        ("199001012018211001", PPPK, TODAY, "PP 49/2018"),
    ],
)
def test_appointments_before_the_minimum_age_are_refused_with_a_reason(number, employment_type, today, message):
    with pytest.raises(InvalidIdentity, match=message):
        parse_identity(number, employment_type, today=today)


def test_defaults_to_the_clock_s_today():
    next_year = clock.today().year + 1
    assert parse_identity("198503122010011004", PNS).birth_date == date(1985, 3, 12)
    with pytest.raises(InvalidIdentity, match="TMT"):
        parse_identity(f"19850312{next_year}011004", PNS)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("19850312 201001 1 004", "198503122010011004"),
        ("19850312.201001.1.004", "198503122010011004"),
        ("19850312-201001-1-004", "198503122010011004"),
        ("\t198503122010011004 ", "198503122010011004"),
        ("admin.bkd", "adminbkd"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_identity_drops_separators(typed, expected):
    assert normalize_identity(typed) == expected


def test_a_typed_nip_with_spaces_parses_once_normalized():
    info = parse_identity(normalize_identity("19850312 201001 1 004"), PNS, today=TODAY)
    assert info.birth_date == date(1985, 3, 12)


@pytest.mark.parametrize(
    ("grade", "label"),
    [
        ("III/a", "Penata Muda, III/a"),
        ("I/a", "Juru Muda, I/a"),
        ("IV/e", "Pembina Utama, IV/e"),
        ("II/b", "Pengatur Muda Tingkat I, II/b"),
        ("IX", "IX"),
        ("", ""),
        (None, ""),
    ],
)
def test_rank_label(grade, label):
    assert rank_label(grade) == label


@pytest.mark.parametrize(
    ("employment_type", "count", "first", "last"),
    [(PNS, 17, "I/a", "IV/e"), (CPNS, 17, "I/a", "IV/e"), (PPPK, 17, "I", "XVII")],
)
def test_grades_for_asn(employment_type, count, first, last):
    grades = grades_for(employment_type)
    assert (len(grades), grades[0], grades[-1]) == (count, first, last)


def test_grades_for_each_type_are_the_right_table():
    assert grades_for(PNS) == tuple(PNS_RANKS)
    assert grades_for(PPPK) == PPPK_GRADES
    assert "III/a" not in grades_for(PPPK)
    assert grades_for(NON_ASN) == ()


def test_the_reason_reads_in_english_for_english_users(app):
    with app.test_request_context(), force_locale("en"), pytest.raises(InvalidIdentity) as refused:
        parse_identity("200006152018051001", PNS, today=TODAY)
    with app.test_request_context(), force_locale("en"):
        assert str(refused.value) == ("The CPNS appointment date (TMT) in the NIP (05-2018) falls before the employee "
                                      "turned 18 (born 15-06-2000); PP 11/2017 sets the minimum age at 18.")
