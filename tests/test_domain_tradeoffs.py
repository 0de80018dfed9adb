""""One size does not fit all", the capability and tuning side: sourced tables and the
arithmetic behind the captions (the views: test_widgets_tradeoffs.py)."""

from __future__ import annotations

import csv
import re

import pytest

from aiopen.domain import data
from aiopen.domain import tradeoffs as t

DATE = re.compile(r"^\d{4}(-\d{2}){0,2}$")


@pytest.mark.parametrize("table", ["benchmarks", "tuning_costs"])
def test_every_row_says_where_and_when(table):
    rows = data.rows(table)
    assert rows
    for row in rows:
        assert row["source"] and row["verification"] in data.VERIFICATION_LEVELS, row
        assert DATE.match(row["published"] or "") and DATE.match(row["accessed"] or ""), row
        assert row["published"] <= row["accessed"], row


def test_scores_are_the_model_cards():
    # Spot checks against meta-llama/llama-models models/llama3_1/MODEL_CARD.md @ e2e67cd.
    table = {(s.model, s.benchmark, s.variant): s.score for v in t.VARIANTS for s in t.scores(v)}
    assert table[("Llama 3.1 405B", "MMLU", "instruct")] == 87.3
    assert table[("Llama 3.1 8B", "MMLU", "base")] == 66.7
    assert table[("Llama 3.1 70B", "GPQA", "instruct")] == 46.7  # the corrected value, not the first 41.7
    assert t.models() == ["Llama 3.1 8B", "Llama 3.1 70B", "Llama 3.1 405B"]
    for variant in t.VARIANTS:  # every benchmark has a score for every model
        assert len(t.scores(variant)) == len(t.models(variant)) * len(t.benchmarks(variant))


def test_size_gap_arithmetic():
    gap = t.size_gap("instruct")
    table = {(s.model, s.benchmark): s.score for s in t.scores("instruct")}
    differences = [table[("Llama 3.1 405B", b)] - table[("Llama 3.1 8B", b)] for b in t.benchmarks()]
    assert gap.least[1] == pytest.approx(min(differences)) and gap.most[1] == pytest.approx(max(differences))
    assert gap.big_ahead == sum(d > 0 for d in differences) == gap.benchmarks
    assert gap.gpu_hours_ratio == pytest.approx(30.84e6 / 1.46e6)
    assert 0 < gap.share[0] <= gap.share[1] < 1


def test_tuning_is_compared_with_the_same_base_model():
    pair = t.tuning_vs_training()
    assert pair.fine_tune.base_model == pair.pre_training.base_model == "LLaMA 65B"
    assert pair.ratio == pytest.approx(1_022_362 / 24)


def test_captions_mark_derived_figures():
    assert "(derived" in t.benchmark_caption() and "21x the GPU-hours" in t.benchmark_caption()
    assert "1/42,598" in t.tuning_caption() and "derived" in t.tuning_caption()
    assert "too small to see" in t.tuning_caption("linear") and "too small" not in t.tuning_caption("log")


def test_an_unknown_variant_gets_a_sentence():
    with pytest.raises(ValueError, match="instruct and base"):
        t.scores("chat")


def test_a_row_without_an_access_date_is_refused(tmp_path):
    table = tmp_path / "tuning_costs.csv"
    lines = (data.DATA_DIR / "tuning_costs.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = next(csv.reader([lines[1]]))
    row[header.index("accessed")] = ""
    with table.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, row])
    with pytest.raises(data.DataError, match="accessed"):
        data.check_table(table)
