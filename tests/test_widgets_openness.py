"""aiopen.widgets.openness, driven in-kernel: change a control, see the figure or verdict change."""

from __future__ import annotations

import html

import ipywidgets as widgets
import plotly.graph_objects as go
import pytest

from aiopen.domain import openness as o
from aiopen.widgets import openness as w

CLASS_III_REQUIRED = o.required_for_class(3)


def test_checklist_has_17_checkboxes_in_three_class_columns():
    checklist = w.release_checklist()
    assert list(checklist.checkboxes) == [c.name for c in o.MOF_COMPONENTS]
    assert all(isinstance(box, widgets.Checkbox) and not box.value for box in checklist.checkboxes.values())
    assert "no class" in checklist.result.value and "does not meet" in checklist.result.value
    assert "aiopen-caption" in checklist.caption.value


def test_ticking_components_changes_the_mof_class_live():
    checklist = w.release_checklist()
    for name in CLASS_III_REQUIRED[:-1]:
        checklist.checkboxes[name].value = True
    assert "no class" in checklist.result.value and "missing: Tech report" in checklist.result.value
    checklist.checkboxes["Technical report"].value = True
    assert "MOF: Class III: Open Model" in checklist.result.value
    checklist.checkboxes["Technical report"].value = False
    assert "no class" in checklist.result.value


def test_licence_choice_flips_the_osaid_verdict():
    checklist = w.release_checklist()
    for name in ("Datasets", *o.OSAID_MAPPING[o.CODE][1], "Model parameters (Final)"):
        checklist.checkboxes[name].value = True
    assert "OSAID 1.0: meets" in checklist.result.value
    checklist.licence.value = False
    assert "OSAID 1.0: does not meet" in checklist.result.value
    assert "Missing: Code under an OSI licence, Parameters under open terms" in checklist.result.value


def test_presets_tick_the_sourced_components_and_reset():
    checklist = w.release_checklist()
    checklist.preset.value = "Weights only (open licence)"
    assert [n for n, b in checklist.checkboxes.items() if b.value] == ["Model parameters (Final)"]
    assert "Missing: Data information, Code under an OSI licence" in checklist.result.value
    checklist.preset.value = "Llama 2-style (as sourced)"
    assert {n for n, b in checklist.checkboxes.items() if b.value} == set(o.model("Llama 2").released)
    assert checklist.licence.value is False
    assert checklist.preset.value == w.EMPTY_PRESET
    assert checklist.status.value == ""


def test_heatmap_sort_changes_the_row_order():
    heatmap = w.openness_heatmap()
    assert isinstance(heatmap.figure, go.FigureWidget)
    by_released = list(heatmap.figure.data[0].y)
    assert by_released[0] == "Pythia" and set(by_released[:3]) == {"Pythia", "BLOOM", "OLMo 7B"}
    assert o.sort_releases(o.models(), "Components released")[-1].name == by_released[-1]
    heatmap.sort.value = "Name (A-Z)"
    by_name = list(heatmap.figure.data[0].y)
    assert by_name == sorted(by_released, key=str.casefold) and by_name != by_released
    assert len(heatmap.figure.data[0].z) == len(o.models()) >= 13 and len(heatmap.figure.data[0].z[0]) == 17


def test_heatmap_cells_match_the_data_and_carry_sources():
    heatmap = w.openness_heatmap()
    heatmap.sort.value = "Name (A-Z)"
    heat = heatmap.figure.data[0]
    row = list(heat.y).index("Llama 2")
    column = [c.name for c in o.MOF_COMPONENTS].index("Training code")
    assert heat.z[row][column] == w.STATUS_STYLE["no"][0] and heat.text[row][column] == "✗"
    hover = heat.customdata[row][column]
    assert "<b>kit</b>: meta-llama/llama README.md (commit 689c7f2)" in hover and "<b>MOT</b>" in hover and "<b>EOSAI</b>" in hover
    assert "read 2026-11-30" in hover and "checked" in hover
    granite = list(heat.y).index("Granite 3.0")
    unknown = [c.name for c in o.MOF_COMPONENTS].index("Data card")
    assert heat.text[granite][unknown] == "?" and "unknown, not 'no'" in heat.customdata[granite][unknown]
    assert {t.name for t in heatmap.figure.data[1:]} == {style[3] for style in w.STATUS_STYLE.values()}


def test_every_rated_heatmap_cell_names_its_sources_and_disputes_show_every_verdict():
    heatmap = w.openness_heatmap()
    heat = heatmap.figure.data[0]
    releases = {m.name: m for m in o.models()}
    disputed = 0
    for y, row in enumerate(heat.y):
        for x, component in enumerate(o.MOF_COMPONENTS):
            fact = releases[row].components[component.name]
            hover = heat.customdata[y][x]
            assert all(html.escape(v.provenance.source)[:40] in hover for v in fact.verdicts), (row, component.name)
            if fact.status == "disputed":
                disputed += 1
                assert heat.text[y][x] == "≠" and len({v.status for v in fact.verdicts}) > 1
                assert all(f"<b>{v.assessor}</b>" in hover for v in fact.verdicts)
    assert disputed > 0 and f"{disputed} disputed" in heatmap.caption.value
    assert f"{o.unknown_share(releases.values()):.0%} of cells unknown" in heatmap.caption.value


def test_sort_helpers_reject_unknown_orders():
    with pytest.raises(ValueError, match="Sort by one of"):
        o.sort_releases(o.models(), "by vibes")
    with pytest.raises(ValueError, match="Sort by one of"):
        o.sort_developers({}, "by vibes")


def test_fmti_chart_sorts_highlights_and_toggles_the_revised_index():
    chart = w.fmti_chart()
    oct23, may24, dec25 = chart.figure.data[1:]
    assert list(may24.y)[0] == "BigCode / Hugging Face / ServiceNow" and list(may24.x)[0] == 85
    assert dict(zip(oct23.y, oct23.x))["Meta"] == 54 and dict(zip(may24.y, may24.x))["Meta"] == 60
    assert dec25.visible is True and dict(zip(dec25.y, dec25.x))["IBM"] == 95  # the latest index is shown by default
    chart.show_revised.value = False
    assert dec25.visible is False and "xAI" not in chart.figure.layout.yaxis.categoryarray
    chart.sort.value = "Change Oct 2023 → May 2024"
    assert chart.figure.layout.yaxis.categoryarray[0] == "AI21 Labs"  # 25 -> 75
    chart.show_revised.value = True
    assert chart.figure.data[3].visible is True and "xAI" in chart.figure.layout.yaxis.categoryarray
    chart.highlight.value = "Meta"
    assert "<b>Meta</b>" in chart.figure.layout.yaxis.ticktext
    opacity = dict(zip(chart.figure.data[2].y, chart.figure.data[2].marker.opacity))
    assert opacity["Meta"] == 1.0 and opacity["OpenAI"] < 1.0
    assert "Source:" in chart.figure.data[1].customdata[0]
    assert o.fmti_caption()[:60] in chart.caption.value and "mean 40.7" in chart.caption.value
    assert o.fmti_sorts() == ("May 2024 total", "Change Oct 2023 → May 2024", "Oct 2023 total", "Developer name")


def test_lifecycle_comparison_shows_both_columns_with_sources():
    view = w.lifecycle_comparison()
    assert "Conventional open-source software" in view.table.value and "A typical \"open\" model release" in view.table.value
    assert all(f"[{n}]" in view.table.value for n in range(1, 5))
    assert "Llama 3.1 405B took 30.84M H100 GPU-hours" in view.table.value  # read from models.csv
    assert "OLMo 7B and Pythia:" in view.table.value and "read 2026-11-30" in view.table.value


def test_a_preset_moves_every_box_but_the_verdict_changes_once():
    checklist = w.release_checklist()
    changes = []
    checklist.observe(changes.append, "check")
    checklist.preset.value = f"Everything (all {len(o.MOF_COMPONENTS)})"
    assert len(changes) == 1 and changes[0]["new"].mof_class == 1
    assert all(box.value for box in checklist.checkboxes.values())
