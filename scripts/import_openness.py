"""Rebuild ``aiopen/domain/data/openness_framework_evaluations.csv`` from the published evaluations.

Two frameworks publish per-model, per-component openness evaluations as files in git
repositories. This script reads them at pinned commits from local checkouts and writes
one CSV row per (kit release, MOF component, framework), with the file, commit and
date of the evaluation as the source. It never copies the files themselves.

* LF AI & Data **Model Openness Tool** (MOT): ``models/<name>.yml`` in
  github.com/lfai/model_openness_tool. A component the file lists is "included in the
  distribution" (status ``yes``; its licence goes in the value); one it does not list is
  "not included" (``no``), as the MOT itself shows it. A listed component whose licence
  reads "Component not included" is ``no``, and so is one listed under a licence named
  "Proprietary" (the kit's reading: listed, but under terms that give no access, as the
  MOT files for GPT-3 and GPT-4 do for their weights).
* **European Open Source AI Index** (EOSAI, Liesenfeld & Dingemanse): per-criterion
  ``open`` / ``partial`` / ``closed`` classes, in its FAccT-era database
  (github.com/opening-up-chatgpt/opening-up-chatgpt.github.io ``projects/*.yaml``) and
  its successor (github.com/Language-Technology-Assessment/main-database). The index
  re-evaluates the newest member of a family, so each kit release uses the commit whose
  entry evaluated that release. Criteria map onto MOF components as in ``EOSAI_MAP``
  (the kit's reading; neither framework publishes a mapping): open -> ``yes``,
  partial -> ``partial``, closed -> ``no``.

Usage (each path is a git checkout or a bare clone that contains the pinned commit)::

    python scripts/import_openness.py --mot PATH --eosai-facct PATH --eosai PATH [--accessed YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import csv
import datetime
import subprocess
import sys
from pathlib import Path

import yaml

OUT = Path(__file__).resolve().parents[1] / "aiopen" / "domain" / "data" / "openness_framework_evaluations.csv"
COLUMNS = ("model", "component", "status", "framework", "evaluated", "criterion", "value", "source", "published", "accessed", "verification", "notes")

MOF_COMPONENTS = (  # MOF order, as aiopen/domain/data/openness_mof_components.csv
    "Model architecture", "Model parameters (Final)", "Evaluation results", "Model card", "Data card", "Technical report",
    "Sample model outputs", "Training code", "Inference code", "Evaluation code", "Evaluation data",
    "Supporting libraries and tools", "Research paper", "Datasets", "Data preprocessing code",
    "Model parameters (Intermediate)", "Model metadata",
)

MOT_REPO = "github.com/lfai/model_openness_tool"
MOT_COMMIT = "8b5d30e90a7c62d7d6ece48b91e69ff495920a4d"
MOT_FILES = {  # kit release -> MOT model file (the MOT evaluates one size of a family)
    "Llama 2": "Llama-2-7B", "Llama 3": "Llama-3-8B", "Llama 3.1": "Llama-3.1-8B", "Mistral 7B": "Mistral-7B-v0.1",
    "Falcon 40B": "Falcon-40B", "Falcon 180B": "Falcon-180B", "BLOOM": "BLOOM", "OLMo 7B": "OLMo-7B",
    "Pythia": "Pythia-6.9B", "Phi-2": "Phi-2", "Gemma": "gemma-7b", "GPT-3": "GPT-3", "GPT-4": "GPT-4",
}

FACCT_REPO = "github.com/opening-up-chatgpt/opening-up-chatgpt.github.io"
FACCT_COMMIT = "801f68773ae7f7d9e527afb7bbaf3e9d8d29f2fb"
EOSAI_REPO = "github.com/Language-Technology-Assessment/main-database"
EOSAI_COMMIT = "463ba045863aa54efe4d0532d72401ff8307b0d6"  # 2025-06-09: its SmolLM entry still evaluates SmolLM2
BASE_ONLY = ("llmdata", "llmweights", "datasources_basemodel", "weights_basemodel")
EOSAI_FILES = {  # kit release -> (database, file, criteria used); base-only where another developer built the evaluated end model
    "Llama 2": ("facct", "projects/llama-2-chat.yaml", None),
    "Llama 3": ("facct", "projects/llama-3-instruct.yaml", None),
    "Llama 3.1": ("facct", "projects/llama-3.1.yaml", None),
    "Mistral 7B": ("facct", "projects/mistral-7B.yaml", None),
    "Falcon 40B": ("facct", "projects/Falcon-40B-instruct.yaml", None),
    "Falcon 180B": ("facct", "projects/Falcon-180B-chat.yaml", None),
    "BLOOM": ("facct", "projects/bloomz.yaml", None),
    "OLMo 7B": ("facct", "projects/olmo-7b-instruct.yaml", None),
    "Pythia": ("facct", "projects/pythia-chat-base-7B.yaml", BASE_ONLY),  # end model by Together, base Pythia
    "Phi-3": ("facct", "projects/phi-3-instruct.yaml", None),
    "Gemma": ("facct", "projects/gemma-instruct.yaml", None),
    "SmolLM2": ("eosai", "smollm.yaml", None),
}
EOSAI_MAP = {  # criterion (FAccT-era name or current name) -> MOF component
    "opencode": "Training code", "trainingcode": "Training code",
    "llmdata": "Datasets", "datasources_basemodel": "Datasets",
    "llmweights": "Model parameters (Final)", "weights_basemodel": "Model parameters (Final)",
    "preprint": "Research paper",
    "modelcard": "Model card",
    "datasheet": "Data card",
}
EOSAI_STATUS = {"open": "yes", "partial": "partial", "closed": "no"}


def git_show(checkout: Path, commit: str, path: str) -> str:
    return subprocess.run(["git", "-C", str(checkout), "show", f"{commit}:{path}"], check=True, capture_output=True, text=True).stdout


def git_date(checkout: Path, commit: str, path: str) -> str:
    """Date of the last commit that changed ``path`` at ``commit``: when that evaluation was published."""
    out = subprocess.run(["git", "-C", str(checkout), "log", "-1", "--format=%cs", commit, "--", path], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def _short(text: object, limit: int = 160) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mot_statuses(text: str) -> tuple[str, dict[str, tuple[str, str]]]:
    """An MOT model file -> (release name, {MOF component: (status, the MOT's own value)})."""
    release = yaml.safe_load(text)["release"]
    licence = (release.get("license") or {}).get("distribution", {}) or {}
    listed = {c["name"]: c for c in release.get("components") or []}
    unknown = set(listed) - set(MOF_COMPONENTS)
    if unknown:
        raise ValueError(f"{release['name']}: components not in the MOF: {sorted(unknown)}")
    statuses = {}
    for component in MOF_COMPONENTS:
        entry = listed.get(component)
        terms = (entry or {}).get("license") or licence.get("name") or "none given"
        included = entry is not None and not any(word in str(terms).casefold() for word in ("not included", "proprietary"))
        if included:
            statuses[component] = ("yes", f"included (licence: {_short(terms, 60)})")
        else:
            statuses[component] = ("no", "listed as proprietary" if entry is not None and "proprietary" in str(terms).casefold() else "not included")
    return release["name"], statuses


def eosai_statuses(text: str, criteria: tuple[str, ...] | None = None) -> tuple[str, dict[str, tuple[str, str, str, str]]]:
    """An EOSAI entry -> (evaluated system, {MOF component: (status, class, criterion, the index's note)})."""
    entry = yaml.safe_load(text)
    system = entry.get("project") or entry.get("system") or {}
    statuses = {}
    for criterion, component in EOSAI_MAP.items():
        if criterion not in entry or (criteria and criterion not in criteria):
            continue
        grade = str((entry[criterion] or {}).get("class") or "").strip()
        if grade in EOSAI_STATUS:  # an empty class means "not rated"
            statuses[component] = (EOSAI_STATUS[grade], grade, criterion, _short((entry[criterion] or {}).get("notes")))
    return system.get("endmodelname") or system.get("name") or "", statuses


def mot_rows(checkout: Path, accessed: str) -> list[dict[str, str]]:
    rows = []
    for model, name in MOT_FILES.items():
        path = f"models/{name}.yml"
        evaluated, statuses = mot_statuses(git_show(checkout, MOT_COMMIT, path))
        published = git_date(checkout, MOT_COMMIT, path)
        for component, (status, value) in statuses.items():
            rows.append({
                "model": model, "component": component, "status": status, "framework": "MOT", "evaluated": evaluated,
                "criterion": component, "value": value,
                "source": f"LF AI & Data Model Openness Tool, {MOT_REPO} {path} (commit {MOT_COMMIT[:7]})",
                "published": published, "accessed": accessed, "verification": "checked",
                "notes": "Community-submitted MOT evaluation; a component it does not list counts as not included.",
            })
    return rows


def eosai_rows(checkouts: dict[str, Path], accessed: str) -> list[dict[str, str]]:
    pinned = {"facct": (FACCT_REPO, FACCT_COMMIT), "eosai": (EOSAI_REPO, EOSAI_COMMIT)}
    rows = []
    for model, (database, path, criteria) in EOSAI_FILES.items():
        repo, commit = pinned[database]
        evaluated, statuses = eosai_statuses(git_show(checkouts[database], commit, path), criteria)
        published = git_date(checkouts[database], commit, path)
        for component, (status, grade, criterion, note) in statuses.items():
            rows.append({
                "model": model, "component": component, "status": status, "framework": "EOSAI", "evaluated": evaluated or path,
                "criterion": criterion, "value": grade,
                "source": f"European Open Source AI Index (Liesenfeld & Dingemanse), {repo} {path} (commit {commit[:7]})",
                "published": published, "accessed": accessed, "verification": "derived",
                "notes": f"The kit maps EOSAI '{criterion}' to this MOF component. EOSAI: {note}",
            })
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mot", type=Path, required=True, help="checkout of lfai/model_openness_tool")
    parser.add_argument("--eosai-facct", type=Path, required=True, help="checkout of opening-up-chatgpt/opening-up-chatgpt.github.io")
    parser.add_argument("--eosai", type=Path, required=True, help="checkout of Language-Technology-Assessment/main-database")
    parser.add_argument("--accessed", default=datetime.date.today().isoformat(), help="date the sources were read (YYYY-MM-DD)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    rows = mot_rows(args.mot, args.accessed) + eosai_rows({"facct": args.eosai_facct, "eosai": args.eosai}, args.accessed)
    with args.out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
