"""Just enough ZMTP 3.0 to run one request on a warm kernel, on plain sockets.

``fwcheat run`` on a kernel that is already warm spends a few milliseconds in
the kernel; importing pyzmq alone costs several times that, and jupyter_client
ten times more. This module speaks the ZeroMQ wire protocol (ZMTP 3.0, the NULL
security mechanism: what a Jupyter kernel on 127.0.0.1 uses) and the Jupyter
message format on top of it with the standard library only, for the quick path
of :mod:`fwcheat.quickrun`:

- :class:`Channel` is one connected peer socket: a DEALER to the kernel's shell
  ROUTER, or a SUB to its IOPub XPUB, after the greeting and READY handshake.
- :class:`Session` signs and reads Jupyter messages (HMAC-SHA256, computed with
  the builtin ``_sha256`` so OpenSSL is not loaded).

Anything unexpected (another mechanism, a malformed frame) raises
:class:`ZMTPError`; the caller then takes the full path through pyzmq.
"""

from __future__ import annotations

import json
import os
import select
import socket
import struct
import time

try:  # the builtin module: loading hashlib would load OpenSSL (about 10 ms)
    from _sha256 import sha256
except ImportError:  # pragma: no cover - Pythons built without it
    from hashlib import sha256

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

DELIM = b"<IDS|MSG>"
_GREETING = (
    b"\xff" + b"\x00" * 8 + b"\x7f" + b"\x03\x00" + b"NULL".ljust(20, b"\x00") + b"\x00" + b"\x00" * 31
)
_MORE, _LONG, _COMMAND = 0x01, 0x02, 0x04


class ZMTPError(OSError):
    """The peer does not speak what this module does."""


def hmac_sha256(key: bytes, parts: list[bytes]) -> bytes:
    """HMAC-SHA256 (RFC 2104) of the concatenated ``parts``, as hex bytes."""
    if len(key) > 64:
        key = sha256(key).digest()
    key = key.ljust(64, b"\x00")
    inner = sha256(bytes(b ^ 0x36 for b in key))
    for part in parts:
        inner.update(part)
    outer = sha256(bytes(b ^ 0x5C for b in key))
    outer.update(inner.digest())
    return outer.hexdigest().encode("ascii")


def _property(name: bytes, value: bytes) -> bytes:
    return bytes([len(name)]) + name + struct.pack(">I", len(value)) + value


def _frame(body: bytes, flags: int) -> bytes:
    if len(body) > 255:
        return bytes([flags | _LONG]) + struct.pack(">Q", len(body)) + body
    return bytes([flags, len(body)]) + body


class Channel:
    """One ZMTP connection: a DEALER or a SUB socket's single peer."""

    def __init__(self, port: int, socket_type: bytes, host: str = "127.0.0.1", timeout: float = 2.0) -> None:
        # Not socket.create_connection: its getaddrinfo loads the IDNA codec, for an IP address.
        self.sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._buffer = bytearray()
        self._frames: list[bytes] = []
        self.sock.sendall(_GREETING)
        greeting = self._read_exactly(64, timeout)
        if greeting[0] != 0xFF or greeting[9] != 0x7F or greeting[10] < 3:
            raise ZMTPError("not a ZMTP 3 peer")
        if greeting[12:32].rstrip(b"\x00") != b"NULL":
            raise ZMTPError("the peer wants a security mechanism other than NULL")
        ready = b"\x05READY" + _property(b"Socket-Type", socket_type)
        self.sock.sendall(_frame(ready, _COMMAND))
        deadline = time.monotonic() + timeout
        while True:  # the peer's READY
            flags, body = self._read_frame(deadline)
            if flags & _COMMAND and body[1 : 1 + body[0]] == b"READY":
                break
            if flags & _COMMAND and body[1 : 1 + body[0]] == b"ERROR":
                raise ZMTPError(f"the peer refused the connection: {body[7:]!r}")
        self.sock.setblocking(False)

    def fileno(self) -> int:
        return self.sock.fileno()

    def close(self) -> None:
        self.sock.close()

    def _read_exactly(self, count: int, timeout: float) -> bytes:
        deadline = time.monotonic() + timeout
        while len(self._buffer) < count:
            self._fill(deadline)
        data = bytes(self._buffer[:count])
        del self._buffer[:count]
        return data

    def _fill(self, deadline: float) -> None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no answer from the kernel")
        self.sock.settimeout(left)
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the kernel closed the connection")
        self._buffer += chunk

    def _read_frame(self, deadline: float) -> tuple[int, bytes]:
        while True:
            parsed = self._parse_frame()
            if parsed is not None:
                return parsed
            self._fill(deadline)

    def _parse_frame(self) -> tuple[int, bytes] | None:
        buffer = self._buffer
        if len(buffer) < 2:
            return None
        flags = buffer[0]
        if flags & _LONG:
            if len(buffer) < 9:
                return None
            (size,) = struct.unpack(">Q", bytes(buffer[1:9]))
            start = 9
        else:
            size, start = buffer[1], 2
        if len(buffer) < start + size:
            return None
        body = bytes(buffer[start : start + size])
        del buffer[: start + size]
        return flags, body

    def send(self, frames: list[bytes]) -> None:
        last = len(frames) - 1
        self.sock.setblocking(True)
        try:
            self.sock.sendall(b"".join(_frame(f, _MORE if i < last else 0) for i, f in enumerate(frames)))
        finally:
            self.sock.setblocking(False)

    def subscribe(self, topic: bytes = b"") -> None:
        """As a SUB socket: ask for everything published (ZMTP 3.0's subscription message)."""
        self.send([b"\x01" + topic])

    def messages(self) -> list[list[bytes]]:
        """Read what has arrived (never blocks); the complete multipart messages in it."""
        while True:
            try:
                chunk = self.sock.recv(262144)
            except BlockingIOError:
                break
            if not chunk:
                raise ConnectionError("the kernel closed the connection")
            self._buffer += chunk
        done: list[list[bytes]] = []
        while True:
            parsed = self._parse_frame()
            if parsed is None:
                return done
            flags, body = parsed
            if flags & _COMMAND:
                continue  # PING and the like: nothing for us
            self._frames.append(body)
            if not flags & _MORE:
                done.append(self._frames)
                self._frames = []


class Session:
    """Jupyter messages over ZMTP: signing, sending, reading."""

    def __init__(self, key: bytes, signature_scheme: str = "hmac-sha256") -> None:
        if signature_scheme != "hmac-sha256":
            raise ZMTPError(f"unsupported signature scheme {signature_scheme!r}")
        self.key = key
        self.session = os.urandom(16).hex()

    def sign(self, parts: list[bytes]) -> bytes:
        return hmac_sha256(self.key, parts) if self.key else b""

    def send(self, channel: Channel, msg_type: str, content: dict[str, Any]) -> str:
        msg_id = os.urandom(16).hex()
        header = {
            "msg_id": msg_id,
            "msg_type": msg_type,
            "username": os.environ.get("USER", "fwcheat"),
            "session": self.session,
            "date": time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime()),
            "version": "5.3",
        }
        parts = [json.dumps(p).encode("utf-8") for p in (header, {}, {}, content)]
        channel.send([DELIM, self.sign(parts), *parts])
        return msg_id

    def decode(self, frames: list[bytes]) -> dict[str, Any] | None:
        """A message dict, or None for a malformed or wrongly signed one."""
        try:
            at = frames.index(DELIM)
        except ValueError:
            return None
        parts = frames[at + 2 : at + 6]
        if len(parts) < 4:
            return None
        if self.key and frames[at + 1] != self.sign(parts):
            return None
        try:
            header, parent, _metadata, content = (json.loads(p) for p in parts)
        except ValueError:
            return None
        return {"header": header, "parent_header": parent, "content": content}


def wait_readable(channels: list[Channel], timeout: float) -> list[Channel]:
    """The channels with data to read within ``timeout`` seconds."""
    ready, _, _ = select.select(channels, [], [], max(timeout, 0.0))
    return ready
