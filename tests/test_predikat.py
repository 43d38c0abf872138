"""The predikat matrix of PermenPANRB 6/2022 and the distribution rules of SE MenPANRB 3/2023, as tables."""

from __future__ import annotations

import pytest

from kinerja.models import OrgPredikat, Predikat, Rating
from kinerja.skp.predikat import DISTRIBUTION_RULES, check_distribution, predikat

ABOVE, AS_EXPECTED, BELOW = Rating.ABOVE, Rating.AS_EXPECTED, Rating.BELOW
SB, B, BP, K, SK = (Predikat.VERY_GOOD, Predikat.GOOD, Predikat.NEEDS_IMPROVEMENT, Predikat.POOR,
                    Predikat.VERY_POOR)


@pytest.fixture(autouse=True)
def request_context(app):
    """Messages and percentages are rendered in the current language (Indonesian)."""
    with app.test_request_context():
        yield


@pytest.mark.parametrize(
    ("result", "behaviour", "expected"),
    [
        (ABOVE, BELOW, K), (ABOVE, AS_EXPECTED, B), (ABOVE, ABOVE, SB),
        (AS_EXPECTED, BELOW, K), (AS_EXPECTED, AS_EXPECTED, B), (AS_EXPECTED, ABOVE, B),
        (BELOW, BELOW, SK), (BELOW, AS_EXPECTED, BP), (BELOW, ABOVE, BP),
    ],
)
def test_matrix(result, behaviour, expected):
    assert predikat(result, behaviour) is expected


def test_matrix_accepts_stored_values():
    assert predikat("di_atas", "di_atas") is SB


def test_one_rule_per_organisation_predikat():
    assert set(DISTRIBUTION_RULES) == set(OrgPredikat)


def counts(**shares: int) -> dict[Predikat, int]:
    names = {"sb": SB, "b": B, "bp": BP, "k": K, "sk": SK}
    return {names[key]: value for key, value in shares.items()}


# (organisation predikat, counts, the broken conditions' message fragments; [] = the rule holds)
CASES = [
    # Istimewa: at most 70% Sangat Baik.
    (OrgPredikat.OUTSTANDING, counts(sb=7, b=3), []),
    (OrgPredikat.OUTSTANDING, counts(sb=71, b=29), ["Paling banyak 70% pegawai berpredikat Sangat Baik; saat ini 71%"]),
    (OrgPredikat.OUTSTANDING, counts(sb=10), ["saat ini 100%"]),
    (OrgPredikat.OUTSTANDING, counts(sb=2, b=1), []),  # 66.7%
    (OrgPredikat.OUTSTANDING, counts(sb=5, b=1), ["saat ini 83,3% (5 dari 6 orang)"]),
    # Baik: at most 70% Baik, and some Butuh Perbaikan or Kurang.
    (OrgPredikat.GOOD, counts(sb=2, b=7, bp=1), []),
    (OrgPredikat.GOOD, counts(sb=2, b=7, k=1), []),
    (OrgPredikat.GOOD, counts(b=8, bp=2), ["Paling banyak 70% pegawai berpredikat Baik; saat ini 80%"]),
    (OrgPredikat.GOOD, counts(sb=4, b=6), ["Harus ada pegawai berpredikat Butuh Perbaikan atau Kurang."]),
    (OrgPredikat.GOOD, counts(b=10), ["saat ini 100%", "Harus ada pegawai"]),
    (OrgPredikat.GOOD, counts(sb=3, b=6, sk=1), ["Harus ada pegawai"]),  # Sangat Kurang is not "some BP/K"
    # Butuh Perbaikan: at least 60% Butuh Perbaikan, at most 10% Sangat Baik.
    (OrgPredikat.NEEDS_IMPROVEMENT, counts(bp=6, b=3, sb=1), []),
    (OrgPredikat.NEEDS_IMPROVEMENT, counts(bp=59, b=41), ["Paling sedikit 60% pegawai berpredikat Butuh Perbaikan; "
                                                          "saat ini 59%"]),
    (OrgPredikat.NEEDS_IMPROVEMENT, counts(bp=6, b=2, sb=2), ["Paling banyak 10% pegawai berpredikat Sangat Baik; "
                                                             "saat ini 20%"]),
    # Kurang: at least 60% Kurang, at least 10% Butuh Perbaikan, at most 10% Sangat Baik.
    (OrgPredikat.POOR, counts(k=6, bp=1, b=2, sb=1), []),
    (OrgPredikat.POOR, counts(k=5, bp=2, b=3), ["Paling sedikit 60% pegawai berpredikat Kurang; saat ini 50%"]),
    (OrgPredikat.POOR, counts(k=7, b=3), ["Paling sedikit 10% pegawai berpredikat Butuh Perbaikan; saat ini 0%"]),
    (OrgPredikat.POOR, counts(k=6, bp=1, b=1, sb=2), ["Paling banyak 10% pegawai berpredikat Sangat Baik"]),
    # Sangat Kurang: at least 60% Sangat Kurang, at least 10% Kurang or Butuh Perbaikan, no Sangat Baik.
    (OrgPredikat.VERY_POOR, counts(sk=6, k=1, b=3), []),
    (OrgPredikat.VERY_POOR, counts(sk=6, bp=1, b=3), []),
    (OrgPredikat.VERY_POOR, counts(sk=5, k=5), ["Paling sedikit 60% pegawai berpredikat Sangat Kurang; saat ini 50%"]),
    (OrgPredikat.VERY_POOR, counts(sk=7, b=3), ["Paling sedikit 10% pegawai berpredikat Kurang atau Butuh Perbaikan"]),
    (OrgPredikat.VERY_POOR, counts(sk=7, k=2, sb=1), ["Tidak boleh ada pegawai berpredikat Sangat Baik; saat ini 1 "
                                                      "orang."]),
]


@pytest.mark.parametrize(("org", "staff", "broken"), CASES)
def test_distribution_rules(org, staff, broken):
    messages = [breach.message for breach in check_distribution(org, staff)]
    assert len(messages) == len(broken)
    for message, fragment in zip(messages, broken, strict=True):
        assert fragment in message


@pytest.mark.parametrize(
    ("org", "staff", "holds"),
    [
        (OrgPredikat.OUTSTANDING, counts(sb=70, b=30), True),  # exactly 70%
        (OrgPredikat.OUTSTANDING, counts(sb=701, b=299), False),  # 70.1%
        (OrgPredikat.GOOD, counts(b=70, bp=30), True),
        (OrgPredikat.NEEDS_IMPROVEMENT, counts(bp=60, b=40), True),  # exactly 60%
        (OrgPredikat.NEEDS_IMPROVEMENT, counts(bp=599, b=401), False),  # 59.9%
        (OrgPredikat.NEEDS_IMPROVEMENT, counts(bp=60, b=30, sb=10), True),  # exactly 10%
        (OrgPredikat.POOR, counts(k=60, bp=10, b=20, sb=10), True),
        (OrgPredikat.POOR, counts(k=60, bp=9, b=31), False),
        (OrgPredikat.VERY_POOR, counts(sk=60, k=5, bp=5, b=30), True),  # K and BP add up to 10%
        (OrgPredikat.VERY_POOR, counts(sk=60, k=10, b=29, sb=1), False),
    ],
)
def test_edges(org, staff, holds):
    assert (check_distribution(org, staff) == []) is holds


def test_nobody_rated_breaks_nothing():
    assert check_distribution(OrgPredikat.VERY_POOR, {}) == []

