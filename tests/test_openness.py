"""aiopen.openness: MOF class arithmetic, OSAID verdicts, name matching, sourced data."""

from __future__ import annotations

import pytest

from aiopen import openness as o
from aiopen.data import VERIFICATION_LEVELS, rows

CLASS_III = ["Model architecture", "Model parameters (Final)", "Evaluation results", "Model card", "Data card", "Technical report"]
CLASS_II_ADDS = ["Training code", "Inference code", "Evaluation code", "Evaluation data"]
CLASS_I_ADDS = ["Research paper", "Datasets", "Data preprocessing code", "Model parameters (Intermediate)"]
OPTIONAL = {"Sample model outputs", "Supporting libraries and tools", "Model metadata"}


# --- MOF ------------------------------------------------------------------------------------


def test_seventeen_components_with_classes_and_optionals_from_the_mof():
    assert len(o.MOF_COMPONENTS) == 17
    by_class = {k: [c.name for c in o.MOF_COMPONENTS if c.mof_class == k and not c.optional] for k in (3, 2, 1)}
    assert by_class == {3: CLASS_III, 2: CLASS_II_ADDS, 1: CLASS_I_ADDS}
    assert {c.name for c in o.MOF_COMPONENTS if c.optional} == OPTIONAL


def test_classes_are_cumulative():
    assert o.mof_class(CLASS_III) == 3
    assert o.mof_class(CLASS_III + CLASS_II_ADDS) == 2
    assert o.mof_class(CLASS_III + CLASS_II_ADDS + CLASS_I_ADDS) == 1
    # Class I components without Class II's do not make Class I (or II).
    assert o.mof_class(CLASS_III + CLASS_I_ADDS) == 3


def test_optional_components_are_never_required():
    assert o.mof_class(CLASS_III + CLASS_II_ADDS + CLASS_I_ADDS + sorted(OPTIONAL)) == 1
    assert o.mof_class(CLASS_III + CLASS_II_ADDS + CLASS_I_ADDS) == 1
    assert o.mof_class(sorted(OPTIONAL)) is None


def test_all_class_i_and_ii_but_one_class_iii_component_missing_is_no_class():
    almost = [c for c in CLASS_III + CLASS_II_ADDS + CLASS_I_ADDS if c != "Data card"]
    assert o.mof_class(almost) is None
    assert o.mof_missing(almost, 3) == ["Data card"]
    assert o.mof_class([]) is None


def test_component_names_ignore_case_whitespace_and_ampersand():
    messy = [f"  {name.upper()}  " for name in CLASS_III]
    assert o.mof_class(messy) == 3
    assert o.canonical_component("model   parameters (final)") == "Model parameters (Final)"
    assert o.canonical_component("Supporting libraries & tools") == "Supporting libraries and tools"


def test_unknown_component_raises_value_error_naming_it_with_suggestion():
    with pytest.raises(ValueError, match=r"'Trainig code'.*Did you mean 'Training code'"):
        o.mof_class({"Model card", "Trainig code"})
    with pytest.raises(ValueError, match="not one of"):
        o.mof_missing(["weights"], 3)
    with pytest.raises(ValueError, match="not 4"):
        o.required_for_class(4)


# --- OSAID ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Pythia", "pythia", "OLMo", "olmo", "OLMo 7B"])
def test_osi_published_passes(name):
    verdict = o.osaid_verdict(name)
    assert verdict.meets and verdict.missing == [] and verdict.status == "meets"
    assert verdict.assessed_by == "OSI"
    assert "opensource.org/ai" in verdict.source


@pytest.mark.parametrize("name", ["Llama 2", "llama 2", "Phi-2", "Mixtral", "Grok"])
def test_osi_published_failures(name):
    verdict = o.osaid_verdict(name)
    assert not verdict.meets and verdict.status == "fails"
    assert verdict.assessed_by == "OSI"


@pytest.mark.parametrize("name", ["BLOOM", "Falcon", "Falcon 40B"])
def test_osi_would_pass_with_licence_changes(name):
    verdict = o.osaid_verdict(name)
    assert not verdict.meets
    assert verdict.missing == ["Open licence terms (OSI: 'would pass with license changes')"]


def test_llama_2_misses_code_and_open_parameters_in_the_kits_reading():
    verdict = o.osaid_verdict("Llama 2")
    assert verdict.missing == [o.CODE, o.PARAMETERS]
    assert verdict.unknown == [o.DATA_INFORMATION]  # the card says only "publicly available online data"
    assert "kit's reading" in verdict.summary


def test_models_without_osi_validation_get_a_labelled_kit_reading():
    gpt4 = o.osaid_verdict("gpt-4")
    assert gpt4.assessed_by == "kit" and gpt4.status == "fails"
    assert gpt4.missing == list(o.REQUIREMENTS)
    smol = o.osaid_verdict("SmolLM2")
    assert smol.status == "unknown" and not smol.meets  # unknown stays unknown, not "fails"


def test_unknown_model_name_is_a_key_error_naming_it_with_suggestions():
    with pytest.raises(KeyError) as error:
        o.osaid_verdict("Lama 2")
    assert "'Lama 2'" in str(error.value) and "Did you mean 'Llama 2'" in str(error.value)
    with pytest.raises(ValueError, match="'Pythai'.*'Pythia'"):
        o.model("Pythai")


def test_osaid_check_names_each_missing_requirement():
    assert o.osaid_check(True, True, True).meets
    verdict = o.osaid_check(data_information=False, code_open=True, parameters_open=False)
    assert not verdict.meets and verdict.missing == ["Data information", "Parameters under open terms"]


def test_osaid_from_release_follows_the_documented_mapping():
    weights_only = o.osaid_from_release(["Model parameters (Final)"], licence_open=True)
    assert weights_only.missing == [o.DATA_INFORMATION, o.CODE]
    everything = [c.name for c in o.MOF_COMPONENTS]
    assert o.osaid_from_release(everything, licence_open=True).meets
    assert o.osaid_from_release(everything, licence_open=False).missing == [o.CODE, o.PARAMETERS]
    code = list(o.OSAID_MAPPING[o.CODE][1])
    assert o.osaid_from_release(["Datasets", "Model parameters (Final)", *code], licence_open=True).meets
    assert o.osaid_from_release(["Data card", "model parameters (final)", *code[1:]], licence_open=True).missing == [o.CODE]


# --- Sourced data ---------------------------------------------------------------------------

TABLES = ["openness_mof_components", "openness_models", "openness_model_components", "openness_osaid", "openness_fmti", "openness_liesenfeld"]


@pytest.mark.parametrize("table", TABLES)
def test_every_row_is_sourced_with_a_valid_verification_level(table):
    data = rows(table)
    assert data
    for row in data:
        assert row["source"] and row["source_date"], row
        assert row["verification"] in VERIFICATION_LEVELS, row
        assert "notes" in row


def test_the_model_table_covers_the_brief_and_uses_known_statuses():
    names = [m.name for m in o.models()]
    assert names == ["Llama 2", "Llama 3.1", "Mistral 7B", "Falcon 40B", "BLOOM", "OLMo 7B", "Pythia", "Phi-2", "Phi-3", "Gemma", "Granite 3.0", "SmolLM2", "GPT-4"]
    for release in o.models():
        assert list(release.components) == [c.name for c in o.MOF_COMPONENTS]
        assert {f.status for f in release.components.values()} <= set(o.STATUSES)
        assert release.licence_terms in {"open", "restrictive", "closed"}
        assert all(f.source for f in release.components.values() if f.status != "unknown")


def test_component_facts_follow_facts_md_1b():
    status = {m.name: {c: f.status for c, f in m.components.items()} for m in o.models()}
    assert status["Llama 2"]["Training code"] == "no" and status["Llama 2"]["Inference code"] == "yes"
    assert status["Falcon 40B"]["Datasets"] == "partial"
    assert status["GPT-4"]["Model parameters (Final)"] == "no"
    assert status["Granite 3.0"]["Training code"] == "no"
    assert o.model("granite 3.0").components["Training code"].verification == "unverified"  # ❓ in facts.md
    assert status["Mistral 7B"]["Model card"] == "unknown"  # facts.md is silent: unknown, not "no"


def test_smollm2_claims_are_not_overclaimed():
    smol = o.model("SmolLM2")
    assert smol.verification == "unverified"
    for name in ("Model parameters (Final)", "Training code", "Datasets"):
        assert smol.components[name].verification == "unverified"


def test_fmti_totals_match_facts_md():
    totals = {(s.subject, s.edition): s.total for s in o.fmti_scores()}
    assert totals[("Meta", "2023-10")] == 54 and totals[("Meta", "2024-05")] == 60
    assert totals[("OpenAI", "2023-10")] == 48 and totals[("OpenAI", "2024-05")] == 49
    assert totals[("BigCode / Hugging Face / ServiceNow", "2024-05")] == 85
    assert totals[("IBM", "2025-12")] == 95
    assert o.fmti_means() == {"2023-10": 37, "2024-05": 58, "2025-12": 40.7}


@pytest.mark.parametrize("edition", ["2023-10", "2024-05"])
def test_published_fmti_means_follow_from_the_developer_totals(edition):
    totals = [s.total for s in o.fmti_scores() if s.edition == edition]
    assert round(sum(totals) / len(totals)) == o.fmti_means()[edition]


def test_liesenfeld_totals_are_out_of_14():
    scores = o.liesenfeld_scores()
    assert scores["OLMo 7B"].total == 12.5 and scores["Llama 2"].total == 3.0 and scores["GPT-4"].assessed == "ChatGPT"
    assert all(0 <= s.total <= s.out_of == 14 for s in scores.values())
    assert set(scores) <= {m.name for m in o.models()}
