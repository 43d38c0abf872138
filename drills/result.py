"""What a drill reports: PASS or FAIL, the figures it measured and every broken expectation."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from drills.client import Outcome


@dataclass
class DrillResult:
    name: str
    figures: dict[str, object] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    def expect(self, condition: bool, problem: str) -> bool:
        """Record `problem` unless `condition` holds; returns the condition."""
        if not condition:
            self.problems.append(problem)
        return condition

    def summary(self) -> list[str]:
        """The problems, each once, with how often it happened."""
        return [f"{problem} (x{count})" if count > 1 else problem for problem, count in Counter(self.problems).items()]

    def line(self) -> str:
        figures = ", ".join(f"{key}={value}" for key, value in self.figures.items())
        return f"{'PASS' if self.passed else 'FAIL'} {self.name}: {figures}"


def status_counts(outcomes: Iterable[Outcome]) -> str:
    """'200x12 302x4 503x9' (connection errors by exception name)."""
    counts = Counter(str(outcome.status) if outcome.status is not None else outcome.error for outcome in outcomes)
    return " ".join(f"{key}x{count}" for key, count in sorted(counts.items())) or "none"
