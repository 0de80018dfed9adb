"""aiopen.domain.lm: the numpy SmolLM2 against an independent implementation, its cache and batches, tokenizer, generation, limits.

Reference logits come from Hugging Face transformers + torch loading the same GGUF
(tests/data/make_lm_reference.py): for four prompts, the next-token logits after the
prompt and after each of 11 greedy tokens, every step recomputed from scratch. The kit
must reach them through its KV-cache decode, step by step. Tolerance: 1e-4 absolute on
the top-20 logits and on 20 logits spread over the vocabulary (measured on this machine:
at most 4.6e-5 over the 48 steps, 5e-7 of it the reference's rounding), and the same
top-5 order. The kit's own paths (cached decode vs full recompute, a ragged batch vs
each prompt alone) must agree to the same tolerance.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from aiopen.domain import gguf_loader
from aiopen.domain.lm import GenerationStopped, KVCache, forward, load_model, prefill
from aiopen.domain.sampling import entropy, softmax

REFERENCE = json.loads((Path(__file__).parent / "data" / "lm_reference.json").read_text(encoding="utf-8"))
LOGIT_TOLERANCE = 1e-4
FRANCE = "The capital of France is"
PARIS = 7042  # " Paris" in the reference's top-1


def test_missing_model_file_names_the_install_command(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(FileNotFoundError, match="make present"):
        gguf_loader.model_path()


def test_cache_location_follows_aiopen_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("AIOPEN_CACHE", str(tmp_path))
    assert gguf_loader.cache_root() == tmp_path


def assert_matches_reference(logits: np.ndarray, step: dict) -> None:
    np.testing.assert_allclose(logits[step["top_ids"]], step["top_logits"], atol=LOGIT_TOLERANCE, rtol=0)
    np.testing.assert_allclose(logits[REFERENCE["spread_ids"]], step["spread_logits"], atol=LOGIT_TOLERANCE, rtol=0)
    assert list(np.argsort(-logits)[:5]) == step["top_ids"][:5]


@pytest.mark.model
@pytest.mark.parametrize("case", REFERENCE["cases"], ids=lambda case: case["prompt"][:24])
def test_logits_match_the_transformers_reference(model, case):
    assert model.tokenize(case["prompt"]) == case["input_ids"]  # transformers' own GGUF tokenizer
    assert_matches_reference(model.next_token_logits(case["prompt"]), case["steps"][0])


@pytest.mark.model
@pytest.mark.parametrize("case", REFERENCE["cases"], ids=lambda case: case["prompt"][:24])
def test_cached_decode_matches_the_reference_step_by_step(model, case):
    """Feed the reference's greedy tokens one at a time through the KV cache; every step's logits must match."""
    cache = KVCache.empty(model.config, batch=1, capacity=len(case["input_ids"]) + len(case["greedy_ids"]))
    logits = forward(np.array([case["input_ids"]]), model.weights, model.config, cache)[0]
    for step, token in zip(case["steps"], case["greedy_ids"]):
        assert_matches_reference(logits, step)
        assert int(np.argmax(logits)) == token  # the reference's top-2 margins are all above 2e-3
        logits = forward(np.array([[token]]), model.weights, model.config, cache)[0]


@pytest.mark.model
def test_a_cached_step_equals_a_full_recompute(model):
    """Each decode step through the cache gives the logits of the whole sequence computed from scratch."""
    case = REFERENCE["cases"][0]
    ids = case["input_ids"] + case["greedy_ids"]
    cache = KVCache.empty(model.config, batch=1, capacity=len(ids))
    forward(np.array([case["input_ids"]]), model.weights, model.config, cache)
    for length in range(len(case["input_ids"]) + 1, len(ids) + 1):
        stepped = forward(np.array([ids[length - 1 : length]]), model.weights, model.config, cache)[0]
        fresh = KVCache.empty(model.config, batch=1, capacity=length)
        recomputed = forward(np.array([ids[:length]]), model.weights, model.config, fresh)[0]
        np.testing.assert_allclose(stepped, recomputed, atol=LOGIT_TOLERANCE, rtol=0)


@pytest.mark.model
def test_a_ragged_batch_decodes_like_each_prompt_alone(model):
    """Prompts of different lengths sharing a prefix, prefilled and decoded together, match each run alone."""
    prompts = [model.tokenize(text) for text in (FRANCE, FRANCE + " a city where", "The", "Open source software is")]
    steps = [[7042, 30, 198], [260, 1129, 441], [5145, 216, 3692], [253, 3269, 1763]]  # tokens fed after each prompt
    cache, together = prefill(prompts, model.weights, model.config, capacity=max(map(len, prompts)) + 3)
    batched = [together]
    for column in range(2):
        batched.append(forward(np.array([[s[column]] for s in steps]), model.weights, model.config, cache))
    assert np.isfinite(np.array(batched)).all()
    for row, (prompt, tokens) in enumerate(zip(prompts, steps)):
        alone = KVCache.empty(model.config, batch=1, capacity=len(prompt) + 3)
        expected = [forward(np.array([prompt]), model.weights, model.config, alone)[0]]
        expected += [forward(np.array([[token]]), model.weights, model.config, alone)[0] for token in tokens[:2]]
        np.testing.assert_allclose(np.array([b[row] for b in batched]), np.array(expected), atol=LOGIT_TOLERANCE, rtol=0)


@pytest.mark.model
def test_generate_batch_gives_what_generate_gives_for_each_prompt(model):
    prompts = [FRANCE, model.chat_prompt([{"role": "user", "content": "Name a colour."}]), "Once upon a time"]
    together = model.generate_batch(prompts, n=3, max_new_tokens=10, temperature=0.8, seeds=[1, 2, 3])
    assert together == [model.generate(prompt, n=3, max_new_tokens=10, temperature=0.8, seed=seed) for prompt, seed in zip(prompts, [1, 2, 3])]
    assert [len(texts) for texts in together] == [3, 3, 3]


@pytest.mark.model
def test_a_finished_sequence_leaves_the_batch_without_changing_the_others(model):
    prompts = [model.chat_prompt([{"role": "user", "content": "What is 2+2?"}]), "Once upon a time", FRANCE]
    together = model.generate_ids(prompts, n=2, max_new_tokens=24, temperature=0, seeds=[1, 2, 3])
    lengths = [len(ids) for per_prompt in together for ids in per_prompt]
    assert min(lengths) < 24 and max(lengths) == 24  # the chat answer stopped and left; the others ran on
    assert together == [model.generate_ids([prompt], n=2, max_new_tokens=24, temperature=0)[0] for prompt in prompts]


@pytest.mark.model
def test_generate_batch_splits_a_batch_too_large_for_one_cache(model, monkeypatch):
    whole = model.generate_batch([FRANCE, "Hi"], n=3, max_new_tokens=6, seeds=[4, 5])
    monkeypatch.setattr("aiopen.domain.lm.CACHE_SLOTS", 2 * (len(model.tokenize(FRANCE)) + 6))  # two sequences per batch
    assert model.generate_batch([FRANCE, "Hi"], n=3, max_new_tokens=6, seeds=[4, 5]) == whole


@pytest.mark.model
def test_generation_stops_between_tokens_when_asked(model):
    asked = []

    def should_stop():
        asked.append(1)
        return "was cancelled" if len(asked) > 3 else None

    with pytest.raises(GenerationStopped, match="was cancelled"):
        model.generate_batch([FRANCE, "Hi"], n=2, max_new_tokens=20, seeds=[1, 2], should_stop=should_stop)
    assert len(asked) == 4  # asked before each step: three steps ran, the fourth never started
    assert model.generate_batch([FRANCE], n=1, max_new_tokens=3, seeds=[1], should_stop=lambda: None)  # a clock that never stops changes nothing


@pytest.mark.model
def test_paris_is_the_likely_next_token(model):
    tokens, probs = model.next_token_distribution(FRANCE)
    assert len(tokens) == probs.size == 49_152
    assert probs.sum() == pytest.approx(1.0, abs=1e-9)
    assert int(np.argmax(probs)) == PARIS
    assert tokens[PARIS] == " Paris"
    assert probs[PARIS] == pytest.approx(0.7725, abs=2e-3)


@pytest.mark.model
def test_entropy_rises_with_temperature_on_the_full_vocabulary(model):
    logits = model.next_token_logits(FRANCE)
    entropies = [entropy(softmax(logits, t)) for t in (0.1, 0.5, 1.0, 2.0)]
    assert all(a < b for a, b in zip(entropies, entropies[1:]))


@pytest.mark.model
def test_tokenizer_ids_follow_the_vocabulary(model):
    # The vocabulary starts with 17 control tokens, then the printable ASCII bytes from "!" (id 17),
    # so digit d is id 17 + (ord(d) - ord("!")) = 32 + d, and numbers are split into single digits.
    assert model.tokenize("2026") == [34, 32, 34, 38]
    assert model.tokenize("<|im_start|>") == [1] and model.tokenize("<|im_end|>") == [2]
    assert model.tokenize("<|im_start|>user\n") == [1, *model.tokenize("user\n")]
    for text in ["Grüße aus Köln", "日本語のテキスト", "🤖🚀 ok", "naïve café — 100 €"]:
        ids = model.tokenize(text)
        assert model.detokenize(ids) == text
        assert all(0 <= i < 49_152 for i in ids)


@pytest.mark.model
def test_readable_tokens(model):
    assert model.token_strings[1] == "<|im_start|>"
    assert model.token_strings[model.tokenize("\n")[0]] == "\n"
    robot = model.tokenize("🤖")  # four UTF-8 bytes spread over tokens: fragments show their bytes
    assert "".join(model.token_strings[i] for i in robot).startswith("\\xf0")


@pytest.mark.model
def test_chat_prompt_uses_chatml_with_the_default_system_turn(model):
    prompt = model.chat_prompt([{"role": "user", "content": "Hi"}])
    assert prompt == (
        "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
        "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
    )
    own_system = model.chat_prompt([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}])
    assert own_system.startswith("<|im_start|>system\nBe brief.<|im_end|>\n") and "SmolLM" not in own_system
    with pytest.raises(ValueError):
        model.chat_prompt([{"role": "robot", "content": "Hi"}])
    with pytest.raises(ValueError):
        model.chat_prompt([])


@pytest.mark.model
def test_same_seed_same_text_different_seed_different_text(model):
    first = model.generate(FRANCE, n=4, max_new_tokens=12, seed=11)
    assert first == model.generate(FRANCE, n=4, max_new_tokens=12, seed=11)
    assert first != model.generate(FRANCE, n=4, max_new_tokens=12, seed=12)
    assert len(set(first)) > 1  # the sequences of one batch draw from different streams


@pytest.mark.model
def test_batched_generation_equals_single_generation(model):
    greedy = model.generate(FRANCE, n=3, max_new_tokens=10, temperature=0)
    assert greedy == [model.generate(FRANCE, n=1, max_new_tokens=10, temperature=0)[0]] * 3
    sampled = model.generate(FRANCE, n=4, max_new_tokens=10, seed=5)
    assert sampled[0] == model.generate(FRANCE, n=1, max_new_tokens=10, seed=5)[0]


@pytest.mark.model
def test_generation_stops_at_the_end_of_the_assistant_turn(model):
    prompt = model.chat_prompt([{"role": "user", "content": "What is 2+2?"}])
    (answer,) = model.generate(prompt, max_new_tokens=48, temperature=0)
    assert "4" in answer
    assert "<|im_end|>" not in answer and "<|im_start|>" not in answer
    assert len(model.tokenize(answer)) < 48  # it stopped by itself


@pytest.mark.model
def test_top_k_one_generation_is_greedy(model):
    assert model.generate(FRANCE, max_new_tokens=8, top_k=1, seed=3) == model.generate(FRANCE, max_new_tokens=8, temperature=0)


@pytest.mark.model
def test_long_prompt_keeps_its_end(model):
    text = " ".join(f"w{i}" for i in range(5000))
    full = model.tokenize(text)
    ids, truncated = model.prepare_prompt(text)
    assert truncated and len(full) > model.max_prompt_tokens
    assert ids == full[-model.max_prompt_tokens :]
    assert model.prepare_prompt(FRANCE) == (model.tokenize(FRANCE), False)


@pytest.mark.model
def test_empty_prompt_is_refused_in_plain_words(model):
    for call in (lambda: model.next_token_distribution(""), lambda: model.generate("")):
        with pytest.raises(ValueError, match="prompt is empty"):
            call()


@pytest.mark.model
@pytest.mark.parametrize(
    "kwargs", [{"n": 0}, {"n": 65}, {"max_new_tokens": 0}, {"temperature": -1}, {"top_k": 0}, {"top_p": 1.5}]
)
def test_bad_generation_arguments_raise_value_error(model, kwargs):
    with pytest.raises(ValueError):
        model.generate(FRANCE, max_new_tokens=kwargs.pop("max_new_tokens", 2), **kwargs)


@pytest.mark.model
def test_load_model_is_cached_once_per_process(model):
    assert load_model() is model


@pytest.mark.model
@pytest.mark.parametrize(
    "call",
    [lambda m: m.generate_batch("one text"), lambda m: m.generate_batch([]), lambda m: m.generate_batch([FRANCE, "Hi"], seeds=[1]),
     lambda m: m.generate_batch([FRANCE], seeds=3), lambda m: m.generate_batch([FRANCE, ""])],
    ids=["a string", "no prompts", "one seed for two", "a bare seed", "an empty prompt"],
)
def test_bad_batch_arguments_raise_value_error(model, call):
    with pytest.raises(ValueError):
        call(model)
