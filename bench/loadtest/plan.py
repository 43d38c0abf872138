"""What the runner hands to the locust scenario: who signs in, which days they file, what the admin exports.

Kept free of Flask and SQLAlchemy imports so the locust process (gevent, its own interpreter) stays light.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

PLAN_ENV = "LOADTEST_PLAN"  # path of the plan JSON, read by the locustfile
RESULTS_ENV = "LOADTEST_RESULTS"  # where the locustfile writes its samples and counters


@dataclass
class Plan:
    """Accounts and dates of one run; every staff identity is used by exactly one simulated user."""

    password: str
    staff: list[str]  # NIPs, in arrival order
    save_days: list[str]  # ISO dates; staff number i files on save_days[i % len(save_days)]
    appraisers: list[str]  # NIPs of the unit heads
    admin: str  # BKD administrator's username
    month: str  # YYYY-MM: the calendar page the staff open
    export: str  # export name on the reports page (kinerja.reports.exports.EXPORTS)
    export_delay_s: float = 30.0  # the admin starts the export this long after signing in
    think: dict[str, list[float]] = field(default_factory=dict)  # step kind -> [min, max] seconds

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self)))

    @classmethod
    def load(cls, path: Path) -> Plan:
        return cls(**json.loads(path.read_text()))
