"""A real workshop hub, as `make workshop` starts it: three learners log in through the hub's
REST API and pass check("q1") in their own kernels; Ctrl-C leaves no process and no port.

Every process of the run is recorded while it runs, two independent ways (the launcher's
descendants, and every process whose environment carries the run's id), with every port
they listen on; after Ctrl-C each of them must be gone and each port free.
"""

from __future__ import annotations

import re
import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
import requests

from aiopen.paths import MODEL_CACHE_DIR
from aiopen.serving.hub import processes
from aiopen.serving.hub.client import Learner, visit
from aiopen.serving.hub.config import RUN_ENV
from hub_support import start_launcher, stop_launcher

pytestmark = [pytest.mark.hub, pytest.mark.model]

PASSWORD = "room-pass-42"
LEARNERS = ["ada", "grace", "linus"]
REFUSED_NAMES = ["root", "daemon", "../etc", "ada/../../x", "a" * 40]


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def refused(url: str, name: str, password: str) -> bool:
    try:
        Learner(url, name, password).log_in()
    except PermissionError:
        return True
    return False


def probe_kernel(url: str, name: str) -> list[str]:
    """Where a learner's kernel runs, which model cache it reads, its BLAS threads and plotly's
    bundle path; and the pid of a daemon it left behind."""
    learner = Learner(url, name, PASSWORD)
    learner.log_in()
    learner.start_server()
    kernel = learner.start_kernel()
    try:
        return kernel.run(
            "import os\nfrom aiopen.domain import gguf_loader\n"
            "print(os.getcwd()); print(gguf_loader.cache_dir(gguf_loader.model_path()))\n"
            "print(os.environ['OPENBLAS_NUM_THREADS'], os.environ['AIOPEN_PLOTLY_ESM'])\n"
            # a daemon that leaves its session and its environment behind: double-forked, env -i
            "import subprocess\n"
            "print(subprocess.run(['env', '-i', 'setsid', 'sh', '-c', 'sleep 600 >/dev/null 2>&1 & echo $!'], capture_output=True, text=True).stdout.strip())"
        ).text.splitlines()
    finally:
        kernel.close()


def dashboard_page(url: str, name: str) -> tuple[int, str]:
    """The dashboard as a learner's own server renders it with Voila (the room's dashboard road)."""
    learner = Learner(url, name, PASSWORD)
    learner.log_in()
    learner.start_server()
    answer = requests.get(
        f"{url}/user/{name}/voila/render/dashboard/dashboard.ipynb",
        headers={"Authorization": f"token {learner.get_token()}"}, timeout=180,
    )
    return answer.status_code, answer.text


@pytest.fixture(scope="module")
def room(tmp_path_factory) -> dict:
    """The whole run, recorded: start the hub, three learners, the probes, every process and
    port seen while it ran, then Ctrl-C. Each test asserts on one part of the record."""
    folder = tmp_path_factory.mktemp("workshop")
    own_work = folder / "homes" / "ada" / "exercises" / "02_sampling.ipynb"
    own_work.parent.mkdir(parents=True)
    own_work.write_text("ada's own work", encoding="utf-8")  # must survive the seeding
    launcher, url, settings = start_launcher(folder, PASSWORD, 8700)
    try:
        announced = (folder / "launcher.log").read_text()
        with ThreadPoolExecutor(max_workers=len(LEARNERS)) as pool:
            visits = list(pool.map(lambda name: visit(url, name, PASSWORD), LEARNERS))
        kernel_probe = probe_kernel(url, "grace")
        dashboard = dashboard_page(url, "linus")
        refusals = {name: refused(url, name, PASSWORD) for name in REFUSED_NAMES}
        refusals["mallory with a wrong password"] = refused(url, "mallory", "not-the-password")
        pids = processes.descendants(launcher.pid) | processes.marked(RUN_ENV, settings["run_id"])
        ports = processes.listening_ports(pids)
        learner_pids = {pid for pid in pids if processes.environment_of(pid).get("JUPYTERHUB_USER") in LEARNERS}
        exit_code = stop_launcher(launcher)  # Ctrl-C
    finally:
        stop_launcher(launcher)  # after a failure above, too
    return {
        "folder": folder, "url": url, "settings": settings, "announced": announced, "own_work": own_work,
        "visits": visits, "kernel_probe": kernel_probe, "refusals": refusals, "pids": pids, "ports": ports,
        "learner_pids": learner_pids, "dashboard": dashboard, "exit_code": exit_code, "stopped_log": (folder / "launcher.log").read_text(),
    }


def test_the_launcher_prints_the_url_the_password_and_the_trust_warning(room):
    text = room["announced"]
    assert f"{room['url']}/" in text and PASSWORD in text
    assert room["settings"]["admin_password"] in text and "'instructor'" in text
    assert "One trust domain" in text and "can read every other learner's files" in text


def test_three_learners_log_in_and_pass_check_q1_in_their_own_kernels(room):
    assert [v.problem for v in room["visits"]] == [""] * len(LEARNERS)
    assert all(v.passed for v in room["visits"])
    homes = room["folder"] / "homes"
    for name in LEARNERS:
        assert (homes / name / "exercises" / "01_openness.ipynb").is_file()
        assert (homes / name / "dashboard" / "dashboard.ipynb").is_file()
        assert not (homes / name / "slides").exists()  # the deck is the instructor's
        assert not (homes / name / ".cache" / "aiopen").exists()  # nobody rebuilt the model
    assert room["own_work"].read_text() == "ada's own work"  # seeding never overwrites
    nbformat.read(homes / "grace" / "exercises" / "02_sampling.ipynb", as_version=4)


def test_a_learners_kernel_runs_in_the_home_with_the_shared_cache_and_one_blas_thread(room):
    cwd, cache, threads, _daemon = room["kernel_probe"]
    assert Path(cwd) == room["folder"] / "homes" / "grace"
    assert Path(cache).parent == MODEL_CACHE_DIR
    assert all(path.stat().st_mode & 0o777 == 0o444 for path in Path(cache).iterdir())
    blas, bundle = threads.split()
    assert blas == "1" and bundle.startswith("nbextensions/")  # relative: the page puts /user/grace/ first


def test_each_learners_server_renders_the_dashboard_with_the_kits_offline_template(room):
    status, html = room["dashboard"]
    assert status == 200
    assert "aiopen-dashboard" in html  # the kit's Voila template, not the stock one
    assert not re.findall(r"""(?:src|href)=["']https?://(?!127\.0\.0\.1)""", html)  # nothing from a CDN


def test_a_login_cannot_reach_a_system_account_leave_the_homes_folder_or_skip_the_password(room):
    assert room["refusals"] == {name: True for name in room["refusals"]}


def test_ctrl_c_stops_the_hub_the_proxy_every_server_and_kernel_and_frees_every_port(room):
    settings = room["settings"]
    assert {settings["port"], settings["hub_port"], settings["proxy_api_port"]} <= room["ports"]
    assert len(room["learner_pids"]) >= 2 * len(LEARNERS)  # at least a server and a kernel each
    assert len(room["ports"]) >= 3 + len(LEARNERS)  # the proxy, its API, the hub, a server each
    assert room["exit_code"] == 0 and "Stopped." in room["stopped_log"]
    daemon = int(room["kernel_probe"][-1])
    assert daemon in room["pids"] and not processes.environment_of(daemon).get(RUN_ENV)  # found without its marker
    assert not processes.alive(room["pids"]), f"left running: {sorted(processes.alive(room['pids']))}"
    assert not processes.marked(RUN_ENV, settings["run_id"])
    busy = {port for port in room["ports"] if not port_is_free(port)}
    assert not busy, f"ports still taken: {sorted(busy)}"
