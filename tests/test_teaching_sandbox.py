"""The sandbox a learner's kernel runs in: what it can see, write, reach and leave behind.

Each test runs a small script inside a real sandbox, in every isolation mode this machine
supports (as root: ``root`` and ``userns``), and checks what the script could do.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from aiopen.teaching import sandbox
from aiopen.teaching.sandbox import Limits, Sandbox
from class_support import processes_with

ROOT = Path(__file__).resolve().parent.parent
MODES = [mode for mode in ("root", "userns") if sandbox.mode_works(mode)]
MARKER = "aiopen-sandbox-test-marker"


def _run(mode: str, script: str, limits: Limits = Limits()) -> dict:
    with Sandbox(limits, mode=mode) as box:
        kwargs = box.popen_kwargs() | {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
        run = subprocess.run(box.wrap([sys.executable, "-c", textwrap.dedent(script)]), timeout=120, **kwargs)
        assert run.returncode == 0, run.stderr.decode()[-2000:]
        return json.loads(run.stdout.decode().strip().splitlines()[-1])


def test_this_machine_gives_kernels_their_own_namespaces() -> None:
    """The grading tests below need namespaces; without them a kernel could read solutions/."""
    assert sys.platform != "linux" or MODES, "no namespace isolation: user namespaces are disabled (see docs/instructor_guide.md)"


@pytest.mark.parametrize("mode", MODES)
def test_the_kernel_sees_only_what_python_needs(mode: str) -> None:
    seen = _run(mode, f"""
        import json, os
        def readable(path):
            try:
                open(path, "rb").read(1)
                return True
            except OSError:
                return False
        print(json.dumps({{
            "kit": sorted(os.listdir({str(ROOT)!r})),
            "solutions": readable({str(ROOT / "solutions" / "01_openness.ipynb")!r}),
            "git": os.path.exists({str(ROOT / ".git")!r}),
            "shadow": readable("/etc/shadow"),
            "home": os.path.exists({str(Path.home() / ".bash_history")!r}) or os.path.exists("/root/.ssh"),
            "tmp": os.listdir("/tmp"),
            "own": os.path.basename(os.getcwd()),
            "imports": __import__("aiopen.domain.openness").domain.openness.mof_class([]) is None,
        }}))
    """)
    assert seen["kit"] == sorted(p for p in (".venv", "aiopen") if (ROOT / p).exists())
    assert not seen["solutions"] and not seen["git"] and not seen["shadow"] and not seen["home"]
    kit_under_tmp = [ROOT.relative_to("/tmp").parts[0]] if ROOT.is_relative_to("/tmp") else []  # a clone in /tmp: its package and .venv are bound there
    assert sorted(seen["tmp"]) in (kit_under_tmp, sorted(kit_under_tmp + [seen["own"]])) and seen["imports"]  # no other kernel's folder


@pytest.mark.parametrize("mode", MODES)
def test_the_kernel_writes_only_in_its_own_folder(mode: str) -> None:
    targets = [ROOT / f"{MARKER}.txt", Path("/usr") / f"{MARKER}.txt", Path.home() / f"{MARKER}.txt"]
    wrote = _run(mode, f"""
        import json, os
        result = {{}}
        for target in {[str(t) for t in targets]!r} + ["here.txt", "/tmp/scratch.txt"]:
            try:
                open(target, "w").write("x")
                result[target] = True
            except OSError:
                result[target] = False
        print(json.dumps(result))
    """)
    assert wrote["here.txt"] and wrote["/tmp/scratch.txt"]
    # With the kit cloned under /tmp, a write to its folder lands in the kernel's private /tmp:
    # what counts is that nothing reaches the real file system.
    assert not any(wrote[str(t)] for t in targets if not t.is_relative_to("/tmp"))
    assert not any(t.exists() for t in targets) and not Path("/tmp/scratch.txt").exists()


@pytest.mark.parametrize("mode", MODES)
def test_the_kernel_cannot_reach_the_network_or_the_grader(mode: str) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        reached = _run(mode, f"""
            import json, os, socket
            try:
                socket.create_connection(("127.0.0.1", {port}), timeout=2).close()
                connected = True
            except OSError:
                connected = False
            print(json.dumps({{"connected": connected, "parent": os.getppid(), "pids": len([p for p in os.listdir("/proc") if p.isdigit()]),
                              "caps": [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")][0]}}))
        """)
    assert not reached["connected"]
    assert reached["parent"] == 0 and reached["pids"] < 10  # its own PID namespace: the grader is not there
    assert int(reached["caps"], 16) == 0


@pytest.mark.parametrize("mode", MODES)
def test_memory_and_process_limits_hold(mode: str) -> None:
    limits = Limits(memory_bytes=2 * 2**30, processes=64)
    held = _run(mode, """
        import json, os, time
        try:
            block = bytearray(3 * 2**30)
            memory = "allocated"
        except MemoryError:
            memory = "refused"
        children = 0
        try:
            for _ in range(200):
                if os.fork() == 0:
                    time.sleep(5)
                    os._exit(0)
                children += 1
        except OSError:
            pass
        print(json.dumps({"memory": memory, "children": children, "uid": os.getuid()}))
    """, limits)
    assert held["memory"] == "refused"
    if mode == "root":  # counted per uid: the sandbox's own uid
        assert held["children"] < 64 and held["uid"] >= sandbox.SANDBOX_UID_BASE


@pytest.mark.parametrize("mode", MODES)
def test_nothing_the_kernel_starts_outlives_it(mode: str) -> None:
    _run(mode, f"""
        import json, os, subprocess, sys
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", "{MARKER}-sleeper"])
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(600)", "{MARKER}-daemon"])
            os._exit(0)
        os.wait()
        print(json.dumps({{}}))
    """)
    time.sleep(0.5)
    assert processes_with(MARKER) == []


def test_basic_mode_still_reclaims_every_process(tmp_path: Path) -> None:
    """Without namespaces the grader is a child subreaper: a double-forked daemon comes back to it and is killed."""
    script = textwrap.dedent(f"""
        import subprocess, sys
        from aiopen.teaching.sandbox import Sandbox
        daemon = "import os, sys, time\\nif os.fork() == 0:\\n    os.setsid()\\n    if os.fork() == 0:\\n        os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(600)', '{MARKER}-basic'])\\n    os._exit(0)\\nos.wait()"
        with Sandbox(mode="basic") as box:
            subprocess.run(box.wrap([sys.executable, "-c", daemon]), **box.popen_kwargs())
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120, cwd=tmp_path)
    time.sleep(0.5)
    assert processes_with(MARKER) == []
