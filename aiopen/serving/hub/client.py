"""A learner's visit to a workshop hub, as a browser would make it, over HTTP and a websocket.

Log in with the room's password (JupyterHub's login form), start the server through the hub's
REST API, get an API token, start a kernel on the learner's server and run cells in it over the
kernel's websocket. ``make workshop DRY_RUN=3``, the ``hub`` test and ``make bench``'s
workshop figures use it: the same path a room takes.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field

import nbformat
import requests
import websocket

from aiopen.paths import SOLUTIONS_DIR, material_dir

SAMPLING = "02_sampling.ipynb"


@dataclass
class Output:
    """What one cell produced: its text (stdout, stderr, plain-text displays) and its error, if any."""

    text: str = ""
    error: str = ""


@dataclass
class Kernel:
    """A kernel on a learner's server, driven over its websocket."""

    socket: websocket.WebSocket
    session: str = field(default_factory=lambda: uuid.uuid4().hex)

    def run(self, code: str, timeout_s: float = 120) -> Output:
        msg_id = uuid.uuid4().hex
        self.socket.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "session": self.session, "username": "", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
        }))
        out, idle, replied = Output(), False, False
        deadline = time.monotonic() + timeout_s
        while not (idle and replied):
            self.socket.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                message = json.loads(self.socket.recv())
            except websocket.WebSocketTimeoutException:
                raise TimeoutError(f"the kernel did not finish a cell within {timeout_s:.0f} s") from None
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "stream":
                out.text += content["text"]
            elif kind in ("display_data", "execute_result"):
                out.text += content["data"].get("text/plain", "") + "\n"
            elif kind == "error":
                out.error = f"{content['ename']}: {content['evalue']}"
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
            elif kind == "execute_reply":
                replied = True
        return out

    def close(self) -> None:
        self.socket.close()


class Learner:
    """One learner's browser: a cookie jar, the hub's XSRF token and, once started, an API token."""

    def __init__(self, hub_url: str, name: str, password: str, timeout_s: float = 60):
        self.hub_url, self.name, self.password, self.timeout_s = hub_url.rstrip("/"), name, password, timeout_s
        self.http = requests.Session()
        self.token = ""

    def _xsrf(self) -> dict[str, str]:
        return {"X-XSRFToken": self.http.cookies.get("_xsrf", path="/hub/") or ""}

    def log_in(self) -> None:
        """Post the login form; fail with the hub's reason if the hub refused the name or password."""
        self.http.get(f"{self.hub_url}/hub/login", timeout=self.timeout_s).raise_for_status()
        answer = self.http.post(
            f"{self.hub_url}/hub/login",
            data={"username": self.name, "password": self.password, "_xsrf": self.http.cookies.get("_xsrf", path="/hub/")},
            allow_redirects=False, timeout=self.timeout_s,
        )
        if answer.status_code != 302:
            raise PermissionError(f"the hub refused {self.name!r} (HTTP {answer.status_code})")
        # The hub's XSRF token names who is logged in: a page viewed after login sets the new one.
        self.http.get(f"{self.hub_url}/hub/home", timeout=self.timeout_s).raise_for_status()

    def start_server(self, timeout_s: float = 300) -> float:
        """Ask the hub's REST API for this learner's server; wait until it is ready; return the seconds taken."""
        started = time.monotonic()
        # JSON: the hub refuses a cookie-authenticated POST of any other content type
        answer = self.http.post(f"{self.hub_url}/hub/api/users/{self.name}/server", json={}, headers=self._xsrf(), timeout=self.timeout_s)
        if answer.status_code not in (201, 202, 400):  # 400: already running
            raise RuntimeError(f"the hub did not start {self.name}'s server (HTTP {answer.status_code}: {answer.text[:200]})")
        while time.monotonic() - started < timeout_s:
            user = self.http.get(f"{self.hub_url}/hub/api/users/{self.name}", headers=self._xsrf(), timeout=self.timeout_s).json()
            server = user.get("servers", {}).get("")
            if server and server.get("ready"):
                return time.monotonic() - started
            if not server or server.get("stopped"):
                raise RuntimeError(f"{self.name}'s server stopped while starting")
            time.sleep(0.5)
        raise TimeoutError(f"{self.name}'s server was not ready within {timeout_s:.0f} s")

    def get_token(self) -> str:
        answer = self.http.post(
            f"{self.hub_url}/hub/api/users/{self.name}/tokens", headers=self._xsrf(),
            json={"note": "aiopen workshop client", "expires_in": 3600}, timeout=self.timeout_s,
        )
        answer.raise_for_status()
        self.token = answer.json()["token"]
        return self.token

    def server_api(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"token {self.token or self.get_token()}"}
        answer = requests.request(method, f"{self.hub_url}/user/{self.name}/api/{path}", headers=headers, timeout=self.timeout_s, **kwargs)
        answer.raise_for_status()
        return answer

    def start_kernel(self) -> Kernel:
        kernel_id = self.server_api("POST", "kernels", json={"name": "python3"}).json()["id"]
        url = f"{self.hub_url.replace('http', 'ws', 1)}/user/{self.name}/api/kernels/{kernel_id}/channels"
        return Kernel(websocket.create_connection(url, header=[f"Authorization: token {self.token}"], timeout=self.timeout_s))


def sampling_cells() -> list[str]:
    """The sampling exercise's first code cell, a worked answer to q1 and ``check("q1")``."""
    exercise = nbformat.read(material_dir() / "exercises" / SAMPLING, as_version=4)
    solution = nbformat.read(SOLUTIONS_DIR / SAMPLING, as_version=4)
    first = next(cell.source for cell in exercise.cells if cell.cell_type == "code")
    answer = next(cell.source for cell in solution.cells if cell.cell_type == "code" and "def my_softmax" in cell.source)
    return [first, answer, 'check("q1")']


@dataclass
class Visit:
    """How a learner's visit went: seconds to a ready server, to a passing check, and what failed."""

    name: str
    spawn_s: float = float("nan")
    check_s: float = float("nan")
    passed: bool = False
    problem: str = ""


def visit(hub_url: str, name: str, password: str, cells: list[str] | None = None) -> Visit:
    """Log in, start the server, run the first cells of the sampling exercise and ``check("q1")``."""
    result, started = Visit(name), time.monotonic()
    try:
        learner = Learner(hub_url, name, password)
        learner.log_in()
        result.spawn_s = learner.start_server()
        kernel = learner.start_kernel()
        try:
            for code in cells or sampling_cells():
                output = kernel.run(code)
                if output.error:
                    raise RuntimeError(f"a cell failed: {output.error}")
            result.passed = "q1 ✓" in output.text
            if not result.passed:
                result.problem = f"check('q1') said: {output.text.strip()[:200]}"
        finally:
            kernel.close()
        result.check_s = time.monotonic() - started
    except (OSError, RuntimeError, PermissionError, TimeoutError, requests.RequestException, websocket.WebSocketException) as error:
        result.problem = str(error)
    return result
