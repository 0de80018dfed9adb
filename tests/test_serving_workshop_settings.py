"""make workshop's rules without a hub: who may log in, the passwords, what a home gets, and the
refusal to serve beyond this machine unless the room is declared trusted."""

from __future__ import annotations

import json
import re

import pytest

from aiopen.paths import REPO_DIR
from aiopen.serving.hub import settings
from aiopen.serving.hub.homes import seed_home
from aiopen.serving.hub.launcher import run
from aiopen.serving.hub.settings import SettingsError, Workshop, check_username, generate_password, passwords


@pytest.mark.parametrize("name", ["ada", "grace-hopper", "l1nus", "x_y", "a" * 32])
def test_plain_names_may_log_in(name):
    assert re.fullmatch(settings.USERNAME_PATTERN, name) and check_username(name) == name


@pytest.mark.parametrize("name", ["root", "daemon", "nobody", "../etc", "a/b", ".hidden", "Ada", "1st", "a" * 33, "", "a b", "ä"])
def test_system_accounts_and_paths_may_not(name):
    with pytest.raises(SettingsError):
        check_username(name)


def test_every_system_account_is_blocked():
    assert {"root", "daemon", "nobody"} <= settings.system_accounts()


def test_a_generated_password_is_long_enough_and_unambiguous():
    words = {generate_password() for _ in range(50)}
    assert len(words) == 50  # never the same twice in 50
    for word in words:
        assert len(word) >= settings.MIN_PASSWORD and set(word) <= set(settings.PASSWORD_ALPHABET + "-")
        assert not set(word) & set("0O1lI")


def test_passwords_are_kept_across_restarts_unless_given(tmp_path):
    first, admin = passwords(tmp_path, None)
    assert len(admin) >= 32 and admin != first  # JupyterHub's rules for the admin password
    Workshop(folder=tmp_path, port=8000, host="127.0.0.1", password=first, admin_password=admin).save()
    assert passwords(tmp_path, None) == (first, admin)
    assert passwords(tmp_path, "a-new-password") == ("a-new-password", admin)
    assert (tmp_path / "hub" / "settings.json").stat().st_mode & 0o777 == 0o600  # it holds the passwords
    with pytest.raises(SettingsError, match="at least 8"):
        passwords(tmp_path, "short")


def test_settings_round_trip(tmp_path):
    workshop = Workshop(folder=tmp_path, port=8123, host="127.0.0.1", password="p" * 8, admin_password="a" * 40)
    assert Workshop.load(workshop.save()) == workshop
    assert json.loads(workshop.settings_file.read_text())["port"] == 8123


def test_a_home_gets_the_exercises_and_keeps_its_own_work(tmp_path):
    own = tmp_path / "exercises" / "02_sampling.ipynb"
    own.parent.mkdir(parents=True)
    own.write_text("my work")
    added = seed_home(tmp_path)
    exercises = sorted(p.name for p in (REPO_DIR / "exercises").glob("*.ipynb"))
    assert sorted(p.name for p in (tmp_path / "exercises").glob("*.ipynb")) == exercises
    assert own.read_text() == "my work" and own not in added
    assert (tmp_path / "dashboard" / "dashboard.ipynb").is_file() and not (tmp_path / "slides").exists()
    assert seed_home(tmp_path) == []  # a second login adds nothing


def test_the_instructor_also_gets_the_deck_and_its_theme(tmp_path):
    seed_home(tmp_path, instructor=True)
    assert {"ai_in_the_open.ipynb", "rise.css", "ai_in_the_open.css"} <= {p.name for p in (tmp_path / "slides").iterdir()}


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::"])
def test_serving_beyond_this_machine_needs_a_trusted_room(host, tmp_path, capsys):
    assert run(8000, host, trusted_room=False, password=None, instructor="instructor", folder=tmp_path) == 2
    message = capsys.readouterr().err
    assert "TRUSTED_ROOM=1" in message and "One trust domain" in message
    assert not (tmp_path / "hub").exists()  # refused before anything started


def test_an_instructor_name_that_is_a_system_account_is_refused(tmp_path, capsys):
    assert run(8000, "127.0.0.1", trusted_room=False, password=None, instructor="root", folder=tmp_path) == 2
    assert "account on this machine" in capsys.readouterr().err


def test_collect_takes_each_learners_exercises_only(tmp_path):
    from aiopen.serving.hub.homes import collect

    for name in ("ada", "grace"):
        seed_home(tmp_path / "homes" / name, instructor=name == "grace")
        (tmp_path / "homes" / name / "exercises" / ".ipynb_checkpoints").mkdir()
        (tmp_path / "homes" / name / "exercises" / ".ipynb_checkpoints" / "01_openness-checkpoint.ipynb").write_text("{}")
    copied = collect(tmp_path / "homes", tmp_path / "out")
    exercises = sorted(p.name for p in (REPO_DIR / "exercises").glob("*.ipynb"))
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in copied) == sorted(f"{n}/{e}" for n in ("ada", "grace") for e in exercises)
