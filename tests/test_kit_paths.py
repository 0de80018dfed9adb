"""aiopen.paths, the leaf: where a presenter's browser is, and what the Makefile reads before
anything is installed (the model pin, the install key)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from aiopen import paths
from aiopen.paths import CHROMIUM, MODEL_PIN, ChromiumNotFound, browser_locations, find_chromium

WINDOWS_ENV = {"LOCALAPPDATA": r"C:\Users\ada\AppData\Local", "PROGRAMFILES": r"C:\Program Files", "PROGRAMFILES(X86)": r"C:\Program Files (x86)"}


@pytest.mark.parametrize(
    ("platform", "env", "installed", "found"),
    [
        ("linux", {}, {"/usr/bin/chromium", "/opt/google/chrome/chrome"}, "/usr/bin/chromium"),  # Debian's first
        ("linux", {}, {"/opt/google/chrome/chrome", "/opt/microsoft/msedge/msedge"}, "/opt/google/chrome/chrome"),
        ("linux", {"AIOPEN_CHROMIUM": "/srv/chrome"}, {"/srv/chrome", "/usr/bin/chromium"}, "/srv/chrome"),  # the variable wins
        ("linux", {"PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH": "/nix/chromium"}, {"/nix/chromium"}, "/nix/chromium"),
        ("linux", {"AIOPEN_CHROMIUM": "/a", "PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH": "/b"}, {"/a", "/b"}, "/a"),
        ("darwin", {"HOME": "/Users/ada"}, {"/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"},
         "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"),
        ("darwin", {"HOME": "/Users/ada"}, {"/Users/ada/Applications/Chromium.app/Contents/MacOS/Chromium"},
         "/Users/ada/Applications/Chromium.app/Contents/MacOS/Chromium"),
        ("win32", WINDOWS_ENV, {r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe"}, r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe"),
        ("win32", WINDOWS_ENV, {r"C:\Users\ada\AppData\Local\Google\Chrome\Application\chrome.exe", r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe"},
         r"C:\Users\ada\AppData\Local\Google\Chrome\Application\chrome.exe"),
        ("win32", {"HOMEDRIVE": "D:"}, {r"D:\Program Files\Google\Chrome\Application\chrome.exe"}, r"D:\Program Files\Google\Chrome\Application\chrome.exe"),
    ],
)
def test_the_browser_is_found_where_playwright_users_expect_it(platform, env, installed, found):
    assert str(find_chromium(env, platform, installed.__contains__)) == found


@pytest.mark.parametrize("platform", ["linux", "darwin", "win32"])
def test_no_browser_is_a_message_that_says_what_to_do(platform):
    with pytest.raises(ChromiumNotFound) as error:
        find_chromium({"HOME": "/home/ada", **WINDOWS_ENV}, platform, lambda _path: False)
    message = str(error.value)
    assert "AIOPEN_CHROMIUM" in message and "Install" in message
    assert all(location in message for location in browser_locations(platform, {"HOME": "/home/ada", **WINDOWS_ENV}))


def test_a_variable_naming_no_file_is_said_not_skipped():
    with pytest.raises(ChromiumNotFound, match="AIOPEN_CHROMIUM names /nowhere/chrome, which is not a file"):
        find_chromium({"AIOPEN_CHROMIUM": "/nowhere/chrome"}, "linux", {"/usr/bin/chromium"}.__contains__)


def test_this_machine_finds_debians_chromium():
    assert find_chromium({}, "linux") == CHROMIUM  # what CI installs, and what the tests launch


def test_the_makefile_reads_the_pin_and_the_install_key_from_python(tmp_path):
    run = [subprocess.run([sys.executable, "-m", "aiopen.paths", what], capture_output=True, text=True, cwd=paths.REPO_DIR) for what in ("pin", "stamp")]
    assert [r.stdout.strip() for r in run] == [MODEL_PIN, paths.install_key()]
    changed = tmp_path / "pyproject.toml"
    changed.write_bytes((paths.REPO_DIR / "pyproject.toml").read_bytes() + b"\n# changed\n")
    assert len(paths.install_key()) == 16 and paths.install_key(changed) != paths.install_key()
    assert subprocess.run([sys.executable, "-m", "aiopen.paths", "nothing"], capture_output=True, cwd=paths.REPO_DIR).returncode == 2
