"""The predikat kinerja of an employee from the two ratings (PermenPANRB 6/2022), and the caps SE MenPANRB 3/2023
puts on the distribution of predikat inside an organisation according to the organisation's own predikat.

Pure functions over data: nothing here reads the database.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _

from kinerja.i18n import format_number
from kinerja.models.skp import OrgPredikat, Predikat, Rating

# (hasil kerja, perilaku kerja) → predikat. A rating of perilaku "di bawah" is misconduct: at best Kurang.
MATRIX: dict[tuple[Rating, Rating], Predikat] = {
    (Rating.ABOVE, Rating.BELOW): Predikat.POOR,
    (Rating.ABOVE, Rating.AS_EXPECTED): Predikat.GOOD,
    (Rating.ABOVE, Rating.ABOVE): Predikat.VERY_GOOD,
    (Rating.AS_EXPECTED, Rating.BELOW): Predikat.POOR,
    (Rating.AS_EXPECTED, Rating.AS_EXPECTED): Predikat.GOOD,
    (Rating.AS_EXPECTED, Rating.ABOVE): Predikat.GOOD,
    (Rating.BELOW, Rating.BELOW): Predikat.VERY_POOR,
    (Rating.BELOW, Rating.AS_EXPECTED): Predikat.NEEDS_IMPROVEMENT,
    (Rating.BELOW, Rating.ABOVE): Predikat.NEEDS_IMPROVEMENT,
}


def predikat(result: Rating, behaviour: Rating) -> Predikat:
    """The predikat kinerja for a rating of hasil kerja and a rating of perilaku kerja."""
    return MATRIX[(Rating(result), Rating(behaviour))]


class Bound(enum.StrEnum):
    AT_MOST = "at_most"
    AT_LEAST = "at_least"
    SOME = "some"  # at least one person


@dataclass(frozen=True)
class Limit:
    """One condition on the share of staff whose predikat is one of `predikats`."""

    bound: Bound
    predikats: tuple[Predikat, ...]
    percent: int = 0

    def holds(self, count: int, total: int) -> bool:
        if self.bound is Bound.SOME:
            return count > 0
        if self.bound is Bound.AT_MOST:
            return count * 100 <= self.percent * total
        return count * 100 >= self.percent * total


SB, B, BP, K, SK = (Predikat.VERY_GOOD, Predikat.GOOD, Predikat.NEEDS_IMPROVEMENT, Predikat.POOR,
                    Predikat.VERY_POOR)

# The five rules of SE MenPANRB 3/2023, one per organisation predikat.
DISTRIBUTION_RULES: dict[OrgPredikat, tuple[Limit, ...]] = {
    OrgPredikat.OUTSTANDING: (Limit(Bound.AT_MOST, (SB,), 70),),
    OrgPredikat.GOOD: (Limit(Bound.AT_MOST, (B,), 70), Limit(Bound.SOME, (BP, K))),
    OrgPredikat.NEEDS_IMPROVEMENT: (Limit(Bound.AT_LEAST, (BP,), 60), Limit(Bound.AT_MOST, (SB,), 10)),
    OrgPredikat.POOR: (Limit(Bound.AT_LEAST, (K,), 60), Limit(Bound.AT_LEAST, (BP,), 10),
                       Limit(Bound.AT_MOST, (SB,), 10)),
    OrgPredikat.VERY_POOR: (Limit(Bound.AT_LEAST, (SK,), 60), Limit(Bound.AT_LEAST, (K, BP), 10),
                            Limit(Bound.AT_MOST, (SB,), 0)),
}


@dataclass(frozen=True)
class Breach:
    limit: Limit
    count: int
    total: int
    message: str


def share(count: int, total: int) -> str:
    """The share as a percentage with at most one decimal, in the current language."""
    value = (Decimal(count * 100) / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return format_number(value)


def describe(limit: Limit, count: int, total: int) -> str:
    names = _(" atau ").join(item.label for item in limit.predikats)
    if limit.bound is Bound.SOME:
        return _("Harus ada pegawai berpredikat %(predikat)s.", predikat=names)
    if limit.bound is Bound.AT_MOST and limit.percent == 0:
        return _("Tidak boleh ada pegawai berpredikat %(predikat)s; saat ini %(count)d orang.",
                 predikat=names, count=count)
    if limit.bound is Bound.AT_MOST:
        return _("Paling banyak %(percent)d%% pegawai berpredikat %(predikat)s; saat ini %(share)s%% "
                 "(%(count)d dari %(total)d orang).", percent=limit.percent, predikat=names,
                 share=share(count, total), count=count, total=total)
    return _("Paling sedikit %(percent)d%% pegawai berpredikat %(predikat)s; saat ini %(share)s%% "
             "(%(count)d dari %(total)d orang).", percent=limit.percent, predikat=names,
             share=share(count, total), count=count, total=total)


def check_distribution(org_predikat: OrgPredikat, counts: Mapping[Predikat, int]) -> list[Breach]:
    """The conditions of the organisation's rule that the staff's predikat counts break (none: it holds).

    An organisation without rated staff breaks nothing.
    """
    total = sum(counts.values())
    if total == 0:
        return []
    breaches = []
    for limit in DISTRIBUTION_RULES[OrgPredikat(org_predikat)]:
        count = sum(counts.get(item, 0) for item in limit.predikats)
        if not limit.holds(count, total):
            breaches.append(Breach(limit, count, total, describe(limit, count, total)))
    return breaches
