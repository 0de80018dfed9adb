"""A workshop room's settings: where its files go, its ports, its passwords, who may log in.

Saved in ``<folder>/hub/settings.json`` (readable by its owner only: it holds the passwords),
which the hub's configuration reads. Passwords are generated once and kept: restarting the
hub keeps the password the room already has, unless a new one is given.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import secrets
import socket
from dataclasses import asdict, dataclass, field
from pathlib import Path

from aiopen.paths import REPO_DIR

DEFAULT_FOLDER = REPO_DIR / "workshop"  # learners' homes and the hub's state; `make clean` keeps it
DEFAULT_PORT = 8000
DEFAULT_INSTRUCTOR = "instructor"
# A login name: lower case (the hub lowercases names), a letter first, at most 32 characters;
# no dot or slash, so it can never name a folder outside the homes folder.
USERNAME_PATTERN = r"^[a-z][a-z0-9_-]{0,31}$"
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # nothing that reads two ways on a projector
MIN_PASSWORD = 8  # JupyterHub's SharedPasswordAuthenticator requires at least 8 characters
ADMIN_PASSWORD_BYTES = 32  # and at least 32 for the admin password

# Timeouts that survive a login rush on two cores: spawning costs 4-5 CPU-seconds per learner,
# and JupyterHub's default 30 s HTTP timeout failed a quarter of 20 simultaneous logins.
START_TIMEOUT_S = 300
HTTP_TIMEOUT_S = 180
# Culling, room-friendly: a kernel idle for an hour is shut down (checked every 5 min), and a
# server with no kernel and no activity for an hour stops itself (the hub sees it gone).
KERNEL_IDLE_S = 3600
CULL_INTERVAL_S = 300
SERVER_IDLE_S = 3600


class SettingsError(ValueError):
    """A setting the room cannot run with; the message says what to do."""


def generate_password(groups: int = 3, size: int = 4) -> str:
    """A password a room can type from a projector, e.g. ``k7rw-p2xm-9fta``."""
    return "-".join("".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(size)) for _ in range(groups))


def system_accounts() -> set[str]:
    """Every account name this machine knows: no login may take one of them."""
    return {entry.pw_name.lower() for entry in pwd.getpwall()}


def check_username(name: str) -> str:
    if not re.fullmatch(USERNAME_PATTERN, name):
        raise SettingsError(f"{name!r} cannot be a login name: use a lower-case letter, then letters, digits, '-' or '_' (at most 32).")
    if name in system_accounts():
        raise SettingsError(f"{name!r} is an account on this machine; choose another name for the instructor.")
    return name


def os_free_port(host: str = "127.0.0.1") -> int:
    """A port the system says is free now (for the hub's internal servers)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Workshop:
    """One room: its folder, where it listens, its passwords and its run's marker."""

    folder: Path
    port: int
    host: str
    password: str
    admin_password: str
    instructor: str = DEFAULT_INSTRUCTOR
    hub_port: int = field(default_factory=os_free_port)
    proxy_api_port: int = field(default_factory=os_free_port)
    run_id: str = field(default_factory=lambda: secrets.token_hex(8))  # in every process's environment

    @property
    def homes(self) -> Path:
        return self.folder / "homes"

    @property
    def state(self) -> Path:
        return self.folder / "hub"

    @property
    def settings_file(self) -> Path:
        return self.state / "settings.json"

    def save(self) -> Path:
        self.state.mkdir(parents=True, exist_ok=True)
        self.homes.mkdir(parents=True, exist_ok=True)
        fields = {**asdict(self), "folder": str(self.folder)}
        descriptor = os.open(self.settings_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            json.dump(fields, out, indent=1)
        return self.settings_file

    @classmethod
    def load(cls, path: Path) -> Workshop:
        fields = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(**{**fields, "folder": Path(fields["folder"])})


def passwords(folder: Path, password: str | None) -> tuple[str, str]:
    """The learners' password (``password``, else the room's saved one, else a new one) and the admin's."""
    if password is not None and len(password) < MIN_PASSWORD:
        raise SettingsError(f"The password must have at least {MIN_PASSWORD} characters (JupyterHub's rule).")
    saved_file = folder / "hub" / "settings.json"
    saved = json.loads(saved_file.read_text(encoding="utf-8")) if saved_file.is_file() else {}
    learners = password or saved.get("password") or generate_password()
    admin = saved.get("admin_password") or secrets.token_urlsafe(ADMIN_PASSWORD_BYTES)
    if admin == learners:
        raise SettingsError("The learners' password cannot be the instructor's.")
    return learners, admin
