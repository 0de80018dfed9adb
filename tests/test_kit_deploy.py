"""The Zero to JupyterHub values (deploy/z2jh/values.yaml) against the schema derived from the
chart's published one, with a table of broken values that must fail; and the values agree with
what `make workshop` does (one source for timeouts, culling, login names, threads, seeding)."""

from __future__ import annotations

import copy
import json
import re

import jsonschema
import pytest
import yaml
from packaging.specifiers import SpecifierSet

from aiopen.paths import REPO_DIR
from aiopen.serving.hub import settings
from aiopen.serving.hub.config import ONE_THREAD, server_config

VALUES = yaml.safe_load((REPO_DIR / "deploy" / "z2jh" / "values.yaml").read_text())
SCHEMA = json.loads((REPO_DIR / "deploy" / "z2jh" / "values.schema.derived.json").read_text())


def errors(values: dict) -> list[str]:
    return [error.message for error in jsonschema.Draft7Validator(SCHEMA).iter_errors(values)]


def test_the_schema_is_a_valid_draft7_schema_that_names_its_source():
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    source = SCHEMA["x-source"]
    assert source["repository"] == "jupyterhub/zero-to-jupyterhub-k8s" and source["path"] == "jupyterhub/values.schema.yaml"
    assert re.fullmatch(r"[0-9a-f]{40}", source["commit"]) and source["verification"] == "derived"
    assert "description" not in json.dumps(SCHEMA)  # rules only, none of the chart's prose


def test_the_values_file_is_valid():
    assert errors(VALUES) == []


def _set(values: dict, path: str, value: object) -> dict:
    broken = copy.deepcopy(values)
    *parents, last = path.split(".")
    node = broken
    for key in parents:
        node = node.setdefault(key, {})
    if value is DELETE:
        del node[last]
    else:
        node[last] = value
    return broken


DELETE = object()
BROKEN = {
    "a misspelt top-level key": ("singleusr.memory", {"limit": "1G"}),
    "a misspelt nested key": ("singleuser.memmory", {"limit": "1G"}),
    "a misspelt cull key": ("cull.timout", 3600),
    "a timeout in words": ("cull.timeout", "an hour"),
    "a CPU limit as text": ("singleuser.cpu.limit", "one"),
    "an image without its tag": ("singleuser.image.tag", DELETE),
    "a hub config key that is not a class": ("hub.config.sharedPasswordAuthenticator", {"allow_all": True}),
    "a file without its mount path": ("singleuser.extraFiles.kernel-culling.mountPath", DELETE),
    "placeholders as text": ("scheduling.userPlaceholder.replicas", "20"),
}


@pytest.mark.parametrize("path, value", BROKEN.values(), ids=BROKEN.keys())
def test_broken_values_fail(path, value):
    assert errors(_set(VALUES, path, value)), f"{path} = {value!r} passed the schema"


def test_the_image_runs_the_jupyterhub_the_chart_runs():
    """The single-user server in the image (environment.yml) must accept the chart's hub version."""
    environment = yaml.safe_load((REPO_DIR / "environment.yml").read_text())
    spec = next(d for d in environment["dependencies"] if isinstance(d, str) and d.startswith("jupyterhub "))
    assert SpecifierSet(spec.split(" ", 1)[1].replace(" ", "")).contains(SCHEMA["x-source"]["jupyterhub_version"])


def test_the_values_do_what_make_workshop_does():
    hub, single = VALUES["hub"]["config"], VALUES["singleuser"]
    assert hub["JupyterHub"]["authenticator_class"] == "shared-password"
    assert hub["SharedPasswordAuthenticator"]["username_pattern"] == settings.USERNAME_PATTERN
    assert "user_password" not in hub["SharedPasswordAuthenticator"]  # given at install, never stored
    assert hub["KubeSpawner"]["http_timeout"] == settings.HTTP_TIMEOUT_S
    assert single["startTimeout"] == settings.START_TIMEOUT_S
    assert VALUES["cull"] == {"enabled": True, "timeout": settings.SERVER_IDLE_S, "every": settings.CULL_INTERVAL_S}
    assert VALUES["cull"]["timeout"] > 300  # activity reaches the hub every 300 s
    culling = single["extraFiles"]["kernel-culling"]["data"]["MappingKernelManager"]
    assert culling == server_config()["MappingKernelManager"]
    assert {name: single["extraEnv"][name] for name in ONE_THREAD} == dict.fromkeys(ONE_THREAD, "1")
    seed = " ".join(single["lifecycleHooks"]["postStart"]["exec"]["command"])
    assert "python -m aiopen.serving seed" in seed and "--instructor" in seed
    assert hub["SharedPasswordAuthenticator"]["admin_users"] == [settings.DEFAULT_INSTRUCTOR]
    assert VALUES["prePuller"]["hook"]["enabled"] and VALUES["scheduling"]["userPlaceholder"]["enabled"]
