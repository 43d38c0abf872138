"""The dashboard's sums: `total` adds up in place exactly what folding `+` over the figures gives."""

from __future__ import annotations

from functools import reduce

from hypothesis import given
from hypothesis import strategies as st

from kinerja.admin.dashboard import MODES, PREDIKATS, Figures, total

counts = st.integers(min_value=0, max_value=10_000)
figures = st.builds(
    Figures, staff=counts, working_days=counts, days_filed=counts, approved=counts, pending=counts,
    returned=counts, approved_minutes=counts, target_minutes=counts,
    waiting_days=st.none() | st.integers(min_value=0, max_value=60),
    mode_days=st.fixed_dictionaries({mode: counts for mode in MODES}),
    predikat=st.fixed_dictionaries({item.value: counts for item in PREDIKATS}),
)


@given(st.lists(figures, max_size=30))
def test_total_is_the_fold_of_plus(items):
    assert total(items) == reduce(lambda left, right: left + right, items, Figures())


def test_nothing_sums_to_empty_figures():
    assert total([]) == Figures()
    assert total(iter([])).waiting_days is None
