"""A workshop room on this machine: learners arrive two seconds apart at the hub `make workshop`
starts (same configuration, a temporary folder) and each logs in, starts a server, loads the
model in a kernel and runs check("q1") of the sampling exercise (``aiopen.serving.hub.client``).

- ``workshop_learners``: how many learners, in order of arrival, all reached a passing check
  within 60 s of arriving (up to 60; ``AIOPEN_BENCH_LEARNERS`` sets the room's size);
- ``workshop_spawn_p50_s``: median seconds from asking for a server to its being ready;
- ``workshop_private_mb_per_learner``: median private memory (Private_Clean + Private_Dirty,
  /proc/<pid>/smaps_rollup) of a learner's server and kernel with the model loaded; the model's
  weights are one shared memory-mapped file and not counted here.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path

from figures import Figure  # benchmarks/ is on sys.path: it is the script's folder

from aiopen.serving.hub import processes
from aiopen.serving.hub.client import sampling_cells, visit
from aiopen.serving.hub.launcher import start
from aiopen.serving.hub.settings import Workshop, generate_password
from aiopen.serving.launch import free_port

ROOM = int(os.environ.get("AIOPEN_BENCH_LEARNERS", "60"))
ARRIVAL_GAP_S = 2
DEADLINE_S = 60


def private_mb(pids: set[int]) -> float:
    total_kb = 0
    for pid in pids:
        try:
            lines = (processes.PROC / str(pid) / "smaps_rollup").read_text().splitlines()
        except OSError:
            continue
        total_kb += sum(int(line.split()[1]) for line in lines if line.startswith(("Private_Clean:", "Private_Dirty:")))
    return total_kb / 1024


def measure() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="aiopen-bench-workshop-") as folder:
        workshop = Workshop(folder=Path(folder), port=free_port(8600), host="127.0.0.1",
                            password=generate_password(), admin_password=generate_password(8, 5))
        hub = start(workshop)
        try:
            cells, visits, threads = sampling_cells(), {}, []
            for index in range(ROOM):
                name = f"learner{index + 1:02d}"
                thread = threading.Thread(target=lambda n=name: visits.__setitem__(n, visit(hub.url, n, workshop.password, cells)))
                thread.start()
                threads.append(thread)
                time.sleep(ARRIVAL_GAP_S)
            for thread in threads:
                thread.join()
            ordered = [visits[f"learner{index + 1:02d}"] for index in range(ROOM)]
            served = next((i for i, v in enumerate(ordered) if not (v.passed and v.check_s <= DEADLINE_S)), ROOM)
            by_learner: dict[str, set[int]] = {}
            for pid in hub.pids():
                user = processes.environment_of(pid).get("JUPYTERHUB_USER")
                if user:
                    by_learner.setdefault(user, set()).add(pid)
            memory = [private_mb(pids) for pids in by_learner.values()]
            spawn = [v.spawn_s for v in ordered if v.passed]
        finally:
            left = hub.stop()
        if left:
            raise RuntimeError(f"the hub left processes running: {sorted(left)}")
    return [
        Figure("workshop_learners", [served], f"learners (of {ROOM} arriving {ARRIVAL_GAP_S} s apart, each checked within {DEADLINE_S} s)",
               note="one room per run: a run takes minutes", capped=served == ROOM),
        Figure("workshop_spawn_p50_s", spawn, "s (server requested to ready, one sample per learner served)"),
        Figure("workshop_private_mb_per_learner", memory, "MB (server + kernel with the model, private, one sample per learner)"),
    ]
