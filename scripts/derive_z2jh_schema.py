"""Derive the schema that tests/test_kit_deploy.py checks deploy/z2jh/values.yaml against, from the
values schema Zero to JupyterHub publishes with its Helm chart.

    python scripts/derive_z2jh_schema.py --schema PATH/values.schema.yaml --chart-version 4.4.0 --commit SHA

PATH is a local clone of jupyterhub/zero-to-jupyterhub-k8s at the chart's tag (its
``jupyterhub/values.schema.yaml``, with ``Chart.yaml`` beside it for the hub's JupyterHub version; the chart ships the same schema as ``values.schema.json``,
descriptions removed). Nothing of theirs is committed: the output keeps, at every level that
the kit's values file reaches, the names of all the settings the chart allows there (so a
misspelt key fails, as ``additionalProperties: false`` makes it fail in helm), the full rules of
every setting the file sets, and nothing else (no descriptions). ``required`` is kept only where
the kit's file gives every required key itself: helm checks the user's values merged with the
chart's defaults, which supply the rest.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import jsonschema
import yaml

REPO = Path(__file__).resolve().parent.parent
VALUES = REPO / "deploy" / "z2jh" / "values.yaml"
OUT = REPO / "deploy" / "z2jh" / "values.schema.derived.json"
SUBSCHEMA_LISTS = ("oneOf", "anyOf", "allOf")


def strip(node: object) -> object:
    """A copy of a schema without descriptions (a setting named ``description`` is kept)."""
    if not isinstance(node, dict):
        return node
    out = {key: value for key, value in node.items() if key != "description"}
    for key in ("properties", "patternProperties"):
        if key in out:
            out[key] = {name: strip(sub) for name, sub in out[key].items()}
    for key in ("items", "additionalProperties", "not"):
        if isinstance(out.get(key), dict):
            out[key] = strip(out[key])
    for key in SUBSCHEMA_LISTS:
        if key in out:
            out[key] = [strip(sub) for sub in out[key]]
    return out


def prune(schema: dict, value: object) -> dict:
    """The part of ``schema`` that judges ``value``: see the module's docstring."""
    node = strip({key: item for key, item in schema.items() if key != "properties"})
    if not isinstance(value, dict):
        return strip(schema)
    if "required" in node and not set(node["required"]) <= set(value):
        del node["required"]
    if "properties" in schema:
        node["properties"] = {name: prune(sub, value[name]) if name in value else {} for name, sub in schema["properties"].items()}
    return node


def derive(schema: dict, values: dict, chart_version: str, commit: str, app_version: str) -> dict:
    derived = prune(schema, values)
    derived["$comment"] = (
        f"Derived (scripts/derive_z2jh_schema.py) from jupyterhub/zero-to-jupyterhub-k8s, "
        f"jupyterhub/values.schema.yaml at {commit} (chart {chart_version}): the levels deploy/z2jh/values.yaml reaches."
    )
    derived["x-source"] = {
        "repository": "jupyterhub/zero-to-jupyterhub-k8s", "path": "jupyterhub/values.schema.yaml",
        "commit": commit, "chart_version": chart_version, "jupyterhub_version": app_version, "verification": "derived",
    }
    return derived


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schema", type=Path, required=True)
    parser.add_argument("--chart-version", required=True)
    parser.add_argument("--commit", required=True)
    args = parser.parse_args(argv)
    schema = yaml.safe_load(args.schema.read_text(encoding="utf-8"))
    values = yaml.safe_load(VALUES.read_text(encoding="utf-8"))
    app_version = yaml.safe_load((args.schema.parent / "Chart.yaml").read_text(encoding="utf-8"))["appVersion"]
    derived = derive(schema, values, args.chart_version, args.commit, app_version)
    jsonschema.Draft7Validator(derived).validate(values)  # the kit's file passes what was derived for it
    OUT.write_text(json.dumps(derived, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(REPO)} ({OUT.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
