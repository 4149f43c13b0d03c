"""A small Jupyter messaging client on pyzmq: the few requests fwcheat sends.

Why not ``jupyter_client``'s client: importing it takes about 0.2 s, longer
than a whole ``fwcheat run`` on a kernel that is already warm. fwcheat needs
four requests (execute, complete, is_complete, kernel_info), the IOPub
stream, a shutdown request and, for kernelspecs that want it, an interrupt
request; the wire format (Jupyter messaging protocol 5.x: signed JSON frames)
is small enough to speak directly.

:class:`WireClient` mirrors the part of ``AsyncKernelClient`` fwcheat used:
``execute`` returns the request's ``msg_id``; ``get_shell_msg`` and
``get_iopub_msg`` return message dicts (``header``, ``parent_header``,
``metadata``, ``content``) or raise :class:`queue.Empty` after ``timeout``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import queue
import time
import uuid
from datetime import datetime, timezone
from typing import Any

import zmq
import zmq.asyncio

DELIM = b"<IDS|MSG>"
PROTOCOL_VERSION = "5.3"


class WireError(RuntimeError):
    """A connection file that cannot be used."""


def read_connection_file(path: str) -> dict[str, Any]:
    """The connection info a kernel was started with (ports, transport, key)."""
    try:
        with open(path, encoding="utf-8") as handle:
            info = json.load(handle)
    except (OSError, ValueError) as exc:
        raise WireError(f"{path}: {exc}") from exc
    if not isinstance(info, dict) or "shell_port" not in info or "iopub_port" not in info:
        raise WireError(f"{path}: not a Jupyter connection file")
    return info


class WireClient:
    """Shell, control and IOPub channels of one kernel, asynchronously."""

    def __init__(self, info: dict[str, Any]) -> None:
        scheme = str(info.get("signature_scheme", "hmac-sha256"))
        if not scheme.startswith("hmac-"):
            raise WireError(f"unsupported signature scheme {scheme!r}")
        self._digest = getattr(hashlib, scheme.split("-", 1)[1])
        self._key = str(info.get("key", "")).encode("ascii")
        self.session = uuid.uuid4().hex
        self._username = os.environ.get("USER", "fwcheat")
        self._context = zmq.asyncio.Context()
        transport, ip = info.get("transport", "tcp"), info.get("ip", "127.0.0.1")

        def url(port: int) -> str:
            return f"tcp://{ip}:{port}" if transport == "tcp" else f"{transport}://{ip}-{port}"

        self.shell = self._socket(zmq.DEALER, url(info["shell_port"]))
        self.control = self._socket(zmq.DEALER, url(info["control_port"]))
        self.iopub = self._socket(zmq.SUB, url(info["iopub_port"]))
        self.iopub.setsockopt(zmq.SUBSCRIBE, b"")

    def _socket(self, kind: int, address: str) -> zmq.asyncio.Socket:
        socket = self._context.socket(kind)
        socket.linger = 0
        if kind == zmq.DEALER:
            socket.setsockopt(zmq.IDENTITY, uuid.uuid4().hex.encode("ascii"))
        socket.connect(address)
        return socket

    def close(self) -> None:
        for socket in (self.shell, self.control, self.iopub):
            socket.close(linger=0)
        self._context.term()

    # -- messages ------------------------------------------------------------------

    def _sign(self, parts: list[bytes]) -> bytes:
        if not self._key:
            return b""
        mac = hmac.new(self._key, digestmod=self._digest)
        for part in parts:
            mac.update(part)
        return mac.hexdigest().encode("ascii")

    def _send(self, socket: zmq.asyncio.Socket, msg_type: str, content: dict[str, Any]) -> str:
        msg_id = uuid.uuid4().hex
        header = {
            "msg_id": msg_id,
            "msg_type": msg_type,
            "username": self._username,
            "session": self.session,
            "date": datetime.now(timezone.utc).isoformat(),
            "version": PROTOCOL_VERSION,
        }
        parts = [json.dumps(part).encode("utf-8") for part in (header, {}, {}, content)]
        socket.send_multipart([DELIM, self._sign(parts), *parts])
        return msg_id

    async def _recv(self, socket: zmq.asyncio.Socket, timeout: float | None) -> dict[str, Any]:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            wait = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            if not await socket.poll(None if wait is None else int(wait * 1000)):
                raise queue.Empty
            frames = await socket.recv_multipart()
            message = self._decode(frames)
            if message is not None:
                return message
            if deadline is not None and time.monotonic() >= deadline:
                raise queue.Empty

    def _decode(self, frames: list[bytes]) -> dict[str, Any] | None:
        """A message dict, or None for a malformed or wrongly signed one (dropped)."""
        try:
            at = frames.index(DELIM)
        except ValueError:
            return None
        signature, parts = frames[at + 1], frames[at + 2 : at + 6]
        if len(parts) < 4:
            return None
        if self._key and not hmac.compare_digest(signature, self._sign(parts)):
            return None
        try:
            header, parent, metadata, content = (json.loads(p) for p in parts)
        except ValueError:
            return None
        return {
            "header": header,
            "msg_id": header.get("msg_id"),
            "msg_type": header.get("msg_type"),
            "parent_header": parent,
            "metadata": metadata,
            "content": content,
            "buffers": frames[at + 6 :],
        }

    # -- the requests fwcheat sends -----------------------------------------------

    def execute(
        self,
        code: str,
        silent: bool = False,
        store_history: bool = True,
        user_expressions: dict[str, str] | None = None,
        allow_stdin: bool = False,
    ) -> str:
        return self._send(
            self.shell,
            "execute_request",
            {
                "code": code,
                "silent": silent,
                "store_history": store_history,
                "user_expressions": user_expressions or {},
                "allow_stdin": allow_stdin,
                "stop_on_error": True,
            },
        )

    def complete(self, code: str, cursor_pos: int | None = None) -> str:
        pos = len(code) if cursor_pos is None else cursor_pos
        return self._send(self.shell, "complete_request", {"code": code, "cursor_pos": pos})

    def is_complete(self, code: str) -> str:
        return self._send(self.shell, "is_complete_request", {"code": code})

    def kernel_info(self) -> str:
        return self._send(self.shell, "kernel_info_request", {})

    def shutdown(self) -> str:
        return self._send(self.control, "shutdown_request", {"restart": False})

    def interrupt(self) -> str:
        return self._send(self.control, "interrupt_request", {})

    async def get_shell_msg(self, timeout: float | None = None) -> dict[str, Any]:
        return await self._recv(self.shell, timeout)

    async def get_iopub_msg(self, timeout: float | None = None) -> dict[str, Any]:
        return await self._recv(self.iopub, timeout)

    async def wait_for_ready(self, timeout: float, alive: Any = None) -> dict[str, Any]:
        """Wait until the kernel answers on shell and its IOPub stream reaches us.

        A SUB socket misses what is published before its subscription has
        arrived, so a run is only sent once an IOPub message has come
        through: the kernel's welcome (ipykernel 7 greets each subscriber) or
        the status messages of a ``kernel_info`` request. ``alive`` (a
        callable) ends the wait early when the process is gone.
        """
        deadline = time.monotonic() + timeout
        reply: dict[str, Any] | None = None
        iopub_seen = False
        pending = {self.kernel_info()}
        next_ask = time.monotonic() + 0.5
        while reply is None or not iopub_seen:
            now = time.monotonic()
            if now >= deadline:
                raise TimeoutError(f"no answer from the kernel in {timeout:g} s")
            if alive is not None and not alive():
                raise RuntimeError("the kernel process ended while starting")
            if now >= next_ask:
                pending.add(self.kernel_info())
                next_ask = now + 0.5
            poller = zmq.asyncio.Poller()
            poller.register(self.shell, zmq.POLLIN)
            poller.register(self.iopub, zmq.POLLIN)
            ready = dict(await poller.poll(int(min(0.1, deadline - now) * 1000) + 1))
            if self.shell in ready:
                message = self._decode(await self.shell.recv_multipart())
                if message is not None and message["parent_header"].get("msg_id") in pending:
                    reply = message
            if self.iopub in ready:
                message = self._decode(await self.iopub.recv_multipart())
                if message is not None:
                    iopub_seen = True
        return reply
