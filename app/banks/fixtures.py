"""Run a bank's rubric fixtures: example answer sets and the decision each must produce.

Pure: a `Bank` in, outcomes out; no files, database or framework. Loading a bank
only checks a fixture's structure (`app.banks.schema.Fixture`); running them is
the caller's choice: `readiness banks validate`, publishing, start-up.
`fixture_failures(bank)` is the one-call check: an empty list means every
fixture gives its expected decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.banks.schema import Bank, Fixture
from app.scoring.answers import check_answers
from app.scoring.engine import score
from app.scoring.result import Decision


@dataclass(frozen=True)
class FixtureOutcome:
    key: str
    expected: Decision
    actual: Decision | None  # None when the fixture's answers are not valid for the bank
    passed: bool
    problems: list[str] = field(default_factory=list)  # "answers.<key>: <message>"
    score: float | None = None
    coverage: float | None = None

    def message(self) -> str | None:
        """Why the fixture failed, in one line; None when it passed."""
        if self.passed:
            return None
        if self.actual is None:
            return (
                f"fixture {self.key!r}: expected {self.expected}, but its answers are not valid: "
                + "; ".join(self.problems)
            )
        shown = f"score {self.score:g}"
        if self.actual == Decision.insufficient_data or self.expected == Decision.insufficient_data:
            shown += f", coverage {self.coverage:g}"
        return f"fixture {self.key!r}: expected {self.expected}, got {self.actual} ({shown})"


def run_fixture(bank: Bank, fixture: Fixture) -> FixtureOutcome:
    """Check a fixture's answers as the API would, then score them and compare the decision."""
    errors = check_answers(bank, fixture.answers)
    if errors:
        return FixtureOutcome(
            key=fixture.key,
            expected=fixture.expect,
            actual=None,
            passed=False,
            problems=[f"answers.{e.key}: {e.message}" for e in errors],
        )
    result = score(bank, fixture.answers)
    return FixtureOutcome(
        key=fixture.key,
        expected=fixture.expect,
        actual=result.decision,
        passed=result.decision == fixture.expect,
        score=result.score,
        coverage=result.coverage,
    )


def run_fixtures(bank: Bank) -> list[FixtureOutcome]:
    """Every fixture's outcome, in bank order."""
    return [run_fixture(bank, fixture) for fixture in bank.fixtures]


def fixture_failures(bank: Bank) -> list[str]:
    """One readable line per failing fixture, naming it, the expected and the actual decision.

    For example `fixture 'clearly_ready': expected go, got conditional_go (score 68.4)`.
    An empty list means every fixture passed (or the bank has none).
    """
    return [message for outcome in run_fixtures(bank) if (message := outcome.message()) is not None]
