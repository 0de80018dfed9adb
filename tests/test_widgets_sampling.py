"""The sampling explorer widget, driven in the kernel as a presenter would drive it."""

from __future__ import annotations

import numpy as np
import pytest

from aiopen.domain import gguf_loader, sampling
from aiopen.domain.lm import load_model
from aiopen.widgets.sampling import BARS, sampling_explorer

@pytest.fixture(scope="module")
def explorer():
    return sampling_explorer(load_model())


def bars(widget) -> tuple[np.ndarray, np.ndarray]:
    kept, cut = widget.figure.data
    return np.asarray(kept.y, dtype=float), np.asarray(cut.y, dtype=float)


def reset(widget, prompt: str = "The capital of France is") -> None:
    widget.temperature.value, widget.top_k.value, widget.top_p.value = 1.0, "off", 1.0
    widget.prompt.value = prompt


def no_error(widget) -> bool:
    return "aiopen-error" not in widget.status.value


@pytest.mark.model
def test_opens_on_the_france_prompt_with_paris_first(explorer):
    reset(explorer)
    kept, cut = bars(explorer)
    assert explorer.figure.layout.xaxis.ticktext[0] == "␣Paris"
    assert kept[0] == pytest.approx(0.7725, abs=2e-3)
    assert np.all(cut == 0)
    assert "2.14 bits" in explorer.summary.value


@pytest.mark.model
def test_temperature_slider_redraws_the_bars(explorer):
    reset(explorer)
    before, _ = bars(explorer)
    explorer.temperature.value = 0.5
    after, _ = bars(explorer)
    assert after[0] > before[0] and after[1] < before[1]  # cooler: the favourite gains, the rest lose
    explorer.temperature.value = 0
    greedy, _ = bars(explorer)
    np.testing.assert_array_equal(greedy, [1.0] + [0.0] * 14)
    assert "0.00 bits" in explorer.summary.value and no_error(explorer)


@pytest.mark.model
def test_top_k_and_top_p_turn_bars_grey(explorer):
    reset(explorer)
    explorer.top_k.value = "3"
    kept, cut = bars(explorer)
    assert np.count_nonzero(kept) == 3 and np.count_nonzero(cut) == BARS - 3
    explorer.top_k.value = "off"
    explorer.top_p.value = explorer.top_p.min  # 0.05: only " Paris" is needed
    kept, cut = bars(explorer)
    assert np.count_nonzero(kept) == 1 and "<b>1</b> of" in explorer.summary.value
    explorer.top_p.value = 1.0
    assert np.count_nonzero(bars(explorer)[1]) == 0


@pytest.mark.model
def test_extreme_temperature_never_raises(explorer):
    reset(explorer)
    explorer.temperature.value = 2.0
    kept, _ = bars(explorer)
    assert kept.sum() < 0.5 and no_error(explorer)


@pytest.mark.model
def test_empty_prompt_shows_a_message_and_clears_the_chart(explorer):
    reset(explorer, "")
    assert "prompt is empty" in explorer.status.value
    assert len(explorer.figure.data[0].y) == 0
    explorer.temperature.value = 0.7  # moving a slider now is harmless
    assert "prompt is empty" in explorer.status.value
    explorer.sample_button.click()
    assert "Choose or type a prompt" in explorer.status.value


@pytest.mark.model
def test_long_prompt_says_it_was_truncated(explorer):
    reset(explorer, "open " * 2000)  # 10,000 characters
    assert f"last {explorer.model.max_prompt_tokens} tokens" in explorer.status.value
    assert len(explorer.figure.data[0].y) == BARS


@pytest.mark.model
def test_emoji_and_non_latin_prompt(explorer):
    reset(explorer, "🤖🚀 日本語 Grüße")
    assert explorer.status.value == "" and len(explorer.figure.data[0].y) == BARS


@pytest.mark.model
def test_chat_preset_fills_the_prompt_with_chatml(explorer):
    explorer.preset.index = 3
    assert explorer.prompt.value.startswith("<|im_start|>system\n")
    assert explorer.prompt.value.endswith("<|im_start|>assistant\n")
    assert no_error(explorer)


@pytest.mark.model
def test_sample_button_with_fixed_seed_repeats_itself(explorer):
    reset(explorer)
    explorer.n_samples.value, explorer.fixed_seed.value = 3, True
    explorer.sample_button.click()
    first = explorer.samples.value
    assert first.count("<tr>") == 3 and "distinct" in first
    explorer.sample_button.click()
    assert explorer.samples.value == first
    explorer.temperature.value = 0
    explorer.sample_button.click()
    assert "<b>1 distinct</b> of 3" in explorer.samples.value  # greedy: every sample is the same


def test_missing_model_gives_a_message_not_a_traceback(monkeypatch):
    def missing():
        raise FileNotFoundError(f"The SmolLM2 model file is not installed. Install it with: {gguf_loader.INSTALL_HINT}")

    monkeypatch.setattr("aiopen.widgets.sampling.load_model", missing)
    widget = sampling_explorer()
    assert "make present" in widget.status.value
    assert widget.temperature.disabled and widget.sample_button.disabled


@pytest.mark.model
def test_an_error_disappears_once_the_input_is_fixed(explorer, monkeypatch):
    reset(explorer)
    real_entropy = sampling.entropy

    def refuses_high_temperatures(probs):
        if explorer.temperature.value > 1.5:
            raise ValueError("Too hot for this test.")
        return real_entropy(probs)

    monkeypatch.setattr(sampling, "entropy", refuses_high_temperatures)
    explorer.temperature.value = 1.8
    assert "Too hot" in explorer.status.value
    explorer.top_k.value = "5"  # another control moved: the temperature is still too high
    assert "Too hot" in explorer.status.value
    explorer.temperature.value = 1.0  # fixed
    assert explorer.status.value == ""


@pytest.mark.model
def test_a_comm_update_cannot_ask_for_a_million_samples(explorer):
    reset(explorer)
    explorer.n_samples.set_state({"max": 10**6, "value": 10**6})
    explorer.temperature.set_state({"min": -1.0, "value": -1.0})
    assert (explorer.n_samples.value, explorer.n_samples.max, explorer.temperature.value) == (8, 8, 0.0)
    assert no_error(explorer)
