"""Small building blocks beneath the features: the assignment on a day, month locks, row locks, approved output
per IKI, the plan in force, form errors. Features import these; these import no feature (tests/test_layers.py)."""
