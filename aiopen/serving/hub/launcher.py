"""``make workshop``: start a JupyterHub for a room, print how to reach it, stop everything on Ctrl-C.

The launcher becomes a child subreaper, builds the shared model cache once, saves the room's
settings and starts ``jupyterhub`` (its own session: Ctrl-C reaches only the launcher). On
Ctrl-C or SIGTERM it stops the learners' servers and kernels all at once, then the hub (which
stops its proxy), then anything of the run still alive (see :mod:`aiopen.serving.hub.processes`).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from aiopen.paths import DECK, NBEXTENSION_BUNDLE
from aiopen.serving.hub import processes
from aiopen.serving.hub.config import RUN_ENV, SETTINGS_ENV, write_server_config
from aiopen.serving.hub.homes import install_shared
from aiopen.serving.hub.settings import (
    KERNEL_IDLE_S,
    SERVER_IDLE_S,
    SettingsError,
    Workshop,
    check_username,
    passwords,
)
from aiopen.serving.launch import free_port, publish_widget_bundle, wait_until_up
from aiopen.serving.publish import is_loopback, shown_host

CONFIG_FILE = Path(__file__).with_name("jupyterhub_config.py")
TRUST_WARNING = (
    "One trust domain: every learner's server and kernels run as this machine's user {user!r}.\n"
    "A learner's code can read every other learner's files, kernel keys and tokens. Run rooms of\n"
    "people who trust each other; for isolation see docs/workshop.md (TLJH, DockerSpawner, Kubernetes)."
)


class Hub:
    """A running workshop hub and every process under it."""

    def __init__(self, workshop: Workshop, process: subprocess.Popen):
        self.workshop, self.process = workshop, process

    @property
    def url(self) -> str:
        return f"http://{shown_host(self.workshop.host)}:{self.workshop.port}"

    def pids(self) -> set[int]:
        """Every live process of this run: the launcher's descendants and every marked process."""
        return processes.descendants(os.getpid()) | processes.marked(RUN_ENV, self.workshop.run_id)

    def stop(self) -> set[int]:
        """Stop learners' servers and kernels at once, then the hub and its proxy, then any straggler."""
        hub_pid = self.process.pid
        learners = {pid for pid in self.pids() if processes.environment_of(pid).get("JUPYTERHUB_USER")}
        processes.stop(learners, grace_s=5)
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        return processes.stop(self.pids() | {hub_pid}, grace_s=5)


def start(workshop: Workshop) -> Hub:
    """Prepare what learners share and start the hub; return once its proxy answers."""
    processes.become_subreaper()
    install_shared()
    publish_widget_bundle(Path(sys.prefix) / "share" / "jupyter" / "nbextensions" / NBEXTENSION_BUNDLE)
    settings = workshop.save()
    write_server_config(workshop)
    env = {**os.environ, SETTINGS_ENV: str(settings), RUN_ENV: workshop.run_id}
    log_path = workshop.state / "hub.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(CONFIG_FILE)],
            cwd=workshop.state, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    hub = Hub(workshop, process)
    try:
        wait_until_up(f"http://127.0.0.1:{workshop.port}/hub/api/", process, timeout_s=120)
    except RuntimeError:
        hub.stop()
        raise RuntimeError(f"The hub did not start; its log is {log_path}.") from None
    return hub


def announce(hub: Hub) -> str:
    w = hub.workshop
    redirect = f"{hub.url}/hub/user-redirect"
    return (
        f"\nThe workshop hub is up. Learners open:\n\n    {hub.url}/\n\n"
        f"and log in with any name (lower-case letters, digits, '-' or '_') and the password:\n\n    {w.password}\n\n"
        f"Their exercises open in JupyterLab; the dashboard: {redirect}/voila/render/dashboard/dashboard.ipynb\n\n"
        f"Instructor (admin, gets the deck): log in as {w.instructor!r} with the admin password\n    {w.admin_password}\n"
        f"  the deck:  {redirect}/nbclassic/notebooks/{DECK}\n"
        f"  the room:  {hub.url}/hub/admin (restart a learner's server here)\n\n"
        f"Homes: {w.homes} (afterwards: python -m aiopen.serving collect, then make grade-class). Log: {w.state / 'hub.log'}.\n"
        f"A kernel idle for {KERNEL_IDLE_S // 60} min is shut down; a server with no kernel and no activity for "
        f"{SERVER_IDLE_S // 60} min stops itself (the learner's next visit starts it again).\n\n"
        + TRUST_WARNING.format(user=_user()) + "\n\nPress Ctrl-C to stop the hub, every learner's server and every kernel."
    )


def _user() -> str:
    import pwd

    return pwd.getpwuid(os.getuid()).pw_name


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def dry_run(hub: Hub, learners: int) -> bool:
    """Learners log in, each runs the sampling exercise's first cells and check("q1")."""
    from aiopen.serving.hub.client import visit

    names = [f"dryrun{index + 1}" for index in range(learners)]
    with ThreadPoolExecutor(max_workers=learners) as pool:
        visits = list(pool.map(lambda name: visit(hub.url, name, hub.workshop.password), names))
    for result in visits:
        verdict = f"passed check('q1') after {result.check_s:.1f} s (server ready in {result.spawn_s:.1f} s)" if result.passed else f"FAILED: {result.problem}"
        print(f"  {result.name}: {verdict}", flush=True)
    return all(result.passed for result in visits)


def run(port: int, host: str, trusted_room: bool, password: str | None, instructor: str, folder: Path, dry_run_learners: int = 0) -> int:
    """What ``make workshop`` runs: serve until Ctrl-C (or, for a dry run, until the learners checked)."""
    if not is_loopback(host) and not trusted_room:
        print(
            f"Refusing to serve beyond this machine ({host}) without TRUSTED_ROOM=1.\n"
            + TRUST_WARNING.format(user=_user())
            + "\nIf everyone in the room may see everyone's work, run: make workshop HOST=0.0.0.0 TRUSTED_ROOM=1",
            file=sys.stderr,
        )
        return 2
    try:
        check_username(instructor)
        learners_password, admin_password = passwords(folder, password)
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    if dry_run_learners:  # a rehearsal leaves the room's folder as it was
        folder = Path(tempfile.mkdtemp(prefix="aiopen-workshop-dry-run-"))
    workshop = Workshop(folder=folder.resolve(), port=free_port(port), host=host, password=learners_password,
                        admin_password=admin_password, instructor=instructor)
    print("Building the shared model cache if needed, then starting JupyterHub...", flush=True)
    # Ctrl-C and SIGTERM stop the room, even where SIGINT came ignored (a job started with `&` or nohup)
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    hub = None
    try:
        hub = start(workshop)
        if dry_run_learners:
            print(f"Dry run: {dry_run_learners} learner(s) log in and check q1 of the sampling exercise...", flush=True)
            return 0 if dry_run(hub, dry_run_learners) else 1
        print(announce(hub), flush=True)
        while hub.process.poll() is None:
            time.sleep(1)
            processes.reap()
        print(f"The hub stopped by itself (exit code {hub.process.returncode}); see {workshop.state / 'hub.log'}.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        if hub is not None:
            print("Stopping every learner's server and kernel, the proxy and the hub...", flush=True)
            left = hub.stop()
            print("Stopped." if not left else f"Could not stop processes {sorted(left)}.", flush=True)
        if dry_run_learners:
            shutil.rmtree(folder, ignore_errors=True)
