"""Voila runs no code a client sends, serves no files, and listens on loopback by default.

Proved on a real server (the one `make dashboard` starts): a client connects to the
kernel channel its dashboard page uses and asks that kernel to run code."""

from __future__ import annotations

import asyncio
import json
import re
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from tornado.websocket import websocket_connect

from aiopen import publish
from voila_support import shared_voila


def page_kernel(url: str) -> str:
    """The kernel id a freshly opened dashboard page talks to."""
    with urllib.request.urlopen(url, timeout=120) as response:
        page = response.read().decode()
    config = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page, re.S).group(1))
    return config["kernelId"]


def message(msg_type: str, content: dict) -> str:
    header = {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "intruder", "session": uuid.uuid4().hex,
              "date": "2026-11-27T00:00:00Z", "version": "5.3"}
    return json.dumps({"channel": "shell", "header": header, "parent_header": {}, "metadata": {}, "content": content, "buffers": []})


async def talk(ws_url: str, canary: Path, listen_s: float = 6.0) -> list[str]:
    """Send an execute_request, then a kernel_info_request; return the replies' types."""
    socket = await websocket_connect(ws_url)
    code = f"open({str(canary)!r}, 'w').write('executed')"
    socket.write_message(message("execute_request", {"code": code, "silent": False, "store_history": True,
                                                     "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}))
    socket.write_message(message("kernel_info_request", {}))
    seen: list[str] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + listen_s
    while loop.time() < deadline:
        try:
            raw = await asyncio.wait_for(socket.read_message(), timeout=max(0.1, deadline - loop.time()))
        except asyncio.TimeoutError:
            break
        if raw is None:
            break
        if isinstance(raw, str):
            seen.append(json.loads(raw)["header"]["msg_type"])
    socket.close()
    return seen


def test_a_client_cannot_execute_code_in_a_dashboard_kernel(tmp_path):
    server = shared_voila()
    canary = tmp_path / "canary.txt"
    kernel = page_kernel(server["dashboard"])
    url = f"ws://127.0.0.1:{server['port']}/api/kernels/{kernel}/channels"
    # A thread of its own: the session's Playwright browser owns this thread's event loop.
    with ThreadPoolExecutor(1) as pool:
        seen = pool.submit(lambda: asyncio.run(talk(url, canary))).result()
    assert "kernel_info_reply" in seen, f"the channel did not answer an allowed message: {seen}"
    assert not {"execute_reply", "execute_input", "execute_result"} & set(seen), seen
    assert not canary.exists(), "the kernel ran code sent by a client"
    assert "execute_request" in server["log"].read_text() and "not allowed" in server["log"].read_text()


def test_files_beside_the_notebooks_are_not_served():
    server = shared_voila()
    for path in ("voila/files/dashboard.ipynb", "voila/files/voila.json"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{server['base']}/{path}", timeout=30)
        assert refused.value.code in (403, 404)


def test_defaults_loopback_bounded_messages_and_no_template_choice(tmp_path):
    config = json.loads((publish.stage(tmp_path, pool=0).root / "voila.json").read_text())
    assert config["Voila"]["ip"] == "127.0.0.1"
    assert config["Voila"]["tornado_settings"]["websocket_max_message_size"] == publish.UPLOAD_LIMIT_BYTES
    from aiopen.widgets.safety import MAX_UPLOAD_BYTES

    assert MAX_UPLOAD_BYTES < publish.UPLOAD_LIMIT_BYTES <= MAX_UPLOAD_BYTES + 4 * 2**20
    assert config["VoilaConfiguration"]["allow_template_override"] == "NOTEBOOK"
    assert config["VoilaConfiguration"]["file_allowlist"] == []


def test_a_room_server_gets_a_token():
    site = publish.Site(Path("/unused"))
    assert publish.is_loopback("127.0.0.1") and publish.is_loopback("localhost") and not publish.is_loopback("0.0.0.0")
    assert "?token=abc" in publish.urls(site, "0.0.0.0", 8866, "abc")["dashboard"]


def test_a_room_server_refuses_viewers_without_its_token(tmp_path):
    from aiopen.serve import free_port
    from voila_support import stop

    site = publish.stage(tmp_path, pool=0, deck_pool=0)
    port = free_port(8875)
    process = publish.start_voila(site, port, token="room-secret", log_path=tmp_path / "voila.log")
    try:
        links = publish.urls(site, "127.0.0.1", port, "room-secret")
        with urllib.request.urlopen(links["dashboard"].split("?")[0], timeout=60) as response:
            assert "/login" in response.url  # sent to the login page, nothing rendered
        with urllib.request.urlopen(links["dashboard"], timeout=120) as response:
            assert response.status == 200 and "jupyter-config-data" in response.read().decode()
    finally:
        stop(process)
