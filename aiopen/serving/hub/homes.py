"""What every learner of an installation shares, and what each learner's home starts with.

Shared (built once, for every user of this Python): the model's weight cache, readable by all
and read-only (every kernel memory-maps the same files instead of rebuilding 517 MB in its
home), and, for an installation that is not a clone (an image), a copy of the material.
Each home gets ``exercises/`` and ``dashboard/`` on first login, the instructor's also
``slides/`` (the deck); a file already there is never overwritten, so seeding again (every
login does) only adds what is missing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from aiopen.domain import gguf_loader
from aiopen.paths import INSTRUCTOR_MATERIAL, LEARNER_MATERIAL, SHARED_DIR, material_dir


def install_shared(material_from: Path | None = None) -> list[Path]:
    """Build the shared model cache and, given a clone, copy its material beside it; return what was made.

    An image needs the copy: it installs the kit non-editable, and a hub mounts each learner's
    home over the folder the clone was built in.
    """
    made = [gguf_loader.build_shared_cache()]
    if material_from is not None:
        copy = SHARED_DIR / "material"
        for name in (*LEARNER_MATERIAL, *INSTRUCTOR_MATERIAL):
            shutil.copytree(material_from / name, copy / name, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        made.append(copy)
    return made


def seed_home(home: Path, instructor: bool = False, source: Path | None = None) -> list[Path]:
    """Copy the material a learner (or the instructor) starts with into ``home``; return the files added.

    Files that already exist are left alone: a learner's work is never overwritten.
    """
    source = material_dir() if source is None else source
    added = []
    for name in LEARNER_MATERIAL + (INSTRUCTOR_MATERIAL if instructor else ()):
        for path in sorted((source / name).rglob("*")):
            if not path.is_file() or ".ipynb_checkpoints" in path.parts:
                continue
            target = home / path.relative_to(source)
            if target.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            added.append(target)
    return added


def collect(homes: Path, out: Path) -> list[Path]:
    """Copy every learner's exercise notebooks to ``out/<learner>/`` (the layout ``make grade-class`` reads).

    Only ``exercises/*.ipynb`` of each home: not the dashboard, the deck or checkpoints.
    """
    copied = []
    for notebook in sorted(homes.glob("*/exercises/*.ipynb")):
        learner = notebook.parent.parent.name
        target = out / learner / notebook.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(notebook, target)
        copied.append(target)
    return copied
