"""A fresh, fenced place for one learner kernel: what the grader runs learner code in.

The trust boundary (see also ``aiopen.teaching.grade``): a learner's notebook runs in a kernel
that only *produces answers*; the grader's own process judges them. This module keeps
that kernel away from everything else:

* a fresh temporary folder is its working directory and its only writable place
  (plus a small private ``/tmp``);
* its standard streams are not the grader's (``/dev/null``), it gets none of the
  grader's file descriptors, and it runs in its own session;
* rlimits cap its memory (address space), CPU time, file size and, where the kernel
  enforces it, its number of processes;
* every process it starts is killed when grading ends (its first process dies with the
  grader, its PID namespace with its first process, and in ``root`` mode every process of its
  own uid is killed at the end, whatever session or parent it moved to).

On Linux, where the machine allows namespaces (checked at run time), it also gets:

* its own mount namespace whose root is a new, read-only file system holding only what
  Python needs: the system folders (``/usr``, ``/etc`` without password files), the
  Python installation, the kit's ``aiopen`` package and the model cache. The kit's
  ``solutions/``, its git history, the submissions folder, the gradebook, home folders
  and other kernels' folders are simply not there;
* its own PID namespace: it cannot see or signal the grader or any other process, and
  when its first process ends the kernel kills every process left in it (sleepers,
  double-forked daemons);
* its own network namespace (no network; the kernel talks to the grader over Unix
  sockets in its folder), IPC and UTS namespaces;
* no capabilities and ``no_new_privs``; run as root, the grader also drops the kernel to
  an unused uid (``root`` mode); otherwise a user namespace maps the grader's own uid
  (``userns`` mode).

Where namespaces are not available (``basic`` mode: macOS, Windows, or Linux with user
namespaces disabled), only the first list holds: the kernel can then read any file the
grader's user can read, ``solutions/`` included, and a process that leaves its session
is killed only on Linux (the grader is then a child subreaper). ``describe()`` says
which mode ran; the grade report shows it.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

# This file also runs as a script inside the sandbox (``--inside``), before the kit can be
# imported there, so it finds the package from its own place: aiopen/teaching/sandbox.py.
PACKAGE_DIR = Path(__file__).resolve().parents[1]
KIT_ROOT = PACKAGE_DIR.parent
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
MASKED_FILES = ("/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-", "/etc/sudoers")
DEVICES = ("null", "zero", "full", "random", "urandom")
SANDBOX_UID_BASE = 2_000_000  # root mode: a uid no account uses, one per grading process
KEPT_ENV = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")
_PR_SET_PDEATHSIG, _PR_SET_CHILD_SUBREAPER = 1, 36


@dataclass(frozen=True)
class Limits:
    """Per-kernel resource limits (rlimits, inherited by every process the kernel starts)."""

    memory_bytes: int = 4 * 2**30  # address space; the model is a 0.5 GB memory map
    cpu_seconds: int = 900
    file_bytes: int = 256 * 2**20
    processes: int = 256  # enforced for an unprivileged uid only (root mode)


SBIN_PATH = os.pathsep.join([os.environ.get("PATH", os.defpath), "/usr/sbin", "/sbin"])
_PROBES = {
    "root": ["unshare", "--mount", "--pid", "--net", "--fork", "true"],
    "userns": ["unshare", "--user", "--map-root-user", "--mount", "--pid", "--net", "--fork", "true"],
}


def mode_works(mode: str) -> bool:
    """Whether this machine can run a kernel in ``mode`` (``root``, ``userns`` or ``basic``)."""
    if mode == "basic":
        return True
    tools = all(shutil.which(tool, path=SBIN_PATH) for tool in ("unshare", "setpriv", "pivot_root"))
    if sys.platform != "linux" or not tools or mode == "root" and os.geteuid() != 0:
        return False
    return _works(_PROBES[mode])


def available_mode() -> str:
    """``root``, ``userns`` or ``basic``: the strongest isolation this machine allows."""
    return next(mode for mode in ("root", "userns", "basic") if mode_works(mode))


def _works(command: list[str]) -> bool:
    try:
        return subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


class Sandbox:
    """One kernel's fenced place. Use as a context manager; ``wrap()`` the kernel's command."""

    def __init__(self, limits: Limits = Limits(), mode: str = "auto") -> None:
        self.limits = limits
        self.mode = available_mode() if mode == "auto" else mode
        self.workdir = Path(tempfile.mkdtemp(prefix="aiopen-kernel-")).resolve()
        self.uid = SANDBOX_UID_BASE + os.getpid() if self.mode == "root" else os.getuid()  # unique while this process lives
        for sub in ("tmp", "home"):
            (self.workdir / sub).mkdir()
        if self.mode == "root":
            for path in (self.workdir, self.workdir / "tmp", self.workdir / "home"):
                os.chown(path, self.uid, self.uid)
        if self.mode == "basic" and sys.platform == "linux":
            _prctl(_PR_SET_CHILD_SUBREAPER, 1)  # orphans of the kernel come back to us, to be killed

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def describe(self) -> str:
        return {
            "root": "own file system view, PID and network namespaces, unprivileged uid",
            "userns": "own file system view, PID and network namespaces (user namespace)",
            "basic": "own folder and session only (no namespaces on this machine)",
        }[self.mode]

    @property
    def connection_file(self) -> Path:
        return self.workdir / "kernel.json"

    @property
    def ipc_prefix(self) -> str:
        return str(self.workdir / "ipc")

    def environment(self) -> dict[str, str]:
        """The kernel's whole environment: nothing of the grader's but the basics."""
        env = {key: os.environ[key] for key in KEPT_ENV if key in os.environ}
        home = self.workdir / "home"
        env.update(
            HOME=str(home),
            TMPDIR=str(self.workdir / "tmp"),
            IPYTHONDIR=str(home / ".ipython"),
            MPLCONFIGDIR=str(home / ".matplotlib"),
            JUPYTER_RUNTIME_DIR=str(self.workdir),
            AIOPEN_CACHE=str(_cache_root()),
            PYTHONNOUSERSITE="1",
            PYTHONDONTWRITEBYTECODE="1",
        )
        env.setdefault("PATH", os.defpath)
        return env

    def wrap(self, command: list[str]) -> list[str]:
        """The command that runs ``command`` inside this sandbox (cwd: the fresh folder)."""
        if self.mode == "basic":
            return command
        spec = {
            "workdir": str(self.workdir),
            "binds": [str(p) for p in _read_only_paths()],
            "cache": [str(p) for p in _cache_files()],
            "chown": [str(self.connection_file)],
            "uid": self.uid if self.mode == "root" else None,
            "pivot_root": shutil.which("pivot_root", path=SBIN_PATH),
            "env": self.environment(),
        }
        namespaces = ["--mount", "--pid", "--net", "--ipc", "--uts", "--fork", "--kill-child"]
        user = ["--user", "--map-root-user"] if self.mode == "userns" else []
        return ["unshare", *user, *namespaces, "--", sys.executable, "-I", str(Path(__file__)), "--inside", json.dumps(spec), "--", *command]

    def popen_kwargs(self) -> dict:
        """Extra ``subprocess.Popen`` arguments: limits, no inherited files, death with the grader."""
        limits = self.limits
        mode = self.mode

        def in_child() -> None:
            _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
            for which, value in (
                (resource.RLIMIT_AS, limits.memory_bytes),
                (resource.RLIMIT_CPU, limits.cpu_seconds),
                (resource.RLIMIT_FSIZE, limits.file_bytes),
                (resource.RLIMIT_CORE, 0),
            ):
                resource.setrlimit(which, (value, value))
            if mode == "root":  # counted per uid: each sandbox has its own
                resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))

        return {
            "preexec_fn": in_child,
            "close_fds": True,
            "cwd": str(self.workdir),
            "env": self.environment(),
            "stdin": subprocess.DEVNULL,
            "stdout": subprocess.DEVNULL,
            "stderr": subprocess.DEVNULL,
        }

    def close(self) -> None:
        """Kill whatever the kernel left running and remove its folder."""
        if self.mode == "root":
            _kill_uid(self.uid)
        elif self.mode == "basic":
            _kill_descendants()
        shutil.rmtree(self.workdir, ignore_errors=True)


def _prctl(option: int, value: int) -> None:
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)


def _cache_root() -> Path:
    """The folder holding the cache a load would use (the environment's shared one, if built)."""
    from aiopen.domain import gguf_loader

    try:
        return gguf_loader.cache_dir(gguf_loader.model_path()).parent
    except FileNotFoundError:
        return gguf_loader.cache_root()


def _cache_files() -> list[Path]:
    """The model cache's files, built first if need be (the kernel cannot write the cache).

    Bound one by one, so that the kernel sees this model's cache and nothing else of the folder.
    """
    from aiopen.domain import gguf_loader

    try:
        gguf = gguf_loader.model_path()
    except FileNotFoundError:
        return []
    folder = gguf_loader.cache_dir(gguf)
    if not (folder / "config.json").is_file():
        gguf_loader.load(gguf)
    return sorted(p for p in folder.glob("*") if p.is_file())


def _read_only_paths() -> list[Path]:
    """What a kernel needs to run Python and import the kit: the installation and the package, nothing else.

    Not ``sys.path``: it holds the grader's working folder (a class's submissions, say) and,
    under pytest, the tests.
    """
    import site

    paths = {Path(p) for p in SYSTEM_DIRS if os.path.lexists(p)}
    for entry in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, *site.getsitepackages(), Path(sys.executable).resolve().parent):
        path = Path(entry).resolve()
        if path.exists() and path not in (KIT_ROOT, *KIT_ROOT.parents):
            paths.add(path)  # the kit's root would bring solutions/ and .git: only its package goes in
    paths.add(PACKAGE_DIR)
    return sorted(paths)


def processes_of(uid: int) -> list[int]:
    """The pids of every process whose real uid is ``uid`` (Linux)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and entry.stat().st_uid == uid:
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _kill_uid(uid: int) -> None:
    """Root mode: SIGKILL every process of the sandbox's own uid, wherever it went (a new session, a new parent)."""
    for _ in range(5):
        if not processes_of(uid):
            return
        subprocess.run(["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--", "kill", "-KILL", "-1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        time.sleep(0.05)


def _kill_descendants() -> None:
    """Basic mode on Linux: SIGKILL every process whose parent chain leads to this one."""
    if not Path("/proc").is_dir():
        return
    for _ in range(5):
        parents: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                    parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    continue
        me, doomed = os.getpid(), []
        for pid in parents:
            ancestor, seen = parents.get(pid), 0
            while ancestor and ancestor != me and seen < 64:
                ancestor, seen = parents.get(ancestor), seen + 1
            if ancestor == me and pid != me:
                doomed.append(pid)
        if not doomed:
            return
        for pid in doomed:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in doomed:
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
        time.sleep(0.05)


# --- Inside the namespaces: build the new root, drop privileges, run the kernel -----------

_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 1, 2, 4, 8
_MS_REMOUNT, _MS_BIND, _MS_REC, _MS_PRIVATE = 32, 4096, 16384, 1 << 18
_MNT_DETACH = 2


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    encode = lambda text: text.encode() if text is not None else None  # noqa: E731
    if libc.mount(encode(source), encode(target), encode(fstype), ctypes.c_ulong(flags), encode(data)) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"mount {source} on {target}: {os.strerror(error)}")


def _bind(source: str, target: str, writable: bool = False, recursive: bool = True) -> None:
    _mount(source, target, None, _MS_BIND | (_MS_REC if recursive else 0))
    if not writable:
        flags = _MS_BIND | _MS_REMOUNT | _MS_RDONLY | _MS_NOSUID | _MS_NODEV
        try:
            _mount(None, target, None, flags)
        except OSError:  # a source mounted noexec keeps that flag, which must be repeated
            _mount(None, target, None, flags | _MS_NOEXEC)


def _make_target(root: str, path: str, is_dir: bool) -> str:
    target = root + path
    os.makedirs(target if is_dir else os.path.dirname(target), mode=0o755, exist_ok=True)
    if not is_dir and not os.path.exists(target):
        open(target, "w").close()  # noqa: SIM115 - an empty file to mount over
    return target


def _inside(spec: dict, command: list[str]) -> None:
    """PID 1 of the new namespaces: build a root holding only what the kernel needs, then exec it."""
    _mount(None, "/", None, _MS_REC | _MS_PRIVATE)
    workdir = spec["workdir"]
    root = workdir + "/.root"  # the new root's mount point (the kernel sees an empty folder there)
    os.makedirs(root, exist_ok=True)
    _mount("tmpfs", root, "tmpfs", _MS_NOSUID | _MS_NODEV, "size=8m,mode=0755")
    # A private /tmp first: what is bound below may live under /tmp (a clone in /tmp/..., its
    # .venv), and a tmpfs mounted later would hide it.
    for tmp in ("/tmp", "/dev/shm"):
        os.makedirs(root + tmp, exist_ok=True)
        _mount("tmpfs", root + tmp, "tmpfs", _MS_NOSUID | _MS_NODEV, "size=64m,mode=1777")
    for path in spec["binds"]:
        if os.path.islink(path) and path in SYSTEM_DIRS:
            os.symlink(os.readlink(path), root + path)
        elif os.path.exists(path):
            _bind(path, _make_target(root, path, os.path.isdir(path)))
    for path in MASKED_FILES:
        if os.path.exists(root + path):
            _bind("/dev/null", root + path)
    for path in spec["cache"]:
        _bind(path, _make_target(root, path, False))
    for name in DEVICES:
        _bind(f"/dev/{name}", _make_target(root, f"/dev/{name}", False), writable=True)
    os.makedirs(root + "/proc", exist_ok=True)
    _mount("proc", root + "/proc", "proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC)
    _bind(workdir, _make_target(root, workdir, True), writable=True, recursive=False)
    for path in spec["chown"]:  # the connection file, written by the grader before the kernel starts
        if spec["uid"] is not None and os.path.exists(path):
            os.chown(path, spec["uid"], spec["uid"])
    os.makedirs(root + "/.old", exist_ok=True)
    _mount(None, root, None, _MS_BIND | _MS_REMOUNT | _MS_RDONLY | _MS_NOSUID | _MS_NODEV)
    os.chdir(root)
    subprocess.run([spec["pivot_root"], ".", ".old"], check=True)
    if ctypes.CDLL(None, use_errno=True).umount2(b"/.old", _MNT_DETACH) != 0:
        raise OSError(ctypes.get_errno(), "could not detach the old root")
    os.chdir(workdir)
    drop = ["setpriv", "--no-new-privs", "--bounding-set=-all", "--inh-caps=-all", "--pdeathsig=keep"]  # a uid change would clear it
    if spec["uid"] is not None:
        drop += [f"--reuid={spec['uid']}", f"--regid={spec['uid']}", "--clear-groups"]
    else:
        drop += ["--ambient-caps=-all", "--securebits=+noroot,+noroot_locked,+no_setuid_fixup,+no_setuid_fixup_locked,+keep_caps_locked"]
    os.execvpe(drop[0], [*drop, "--", *command], spec["env"])


if __name__ == "__main__" and len(sys.argv) > 3 and sys.argv[1] == "--inside":
    _inside(json.loads(sys.argv[2]), sys.argv[sys.argv.index("--", 3) + 1 :])
