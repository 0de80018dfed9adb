"""`make present`'s launcher: a real server, one printed URL that opens the deck."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import urllib.request

from aiopen.paths import REPO_DIR
from aiopen.serving.launch import free_port


def test_present_prints_a_working_deck_url():
    port = free_port(8960)
    process = subprocess.Popen(
        [sys.executable, "-m", "aiopen.serving", "present", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=REPO_DIR,
    )
    try:
        lines = []
        for line in process.stdout:
            lines.append(line)
            if "Ctrl-C" in line:
                break
        output = "".join(lines)
        urls = re.findall(r"http://\S+", output)
        assert len(urls) == 1, output
        url = urls[0]
        assert url.startswith(f"http://127.0.0.1:{port}/nbclassic/notebooks/slides/ai_in_the_open.ipynb?token=")
        assert len(url.split("token=")[1]) >= 32  # a real secret, not an empty token
        with urllib.request.urlopen(url, timeout=30) as response:
            page = response.read().decode()
        assert response.status == 200 and "ai_in_the_open" in page
        # Without the token the server refuses to open the notebook.
        request = urllib.request.Request(url.split("?")[0])
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                assert "login" in response.url
        except urllib.error.HTTPError as error:
            assert error.code in (401, 403)
    finally:
        process.terminate()
        process.wait(timeout=20)
    # The launcher took its Jupyter server down with it: nothing listens on the port.
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0, f"a Jupyter server still listens on port {port}"
