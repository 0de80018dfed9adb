"""Every process a workshop run starts, found and stopped (Linux: ``/proc`` and a subreaper).

JupyterHub starts the proxy and every learner's server in sessions of their own, and Jupyter
starts every kernel in a session of its own, so neither a process group nor a session holds
them all. Two independent nets do: the launcher becomes a *child subreaper* (a process whose
parent dies is handed to the launcher, not to init), so every process started under it stays
its descendant; and every process of a run carries the run's id in its environment.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import time
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36
PROC = Path("/proc")


def become_subreaper() -> bool:
    """Make orphaned descendants this process's children (Linux); say whether it worked."""
    if sys.platform != "linux":
        return False
    return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0


def _live_parents() -> dict[int, int]:
    """pid -> parent pid of every live (not zombie) process."""
    parents = {}
    for entry in PROC.glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # the name may hold spaces and parentheses
        if fields[0] != "Z":
            parents[int(entry.name)] = int(fields[1])
    return parents


def descendants(pid: int) -> set[int]:
    """The live processes below ``pid``."""
    children: dict[int, list[int]] = {}
    for child, parent in _live_parents().items():
        children.setdefault(parent, []).append(child)
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def environment_of(pid: int) -> dict[str, str]:
    """A process's environment as it started ({} if gone or not ours to read)."""
    try:
        raw = (PROC / str(pid) / "environ").read_bytes()
    except OSError:
        return {}
    return dict(item.decode(errors="replace").partition("=")[::2] for item in raw.split(b"\0") if b"=" in item)


def marked(name: str, value: str) -> set[int]:
    """The live processes whose environment holds ``name=value``."""
    return {pid for pid in _live_parents() if environment_of(pid).get(name) == value}


def reap() -> None:
    """Collect the exit status of finished children (a subreaper inherits orphans' zombies)."""
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def alive(pids: set[int]) -> set[int]:
    reap()
    live = set(_live_parents())
    return {pid for pid in pids if pid in live}


def stop(pids: set[int], grace_s: float = 10) -> set[int]:
    """SIGTERM every one of ``pids`` at once, SIGKILL what is left after ``grace_s``; return what survived."""
    for sig, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 5)):
        for pid in alive(pids):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + wait_s
        while alive(pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        if not alive(pids):
            return set()
    return alive(pids)


def listening_ports(pids: set[int]) -> set[int]:
    """The TCP ports these processes listen on (IPv4 and IPv6)."""
    inodes = set()
    for pid in pids:
        try:
            links = [os.readlink(fd) for fd in (PROC / str(pid) / "fd").iterdir()]
        except OSError:
            continue
        inodes.update(link[8:-1] for link in links if link.startswith("socket:["))
    ports = set()
    for table in ("tcp", "tcp6"):
        try:
            lines = (PROC / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports
