"""The room: one Voila server for many viewers that gives back every kernel it starts.

``python -m aiopen.serving.room SITE`` (what :func:`aiopen.serving.publish.start_voila` runs) is Voila 0.5
with these parts swapped in; ``voila.json`` names two of them and sets every limit:

* :class:`RoomKernelManager` (``VoilaConfiguration.multi_kernel_manager_class``) counts
  viewers apart from the preheated pool, shuts down a kernel whose page has gone, and
  says when the room is full. Idle kernels are culled by jupyter_server's own culler
  (``MappingKernelManager.cull_idle_timeout``).
* :class:`RoomPageHandler` serves the pages: a viewer beyond the room's size gets a
  "room is full" page (HTTP 503) instead of a kernel, and a page's goodbye on unload
  (Voila's request to shut its kernel down) is no longer refused for want of a cookie.
* :class:`TemplateAssetHandler` answers 404 for any path under ``/voila/templates/`` that
  is not ``<template>/static/<file>`` (Voila's own handler asserts: HTTP 500).
* :class:`GuardedConnection` (``Voila.kernel_websocket_connection_class``) refuses a
  malformed client message with one short line, and keeps what a kernel writes to
  stderr (tracebacks with install paths) in the server's log instead of sending it out.
* :class:`RoomVoila` puts it together, with error pages that render (``jupyter/room/``).
"""

from __future__ import annotations

import asyncio
import json
import os
import struct
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jinja2
import tornado.web
from jupyter_client.session import DELIM
from jupyter_server.services.kernels.connection.base import deserialize_binary_message
from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Integer
from voila.app import Voila
from voila.static_file_handler import TemplateStaticFileHandler
from voila.tornado.handler import TornadoVoilaHandler

from aiopen.serving.publish import Room

V1_PROTOCOL = "v1.kernel.websocket.jupyter.org"
CHANNELS = ("shell", "control")  # the only ones a widget page writes to
REQUIRED_CONTENT = {
    "comm_open": {"comm_id": str, "target_name": str, "data": dict},
    "comm_msg": {"comm_id": str, "data": dict},
    "comm_close": {"comm_id": str},
}
STDERR_WITHHELD = "The kernel reported an error; the details are in the server's log.\n"
PAGES = Path(__file__).parent / "jupyter" / "room"  # the pages the room serves itself: room full, errors
RETRY_S = 30


def now() -> datetime:
    return datetime.now(timezone.utc)


class RoomKernelManager(AsyncMappingKernelManager):
    """A kernel manager that counts the room's viewers and culls kernels whose page has gone.

    A viewer is a kernel that is not waiting in Voila's preheated pool, plus a seat for
    each page request still on its way to a kernel. Pool kernels never count: the pool
    is started ahead of viewers and sits on top of ``max_viewers``.
    """

    max_viewers = Integer(Room.max_viewers, config=True, help="Viewers served at once (pool kernels not counted); 0: no limit.")
    page_gone_timeout = Integer(
        Room.page_gone_s, config=True, help="Seconds a viewer's kernel is kept after its page's connection is lost (a reload is back within them)."
    )
    connect_timeout = Integer(
        Room.connect_s, config=True, help="Seconds a kernel handed to a page waits for that page to connect (pages load slowly in a rush)."
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._seats = 0
        self._handed_out: dict[str, datetime] = {}  # when the culler first saw a kernel outside the pool
        self._left: dict[str, datetime] = {}  # when a kernel's last page connection closed

    # -- the room's size ------------------------------------------------------------
    def pooled_kernels(self) -> set[str]:
        """Kernels waiting in Voila's preheated pools (started and ready, not yet handed out)."""
        waiting = set()
        for pool in getattr(self, "_pools", {}).values():  # voila.voila_kernel_manager, preheat on
            for task in pool:
                if task.done() and not task.cancelled() and task.exception() is None:
                    waiting.add(task.result()["kernel_id"])
        return waiting

    def viewers(self) -> int:
        """Kernels handed to pages, plus page requests admitted but not yet served."""
        return len(set(self.list_kernel_ids()) - self.pooled_kernels()) + self._seats

    def take_seat(self) -> bool:
        """Admit one page request if the room has space; the caller gives the seat back."""
        if self.max_viewers and self.viewers() >= self.max_viewers:
            return False
        self._seats += 1
        return True

    def give_back_seat(self) -> None:
        self._seats -= 1

    # -- reclaiming ----------------------------------------------------------------------
    def notify_disconnect(self, kernel_id):
        super().notify_disconnect(kernel_id)
        if not self._kernel_connections.get(kernel_id):
            self._left[kernel_id] = now()

    async def shutdown_kernel(self, kernel_id, *args, **kwargs):
        await super().shutdown_kernel(kernel_id, *args, **kwargs)
        GuardedConnection.close_pages(kernel_id)

    def remove_kernel(self, kernel_id):
        self._handed_out.pop(kernel_id, None)
        self._left.pop(kernel_id, None)
        return super().remove_kernel(kernel_id)

    async def cull_kernels(self):
        """jupyter_server's culler round, with every kernel looked at (and shut down) at once:
        one after the other, 16 shutdowns took over half a minute on a busy 2-core machine."""

        async def cull(kernel_id: str) -> None:
            try:
                await self.cull_kernel_if_idle(kernel_id)
            except Exception:
                self.log.exception("Culling kernel %s failed.", kernel_id)

        await asyncio.gather(*(cull(kernel_id) for kernel_id in list(self._kernels)))

    async def cull_kernel_if_idle(self, kernel_id):
        """Called by the culler for every kernel outside the pool (Voila skips pooled ones)."""
        kernel = self._kernels[kernel_id]
        if kernel_id not in self._handed_out:
            self._handed_out[kernel_id] = now()
            kernel.last_activity = max(kernel.last_activity, now())  # waiting in the pool is not idleness
        busy = kernel.execution_state == "busy" and not self.cull_busy  # e.g. still running its notebook
        if not self._kernel_connections.get(kernel_id) and not busy:
            if kernel_id in self._left:
                since, limit, reason = self._left[kernel_id], self.page_gone_timeout, "its page has gone"
            else:
                since, limit, reason = self._handed_out[kernel_id], self.connect_timeout, "no page ever connected to it"
            if now() - max(since, kernel.last_activity) > timedelta(seconds=limit):
                self.log.info("Culling kernel %s: %s (%s s).", kernel_id, reason, limit)
                await self.shutdown_kernel(kernel_id)
                return
        await super().cull_kernel_if_idle(kernel_id)


class RoomPageHandler(TornadoVoilaHandler):
    """Voila's page handler with a seat per page request: beyond the room's size, a 503 page."""

    seated = False

    @tornado.web.authenticated
    async def get(self, path=None):
        if not self.kernel_manager.take_seat():
            self.set_status(503)
            self.set_header("Retry-After", str(RETRY_S))
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            template = self.settings["jinja2_env"].get_template("room_full.html")
            page = template.render(max_viewers=self.kernel_manager.max_viewers, retry_s=RETRY_S)
            self.finish(page)
            return
        self.seated = True
        # Voila's page asks for its kernel's shutdown on unload with the _xsrf cookie's
        # value, but Voila's handler never sets that cookie: the request was refused (403)
        # and every kernel outlived its page. Reading the token sets the cookie.
        self.xsrf_token  # noqa: B018
        try:
            await super().get(path=path)
        finally:
            self.leave_seat()

    def write(self, chunk):
        # The first bytes of a page come after its kernel is counted (handed out or started).
        self.leave_seat()
        super().write(chunk)

    def leave_seat(self) -> None:
        if self.seated:
            self.seated = False
            self.kernel_manager.give_back_seat()


class TemplateAssetHandler(TemplateStaticFileHandler):
    """Voila's template assets; any other path under ``/voila/templates/`` is a 404."""

    def parse_url_path(self, path):
        asset_path(path)
        return super().parse_url_path(path)

    @classmethod
    def get_absolute_path(cls, root, path):
        asset_path(os.path.normpath(path))
        return super().get_absolute_path(root, path)

    def validate_absolute_path(self, root, absolute_path):
        try:
            return super().validate_absolute_path(root, absolute_path)
        except tornado.web.HTTPError as error:  # 403 outside the template's folders: say nothing more
            raise tornado.web.HTTPError(404) from error


def asset_path(path: str) -> None:
    """Raise a 404 unless ``path`` reads ``<template>/static/<file>`` with no NUL and no climbing."""
    parts = path.split("/", 2)
    if len(parts) != 3 or parts[1] != "static" or not parts[2] or ".." in parts[0] or "\x00" in path:
        raise tornado.web.HTTPError(404)


class Refused(ValueError):
    """A client message the room does not pass to a kernel; the text says why, in one line."""


def client_message(raw: str | bytes, protocol: str | None) -> tuple[str, dict[str, dict]]:
    """The channel and the header, parent_header, metadata and content of a client's message.

    ``raw`` is what came over the websocket (``protocol`` is the negotiated subprotocol).
    Raise :class:`Refused` for anything malformed, never another exception.
    """
    try:
        if protocol == V1_PROTOCOL:
            channel, frames = v1_frames(raw)
            parts = dict(zip(("header", "parent_header", "metadata", "content"), (json.loads(frame) for frame in frames[:4])))
            if len(parts) < 4:
                raise Refused("a v1 message needs header, parent_header, metadata and content")
        else:
            message = deserialize_binary_message(legacy_binary(raw)) if isinstance(raw, bytes) else json.loads(raw)
            if not isinstance(message, dict):
                raise Refused("a message must be a JSON object")
            channel = message.get("channel", "shell")
            parts = {key: message.get(key) for key in ("header", "parent_header", "metadata", "content")}
    except Refused:
        raise
    except (ValueError, TypeError, IndexError, KeyError, RecursionError, struct.error) as error:
        raise Refused(f"the message could not be read ({type(error).__name__})") from None
    for key, value in parts.items():
        if not isinstance(value, dict):
            raise Refused(f"{key} must be a JSON object")
    header = parts["header"]
    for key in ("msg_id", "msg_type", "session"):
        if not isinstance(header.get(key), str):
            raise Refused(f"header.{key} must be a string")
    if channel not in CHANNELS:
        raise Refused(f"channel must be one of {', '.join(CHANNELS)}")
    for key, kind in REQUIRED_CONTENT.get(header["msg_type"], {}).items():
        if not isinstance(parts["content"].get(key), kind):
            raise Refused(f"{header['msg_type']} needs content.{key} ({'a string' if kind is str else 'an object'})")
    return channel, parts


def v1_frames(raw: bytes) -> tuple[str, list[bytes]]:
    """Split a v1 websocket message (offsets, channel, frames) after checking its offsets:
    jupyter_server's own reader allocates as many offsets as the first 8 bytes claim."""
    if not isinstance(raw, bytes) or len(raw) < 8:
        raise Refused("a v1 message is binary, starting with its number of offsets")
    count = int.from_bytes(raw[:8], "little")
    if not 2 <= count <= len(raw) // 8 - 1:
        raise Refused("a v1 message's offsets do not fit in it")
    offsets = [int.from_bytes(raw[8 * (i + 1) : 8 * (i + 2)], "little") for i in range(count)]
    if offsets != sorted(offsets) or offsets[-1] > len(raw):
        raise Refused("a v1 message's offsets do not fit in it")
    frames = [raw[offsets[i] : offsets[i + 1]] for i in range(count - 1)]
    return frames[0].decode("utf-8"), frames[1:]


def legacy_binary(raw: bytes) -> bytes:
    """``raw`` once its buffer count fits in it: jupyter_server's reader builds a format
    string as long as the count the first 4 bytes claim (up to 2 GB)."""
    count = int.from_bytes(raw[:4], "big", signed=True) if len(raw) >= 4 else 0
    if not 1 <= count <= len(raw) // 4 - 1:
        raise Refused("a binary message's buffer offsets do not fit in it")
    return raw


class GuardedConnection(ZMQChannelsWebsocketConnection):
    """The kernel websocket of a room page: well-formed widget messages in, no stderr out."""

    def handle_incoming_message(self, incoming_msg):
        if not self.channels:  # closed: jupyter_server ignores the message
            return super().handle_incoming_message(incoming_msg)
        try:
            channel, parts = client_message(incoming_msg, self.subprotocol)
        except Refused as refused:
            self.write_stderr(f"Message refused: {refused}.", {})
            return
        allowed = self.multi_kernel_manager.allowed_message_types
        if allowed and parts["header"]["msg_type"] not in allowed:
            self.write_stderr(f"Message refused: {parts['header']['msg_type']} is not accepted here.", parts["header"])
            return
        super().handle_incoming_message(incoming_msg)

    @classmethod
    def close_pages(cls, kernel_id: str) -> None:
        """Tell every page connected to ``kernel_id`` that its kernel is gone, and hang up."""
        for connection in list(cls._open_sockets):  # jupyter_server's registry of open connections
            if connection.kernel_id == kernel_id:
                connection._send_status_message("dead")
                connection.websocket_handler.close()

    def handle_outgoing_message(self, stream, outgoing_msg):
        channel = stream if isinstance(stream, str) else getattr(stream, "channel", None)
        if channel == "iopub":
            outgoing_msg = self.without_stderr(outgoing_msg)
        super().handle_outgoing_message(stream, outgoing_msg)

    def without_stderr(self, msg_list: list[bytes]) -> list[bytes]:
        """``msg_list``, or, for a stderr stream, the same message (signed anew) with its text
        replaced by one line; the text goes to the server's log."""
        idents, frames = self.session.feed_identities(msg_list)
        header = self.session.unpack(frames[1])
        if header.get("msg_type") != "stream":
            return msg_list
        content = self.session.unpack(frames[4])
        if content.get("name") != "stderr":
            return msg_list
        self.log.warning("Kernel %s wrote to stderr (not sent to the page): %s", self.kernel_id, str(content.get("text", ""))[:2000])
        parts = [*frames[1:4], self.session.pack({"name": "stderr", "text": STDERR_WITHHELD})]
        return [*idents, DELIM, self.session.sign(parts), *parts, *frames[5:]]


class RoomVoila(Voila):
    """Voila with the room's page and template handlers, and error pages that render."""

    def init_settings(self):
        settings = super().init_settings()
        # jupyter_server's error page asks for a static_path Voila does not set: every error
        # page came out empty, with a traceback in the log. The room's pages come first.
        server_pages = settings["jinja2_env"]
        server_pages.loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(PAGES), server_pages.loader])
        return settings

    def init_handlers(self):
        swap = {TornadoVoilaHandler: RoomPageHandler, TemplateStaticFileHandler: TemplateAssetHandler}
        return [(rule[0], swap.get(rule[1], rule[1]), *rule[2:]) for rule in super().init_handlers()]


main = RoomVoila.launch_instance

if __name__ == "__main__":
    main()
