"""aiopen.domain.openness: MOF class arithmetic, OSAID verdicts, name matching, sourced data."""

from __future__ import annotations

import pytest

from aiopen.domain import openness as o

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
    assert verdict.missing == ["Open licence terms (OSI: they 'would probably pass if they changed their licenses')"]


def test_llama_2_misses_every_requirement_in_the_kits_reading():
    verdict = o.osaid_verdict("Llama 2")
    # the card, the MOT and the EOSAI all say: no training code, no data or data card, a restrictive licence
    assert verdict.missing == [o.DATA_INFORMATION, o.CODE, o.PARAMETERS]
    assert verdict.unknown == []
    assert "kit's reading" in verdict.summary


def test_disputed_components_count_as_unknown_in_the_kits_reading():
    statuses = dict.fromkeys(o.OSAID_MAPPING[o.CODE][1], "yes") | {"Datasets": "yes", "Model parameters (Final)": "disputed"}
    assert o._requirement_states(statuses, "open")[o.PARAMETERS] == "unknown"
    statuses["Model parameters (Final)"] = "yes"
    assert o._requirement_states(statuses, "open")[o.PARAMETERS] == "met"


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


def _verdicts(model: str, component: str) -> dict[str, str]:
    return {v.assessor: v.status for v in o.model(model).components[component].verdicts}


def test_the_model_table_covers_the_brief_and_uses_known_statuses():
    names = [m.name for m in o.models()]
    assert names == [
        "Llama 2", "Llama 3", "Llama 3.1", "Mistral 7B", "Falcon 40B", "Falcon 180B", "BLOOM", "OLMo 7B", "Pythia",
        "Phi-2", "Phi-3", "Gemma", "Granite 3.0", "SmolLM2", "GPT-3", "GPT-4",
    ]
    for release in o.models():
        assert list(release.components) == [c.name for c in o.MOF_COMPONENTS]
        assert {f.status for f in release.components.values()} <= set(o.STATUSES)
        assert release.licence_terms in {"open", "restrictive", "closed"}
        for fact in release.components.values():
            assert all(v.provenance.source and v.provenance.published and v.assessor in o.ASSESSORS for v in fact.verdicts)


def test_the_unknown_share_is_at_most_15_percent_over_at_least_13_releases():
    releases = o.models()
    assert len(releases) >= 13
    statuses = [f.status for r in releases for f in r.components.values()]
    share = statuses.count("unknown") / len(statuses)
    assert share == o.unknown_share(releases) <= 0.15
    assert o.unknown_share([o.model("Granite 3.0")]) > 0.5  # the share is computed, not assumed


@pytest.mark.parametrize(
    ("verdicts", "status"),
    [((), "unknown"), (("yes",), "yes"), (("no", "no"), "no"), (("yes", "partial"), "disputed"), (("yes", "no", "yes"), "disputed")],
)
def test_a_component_is_disputed_exactly_when_its_sources_disagree(verdicts, status):
    provenance = o.Provenance("a source", "2024", "2026-11-30", "checked")
    fact = o.ComponentFact(tuple(o.Verdict("kit", v, provenance) for v in verdicts))
    assert fact.status == status


def test_component_verdicts_follow_their_sources():
    status = {m.name: {c: f.status for c, f in m.components.items()} for m in o.models()}
    assert status["Llama 2"]["Training code"] == "no"  # the README, the MOT and the EOSAI agree
    assert _verdicts("Llama 2", "Inference code") == {"kit": "yes", "MOT": "no"} and status["Llama 2"]["Inference code"] == "disputed"
    assert _verdicts("Llama 2", "Model parameters (Final)") == {"kit": "yes", "MOT": "yes", "EOSAI": "partial"}  # gated
    assert _verdicts("Phi-2", "Model parameters (Final)") == {"kit": "yes", "MOT": "no"}  # the MOT entry does not list them
    assert _verdicts("GPT-4", "Model parameters (Final)") == {"kit": "no", "MOT": "no"}  # the MOT lists them as proprietary
    assert _verdicts("SmolLM2", "Research paper") == {"kit": "yes", "EOSAI": "no"}  # EOSAI (Jun 2025) found no preprint
    assert status["Granite 3.0"]["Model card"] == "unknown"  # no source rates it: unknown, not "no"
    training = o.model("granite 3.0").components["Training code"].verdicts
    assert [v.provenance.verification for v in training] == ["unverified"]  # ❓ in facts.md


def test_frameworks_name_the_file_commit_and_release_they_evaluated():
    mot = next(v for v in o.model("Pythia").components["Datasets"].verdicts if v.assessor == "MOT")
    assert "models/Pythia-6.9B.yml (commit 8b5d30e)" in mot.provenance.source and mot.evaluated == "Pythia-6.9B"
    eosai = next(v for v in o.model("OLMo 7B").components["Datasets"].verdicts if v.assessor == "EOSAI")
    assert "projects/olmo-7b-instruct.yaml (commit 801f687)" in eosai.provenance.source and eosai.value == "open"
    assert eosai.provenance.published == "2024-08-08" and eosai.provenance.verification == "derived"


@pytest.mark.parametrize(
    ("release", "category"),
    [("Pythia", "open"), ("OLMo 7B", "open"), ("BLOOM", "open"), ("Llama 2", "weights"), ("SmolLM2", "weights"), ("GPT-3", "closed"),
     ("GPT-4", "closed"), ("Phi-2", None)],
)
def test_openness_category_is_derived_from_the_component_verdicts(release, category):
    assert o.category(o.model(release)) == category


def test_smollm2_reads_the_same_everywhere():
    """One source of truth: the cost tables' openness of SmolLM2 is the openness tables' reading."""
    from aiopen.domain import data

    release = o.model("SmolLM2")
    assert o.category_of(data.model("SmolLM2-135M").release) == o.category(release) == "weights"
    assert release.components["Datasets"].status == "disputed"  # the paper says released; the EOSAI (Jun 2025) says partial
    openness_columns = {"openness", "weights", "training_code", "training_data"}
    assert not any(openness_columns & set(data.rows(t)[0]) for t in data.table_names() if not t.startswith("openness_"))


def test_fmti_totals_match_the_score_files():
    totals = {(s.subject, s.edition): s.total for s in o.fmti_scores()}
    assert totals[("Meta", "2023-10")] == 54 and totals[("Meta", "2024-05")] == 60
    assert totals[("OpenAI", "2023-10")] == 48 and totals[("OpenAI", "2024-05")] == 49
    assert totals[("BigCode / Hugging Face / ServiceNow", "2024-05")] == 85
    assert totals[("IBM", "2025-12")] == 95 and totals[("DeepSeek", "2025-12")] == 32
    assert o.fmti_means() == {"2023-10": 37, "2024-05": 58, "2025-12": 40.7}


def test_fmti_flagships_are_the_ones_each_round_assessed():
    flagship = {(s.subject, s.edition): s.assessed for s in o.fmti_scores()}
    assert flagship[("Anthropic", "2023-10")] == "Claude 2" and flagship[("Anthropic", "2024-05")] == "Claude 3"
    assert flagship[("Stability AI", "2024-05")] == "Stable Video Diffusion" and flagship[("Adept", "2024-05")] == "Fuyu-8B"
    assert all(s.assessed is None for s in o.fmti_scores() if s.edition == "2025-12")  # the 2025 score file names none


@pytest.mark.parametrize(("edition", "digits", "developers"), [("2023-10", 0, 10), ("2024-05", 0, 14), ("2025-12", 1, 13)])
def test_fmti_means_follow_from_the_developer_totals(edition, digits, developers):
    totals = [s.total for s in o.fmti_scores() if s.edition == edition]
    assert len(totals) == developers
    assert round(sum(totals) / len(totals), digits) == o.fmti_means()[edition]


def test_fmti_caption_is_computed_from_the_table():
    text = o.fmti_caption()
    assert "mean 37" in text and "mean 58" in text and "mean 40.7" in text
    assert "Top in May 2024: BigCode / Hugging Face / ServiceNow (StarCoder), 85" in text
    assert "54 → 60" in text and "IBM 95 at the top" in text and "Midjourney and xAI 14" in text


def test_liesenfeld_totals_are_out_of_14():
    scores = o.liesenfeld_scores()
    assert scores["OLMo 7B"].total == 12.5 and scores["Llama 2"].total == 3.0 and scores["Llama 3"].total == 2.5
    assert "GPT-4" not in scores  # the index assessed ChatGPT (built on GPT-3.5), not GPT-4
    assert all(0 <= s.total <= s.out_of == 14 for s in scores.values())
    assert set(scores) <= {m.name for m in o.models()}


def test_class_progress_counts_towards_each_cumulative_class():
    ticked = CLASS_III[:-1]  # all of Class III but its last component
    progress = {p.mof_class: p for p in o.check_release(ticked, True).progress}
    assert [p.mof_class for p in o.check_release(ticked, True).progress] == [3, 2, 1]
    three = progress[3]
    assert (three.required, three.done, three.missing) == (len(o.required_for_class(3)), len(ticked), (CLASS_III[-1],))
    assert three.share == pytest.approx(three.done / three.required) and three.unmet_below == ()
    assert progress[2].unmet_below == (3,) and progress[1].unmet_below == (3, 2)
    own = {c.short_label for c in o.MOF_COMPONENTS if c.mof_class == 1 and c.name in o.required_for_class(1)}
    assert set(progress[1].own_missing) == own


def test_a_checked_release_carries_its_class_and_verdict():
    check = o.check_release(CLASS_III, False)
    assert check.mof_class == 3 and check.components == tuple(CLASS_III) and not check.licence_open
    assert check.osaid == o.osaid_from_release(CLASS_III, False)


def test_release_orders_follow_the_components_released():
    releases = o.models()
    by_released = o.sort_releases(releases, "Components released")
    scores = [o.released_score(m) for m in by_released]
    assert scores == sorted(scores, reverse=True)
    assert [m.name for m in o.sort_releases(releases, "Name (A-Z)")] == sorted((m.name for m in releases), key=str.casefold)
    classes = [m.mof_class or 4 for m in o.sort_releases(releases, "MOF class")]
    assert classes == sorted(classes)
    assert set(o.RELEASE_SORTS) == {"Name (A-Z)", "Components released", "MOF class"}


def test_fmti_orders_are_named_after_the_indices_in_the_data():
    first, second, *_ = o.fmti_editions()
    totals = o.fmti_totals()
    by_change = o.sort_developers(totals, o.fmti_sorts()[1])
    changes = [totals[d][second] - totals[d][first] for d in by_change if {first, second} <= set(totals[d])]
    assert changes == sorted(changes, reverse=True)
    assert all({first, second} <= set(totals[d]) for d in by_change[: len(changes)])  # the others go last
    by_second = o.sort_developers(totals, o.fmti_sorts()[0])
    assert [totals[d][second] for d in by_second if second in totals[d]] == sorted((t[second] for t in totals.values() if second in t), reverse=True)
    assert o.sort_developers(totals, o.FMTI_NAME_SORT) == sorted(totals, key=str.casefold)
