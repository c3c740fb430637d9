"""`summarize` (the batch path) and `score` (the full result) are the same rules: same numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.scoring.engine import score, summarize
from tests.utils.answers import bank_id, bank_paths, load_bank, valid_answers


@pytest.mark.parametrize("path", bank_paths(), ids=bank_id)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_summarize_gives_the_numbers_of_the_full_result(path: Path, data: Any) -> None:
    bank = load_bank(path).bank
    answers = data.draw(valid_answers(bank))
    full = score(bank, answers)
    quick = summarize(bank, answers)
    assert (quick.decision, quick.score, quick.coverage) == (full.decision, full.score, full.coverage)
    assert quick.dimensions == {d.key: d.score for d in full.dimensions}
