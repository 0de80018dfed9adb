"""Voila runs no code a client sends, serves no files, listens on loopback by default, and
answers hostile requests briefly and cleanly.

Proved on a real server (the one `make dashboard` starts): a client connects to the
kernel channel its dashboard page uses and asks that kernel to run code, sends it
malformed and oversized messages, and asks for paths outside the template folders."""

from __future__ import annotations

import asyncio
import json
import re
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from jupyter_server.services.kernels.connection.base import deserialize_msg_from_ws_v1, serialize_msg_to_ws_v1
from tornado.websocket import WebSocketClosedError, websocket_connect

from aiopen.serving import publish
from aiopen.serving.room import STDERR_WITHHELD, Refused, asset_path, client_message

V1 = "v1.kernel.websocket.jupyter.org"
REFUSED = "Message refused:"
ANSWER_S = 5.0  # every hostile request is answered within this


def page_kernel(url: str) -> str:
    """The kernel id a freshly opened dashboard page talks to."""
    with urllib.request.urlopen(url, timeout=120) as response:
        page = response.read().decode()
    config = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page, re.S).group(1))
    return config["kernelId"]


def parts(msg_type: str, content: dict) -> dict:
    header = {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "intruder", "session": uuid.uuid4().hex,
              "date": "2026-11-27T00:00:00Z", "version": "5.3"}
    return {"header": header, "parent_header": {}, "metadata": {}, "content": content}


def message(msg_type: str, content: dict, channel: str = "shell") -> str:
    """A message in the legacy JSON protocol."""
    return json.dumps({"channel": channel, **parts(msg_type, content), "buffers": []})


def v1_message(msg_type: str, content: dict, channel: str = "shell") -> bytes:
    """A message in the v1 binary protocol (what Voila's page speaks)."""
    return serialize_msg_to_ws_v1(parts(msg_type, content), channel, lambda part: json.dumps(part).encode())


def read(raw: str | bytes) -> dict:
    """A message from the server, whichever the protocol: channel, msg_type, content."""
    if isinstance(raw, bytes):
        channel, frames = deserialize_msg_from_ws_v1(raw)
        return {"channel": channel, "msg_type": json.loads(frames[0])["msg_type"], "content": json.loads(frames[3])}
    decoded = json.loads(raw)
    return {"channel": decoded["channel"], "msg_type": decoded["header"]["msg_type"], "content": decoded["content"]}


async def exchange(ws_url: str, frames: list, protocol: str | None = None, listen_s: float = 6.0,
                   until: str = "kernel_info_reply") -> tuple[list[dict], bool]:
    """Send ``frames`` then a kernel_info_request; collect what comes back until its reply
    (or ``listen_s``): (messages, whether the server hung up)."""
    socket = await websocket_connect(ws_url, subprotocols=[protocol] if protocol else None)
    info = v1_message("kernel_info_request", {}) if protocol == V1 else message("kernel_info_request", {})
    try:
        for frame in [*frames, info]:
            await socket.write_message(frame, binary=isinstance(frame, bytes))
    except WebSocketClosedError:
        pass  # the server hung up: read_message says so below
    seen: list[dict] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + listen_s
    while loop.time() < deadline:
        try:
            raw = await asyncio.wait_for(socket.read_message(), timeout=max(0.1, deadline - loop.time()))
        except asyncio.TimeoutError:
            break
        if raw is None:
            return seen, True
        seen.append(read(raw))
        if seen[-1]["msg_type"] == until:
            break
    socket.close()
    return seen, False


def run(coroutine):
    """Run ``coroutine`` in a thread of its own: the session's Playwright browser owns this thread's event loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def channel_url(server: dict) -> str:
    return f"ws://127.0.0.1:{server['port']}/api/kernels/{page_kernel(server['dashboard'])}/channels"


def stderr_lines(seen: list[dict]) -> list[str]:
    return [m["content"]["text"] for m in seen if m["msg_type"] == "stream" and m["content"].get("name") == "stderr"]


def test_a_client_cannot_execute_code_in_a_dashboard_kernel(voila_server, tmp_path):
    server = voila_server
    canary = tmp_path / "canary.txt"
    code = f"open({str(canary)!r}, 'w').write('executed')"
    request = {"code": code, "silent": False, "store_history": True, "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}
    seen, _ = run(exchange(channel_url(server), [message("execute_request", request)]))
    types = [m["msg_type"] for m in seen]
    assert "kernel_info_reply" in types, f"the channel did not answer an allowed message: {types}"
    assert not {"execute_reply", "execute_input", "execute_result"} & set(types), types
    assert not canary.exists(), "the kernel ran code sent by a client"
    assert stderr_lines(seen) == [f"{REFUSED} execute_request is not accepted here.\n"]
    assert f"{REFUSED} execute_request" in server["log"].read_text()


# -- the messages a client may send -----------------------------------------------------------
GOOD = {"comm_id": "c1", "target_name": "jupyter.widget", "data": {}}
# The legacy protocol: JSON text, or binary with buffer offsets (what a client gets without a subprotocol).
REFUSED_LEGACY = {
    "not JSON": ("{not json", "could not be read"),
    "a JSON list": (json.dumps([1, 2]), "must be a JSON object"),
    "deeply nested": ("[" * 100_000, "could not be read"),
    "no header": (json.dumps({"channel": "shell"}), "header must be a JSON object"),
    "no parent_header": (json.dumps({"channel": "shell", "header": parts("comm_msg", {})["header"]}), "parent_header must be"),
    "header without msg_id": (json.dumps({**json.loads(message("comm_msg", {})), "header": {"msg_type": "comm_msg", "session": "s"}}),
                              "header.msg_id"),
    "unknown channel": (message("comm_info_request", {}, channel="iopub"), "channel must be one of"),
    "unknown type": (message("frobnicate_request", {}), "not accepted here"),
    "execute_request": (message("execute_request", {"code": "1"}), "not accepted here"),
    "comm_open without target": (message("comm_open", {"comm_id": "c1", "data": {}}), "content.target_name"),
    "comm_open with a numeric id": (message("comm_open", {**GOOD, "comm_id": 7}), "content.comm_id"),
    "comm_msg without data": (message("comm_msg", {"comm_id": "c1"}), "content.data"),
    "comm_close without id": (message("comm_close", {}), "content.comm_id"),
    "binary claiming 2**31 buffers": (b"\x7f\xff\xff\xff" + b"x" * 16, "offsets do not fit"),
    "binary of two bytes": (b"\x00\x01", "offsets do not fit"),
    "binary, JSON cut short": ((1).to_bytes(4, "big") + (8).to_bytes(4, "big") + b'{"header', "could not be read"),
}
REFUSED_V1 = {
    "claims 2**40 offsets": ((2**40).to_bytes(8, "little") + b"x" * 64, "offsets do not fit"),
    "offsets out of order": ((4).to_bytes(8, "little") + b"".join(n.to_bytes(8, "little") for n in (40, 90, 45, 50)) + b"x" * 60,
                             "offsets do not fit"),
    "three bytes": (b"\x00" * 3, "is binary"),
    "a text frame": ("hello", "is binary"),
    "header not JSON": (serialize_msg_to_ws_v1([b"{", b"{}", b"{}", b"{}"], "shell"), "could not be read"),
    "too few frames": (serialize_msg_to_ws_v1([json.dumps(parts("comm_msg", {})["header"]).encode()], "shell"), "needs header"),
    "comm_msg without id": (v1_message("comm_msg", {"data": {}}), "content.comm_id"),
}
ACCEPTED = {
    "comm_open": message("comm_open", GOOD),
    "comm_msg": message("comm_msg", {"comm_id": "c1", "data": {"method": "update", "state": {}}}),
    "comm_close": message("comm_close", {"comm_id": "c1"}),
    "kernel_info_request": message("kernel_info_request", {}),
    "shutdown_request on control": message("shutdown_request", {"restart": False}, channel="control"),
}


@pytest.mark.parametrize("name", REFUSED_LEGACY)
def test_malformed_legacy_messages_are_refused_in_one_line(name):
    raw, reason = REFUSED_LEGACY[name]
    try:
        channel, _ = client_message(raw, None)
    except Refused as refused:
        assert reason in str(refused) and "\n" not in str(refused) and len(str(refused)) < 120
    else:
        # Well-formed, refused by type later (the server's list of allowed messages).
        assert reason == "not accepted here" and channel == "shell"


@pytest.mark.parametrize("name", REFUSED_V1)
def test_malformed_v1_messages_are_refused_in_one_line(name):
    raw, reason = REFUSED_V1[name]
    with pytest.raises(Refused, match=reason):
        client_message(raw, V1)


@pytest.mark.parametrize("name", ACCEPTED)
def test_well_formed_widget_messages_pass(name):
    channel, read_parts = client_message(ACCEPTED[name], None)
    assert channel in ("shell", "control") and set(read_parts) == {"header", "parent_header", "metadata", "content"}
    v1_channel, _ = client_message(v1_message(read_parts["header"]["msg_type"], read_parts["content"], channel), V1)
    assert v1_channel == channel


@pytest.mark.parametrize("protocol", [None, V1])
def test_hostile_messages_get_a_short_answer_and_the_channel_keeps_working(voila_server, protocol):
    server = voila_server
    corpus = REFUSED_V1 if protocol == V1 else REFUSED_LEGACY
    frames = [raw for raw, _ in corpus.values()]
    started = time.monotonic()
    seen, hung_up = run(exchange(channel_url(server), frames, protocol, listen_s=15))
    assert not hung_up, "the server hung up"
    assert time.monotonic() - started < 15
    refusals = [line for line in stderr_lines(seen) if line.startswith(REFUSED)]
    assert len(refusals) == len(frames), stderr_lines(seen)
    assert all(len(line) < 160 and "Traceback" not in line and "/" not in line for line in refusals), refusals
    assert seen[-1]["msg_type"] == "kernel_info_reply"  # answered after all of them: the channel works


def test_a_kernel_error_reaches_the_client_as_one_line_not_a_traceback(voila_server):
    """A well-formed comm_open the widget library rejects, and a widget update with a wrong
    value: the kernel logs a traceback (install paths included), the page gets one line."""
    server = voila_server
    url = channel_url(server)
    seen, _ = run(exchange(url, [v1_message("comm_info_request", {})], V1, until="comm_info_reply"))
    comms = next(m for m in seen if m["msg_type"] == "comm_info_reply")["content"]["comms"]
    widgets = [comm_id for comm_id, info in comms.items() if info["target_name"] == "jupyter.widget"]
    assert widgets, comms
    bad_update = [v1_message("comm_msg", {"comm_id": comm_id, "data": {"method": "update", "state": {"_dom_classes": 5}, "buffer_paths": []}})
                  for comm_id in widgets]
    seen, _ = run(exchange(url, [v1_message("comm_open", GOOD), *bad_update], V1, listen_s=15))
    text = json.dumps([m for m in seen if m["msg_type"] in ("stream", "error")])
    assert "Traceback" not in text and ".py" not in text and "site-packages" not in text
    assert STDERR_WITHHELD in stderr_lines(seen)
    assert "Traceback" in server["log"].read_text()  # kept for whoever runs the server


def test_an_oversized_message_closes_that_socket_and_nothing_else(voila_server):
    server = voila_server
    oversized = v1_message("comm_msg", {"comm_id": "c1", "data": {"pad": "x" * (publish.UPLOAD_LIMIT_BYTES + 1024)}})
    started = time.monotonic()
    seen, hung_up = run(exchange(channel_url(server), [oversized], V1, listen_s=20))
    assert hung_up and time.monotonic() - started < 20  # tornado drops the connection at once
    assert "kernel_info_reply" not in [m["msg_type"] for m in seen]  # nothing after it was read
    with urllib.request.urlopen(f"{server['base']}/voila/static/voila.js", timeout=30) as response:
        assert response.status == 200


# -- paths -------------------------------------------------------------------------------------
TEMPLATE_PATHS = [
    "aiopen", "aiopen/static", "aiopen/static/", "aiopen/x/y", "aiopen/static/../../../../etc/passwd",
    "aiopen/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "..%2f..%2fetc/passwd", "%2e%2e/static/x", "aiopen/static/a%00b",
    "aiopen/static/..%2f..%2faiopen-reveal/static/plotly.min.js", "aiopen-reveal/static/../../aiopen/static/x",
    "aiopen/static/" + "a/" * 3000, "no-such-template/static/a.js", "aiopen/static/%c0%ae%c0%ae/etc/passwd",
]
NOT_UTF8 = "%c0%ae"  # an overlong dot: tornado answers 400 before any handler sees the path
OTHER_PATHS = [
    "voila/static/../../etc/passwd", "voila/static/%2e%2e/%2e%2e/etc/passwd", "voila/labextensions/..%2f..%2f..%2fetc/passwd",
    "voila/api/themes/..%2f..%2fetc/passwd", "voila/files/..%2fvoila.json", "voila/render/..%2f..%2fetc/passwd",
    "voila/render/..%2fvoila.json", "voila/tree/..%2f", "voila/api/contents/..%2f..%2f", "voila/api/shutdown/abc",
    "api/kernels/not-a-kernel/channels", "api/kernels/00000000-0000-0000-0000-000000000000", "x" * 5000,
]


@pytest.mark.parametrize("path", ["aiopen/static/a", "aiopen-reveal/static/reveal/dist/reveal.css", "base/static/voila.js"])
def test_template_assets_have_the_only_accepted_shape(path):
    asset_path(path)


@pytest.mark.parametrize("path", ["aiopen", "aiopen/static", "aiopen/static/", "aiopen/lib/x", "../static/x", "a/static/b\x00c"])
def test_other_template_paths_are_404(path):
    with pytest.raises(Exception) as refused:
        asset_path(path)
    assert getattr(refused.value, "status_code", None) == 404


def test_hostile_paths_get_a_clean_answer(voila_server):
    server = voila_server
    log_before = len(server["log"].read_text())
    answers = {}
    for path in [f"voila/templates/{p}" for p in TEMPLATE_PATHS] + OTHER_PATHS:
        started = time.monotonic()
        request = urllib.request.Request(f"{server['base']}/{path}")
        try:
            with urllib.request.urlopen(request, timeout=ANSWER_S) as response:
                status, body = response.status, response.read(200_000)
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read(200_000)
        assert time.monotonic() - started < ANSWER_S, path
        assert b"Traceback" not in body and b"site-packages" not in body, path
        answers[path] = status
    wrong = {path: code for path, code in answers.items()
             if path.startswith("voila/templates/") and code != (400 if NOT_UTF8 in path else 404)}
    assert not wrong, wrong
    assert not {path: code for path, code in answers.items() if code >= 500}, answers
    assert "Uncaught exception" not in server["log"].read_text()[log_before:]


def test_files_beside_the_notebooks_are_not_served(voila_server):
    server = voila_server
    for path in ("voila/files/dashboard.ipynb", "voila/files/voila.json"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{server['base']}/{path}", timeout=30)
        assert refused.value.code in (403, 404)


# -- configuration -----------------------------------------------------------------------------
def test_defaults_loopback_bounded_messages_and_no_template_choice(tmp_path):
    config = json.loads((publish.stage(tmp_path, pool=0).root / "voila.json").read_text())
    assert config["Voila"]["ip"] == "127.0.0.1"
    assert config["Voila"]["tornado_settings"]["websocket_max_message_size"] == publish.UPLOAD_LIMIT_BYTES
    from aiopen.domain.safety import UPLOAD_BYTES

    assert UPLOAD_BYTES < publish.UPLOAD_LIMIT_BYTES <= UPLOAD_BYTES + 4 * 2**20
    assert config["VoilaConfiguration"]["allow_template_override"] == "NOTEBOOK"
    assert config["VoilaConfiguration"]["file_allowlist"] == []


def test_a_room_server_prints_urls_another_machine_can_open():
    site = publish.Site(Path("/unused"))
    assert publish.is_loopback("127.0.0.1") and publish.is_loopback("localhost") and not publish.is_loopback("0.0.0.0")
    for wildcard in ("0.0.0.0", "::"):
        links = publish.urls(site, wildcard, 8866, "abc")
        assert all("?token=abc" in url and f"//{publish.machine_address()}:8866/" in url for url in links.values()), links
    assert publish.machine_address() not in ("0.0.0.0", "", "::") and not publish.machine_address().startswith("127.")
    assert "//10.1.2.3:8866/" in publish.urls(site, "10.1.2.3", 8866)["deck"]


def test_a_room_server_refuses_viewers_without_its_token_and_answers_at_its_printed_address(tmp_path):
    from aiopen.serving.launch import free_port
    from voila_support import stop

    site = publish.stage(tmp_path, pool=0, deck_pool=0, host="0.0.0.0")
    port = free_port(8875)
    process = publish.start_voila(site, port, token="room-secret", log_path=tmp_path / "voila.log")
    try:
        links = publish.urls(site, "0.0.0.0", port, "room-secret")  # what `make dashboard HOST=0.0.0.0` prints
        assert "0.0.0.0" not in links["dashboard"]
        with urllib.request.urlopen(links["dashboard"].split("?")[0], timeout=60) as response:
            assert "/login" in response.url  # sent to the login page, nothing rendered
        with urllib.request.urlopen(links["dashboard"], timeout=120) as response:
            assert response.status == 200 and "jupyter-config-data" in response.read().decode()
    finally:
        stop(process)
