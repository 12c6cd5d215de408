"""Starts `cybercover serve` on a free loopback port and talks HTTP/1.1 to it.

Shared by the HTTP tests (tests/http/), the cross-interface determinism test
(tests/determinism/) and the load scripts (bench/). Only the standard library: http.client
for ordinary requests, raw sockets where the test needs control of every byte (pipelining,
slowloris, half-closed connections, malformed requests).
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

SOURCE_DIR = Path(__file__).resolve().parents[2]
EXAMPLES = SOURCE_DIR / "examples" / "requests"


def cli_path() -> str:
    """The cybercover program under test: $CYBERCOVER_CLI, else <source>/build/tools/cybercover."""
    path = os.environ.get("CYBERCOVER_CLI") or str(SOURCE_DIR / "build" / "tools" / "cybercover")
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"the cybercover program is not at {path}: set CYBERCOVER_CLI")
    return path


def example_request(name: str = "manufacturer_30_staff") -> bytes:
    return (EXAMPLES / f"{name}.json").read_bytes()


@dataclass
class Response:
    status: int
    headers: Dict[str, str]  # names lower-cased
    body: bytes

    def json(self):
        return json.loads(self.body)

    @property
    def error_code(self) -> Optional[str]:
        try:
            return self.json()["error"]["code"]
        except Exception:
            return None


class Server:
    """A `cybercover serve` process on 127.0.0.1 with a free port, its log in a temp file."""

    def __init__(self, *args: str, workdir: Path, tables: Optional[str] = None, env: Optional[dict] = None,
                 cli: Optional[str] = None, access_log: bool = True):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.access_log = self.workdir / f"access-{time.monotonic_ns()}.log"
        cmd = [cli or cli_path(), "serve", "--address", "127.0.0.1:0",
               "--access-log", str(self.access_log) if access_log else "off", *args]
        if tables:
            cmd += ["--tables", tables]
        full_env = dict(os.environ)
        full_env.pop("CYBERCOVER_TABLES", None)
        full_env.update(env or {})
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=full_env)
        self.events: List[dict] = []
        self.stderr_lines: List[str] = []
        self._listening = threading.Event()
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._reader.start()
        if not self._listening.wait(30):
            self.proc.kill()
            raise RuntimeError("the server did not start: " + "".join(self.stderr_lines))
        listening = next(e for e in self.events if e.get("event") == "listening")
        self.address = listening["address"]
        self.host, port = self.address.rsplit(":", 1)
        self.port = int(port)
        self.pid = self.proc.pid
        self._conn: Optional[http.client.HTTPConnection] = None

    def _read_stderr(self) -> None:
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace")
            self.stderr_lines.append(line)
            try:
                event = json.loads(line)
            except ValueError:
                continue
            self.events.append(event)
            if event.get("event") == "listening":
                self._listening.set()
        self._listening.set()

    # ---- requests ---------------------------------------------------------------------
    def connection(self, timeout: float = 30) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def request(self, method: str, path: str, body: Optional[bytes] = None, headers: Optional[dict] = None,
                conn: Optional[http.client.HTTPConnection] = None) -> Response:
        """One request on `conn` (or the server's own keep-alive connection)."""
        own = conn is None
        if own:
            if self._conn is None:
                self._conn = self.connection()
            conn = self._conn
        h = dict(headers or {})
        if body is not None and "Content-Type" not in h:
            h["Content-Type"] = "application/json"
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            data = r.read()
        except (http.client.HTTPException, OSError):
            if own:
                self._conn.close()
                self._conn = None
            raise
        resp = Response(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
        if own and resp.headers.get("connection", "").lower() == "close":
            self._conn.close()
            self._conn = None
        return resp

    def get(self, path: str, **kw) -> Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: bytes, **kw) -> Response:
        return self.request("POST", path, body=body, **kw)

    def raw(self, data: bytes, *, timeout: float = 10, shutdown_write: bool = False) -> bytes:
        """Sends bytes on a fresh connection and returns everything read until the server closes."""
        with socket.create_connection((self.host, self.port), timeout=timeout) as s:
            s.sendall(data)
            if shutdown_write:
                s.shutdown(socket.SHUT_WR)
            return read_until_close(s)

    # ---- observation ------------------------------------------------------------------
    def metrics(self) -> Dict[Tuple[str, Tuple[Tuple[str, str], ...]], float]:
        """GET /metrics parsed by prometheus_client's parser: {(sample name, labels): value}."""
        from prometheus_client.parser import text_string_to_metric_families
        text = self.get("/metrics").body.decode("utf-8")
        samples = {}
        for family in text_string_to_metric_families(text):
            for s in family.samples:
                samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
        return samples

    def access_log_lines(self) -> List[dict]:
        if not self.access_log.exists():
            return []
        return [json.loads(line) for line in self.access_log.read_text(encoding="utf-8").splitlines()]

    def rss_kb(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def send_signal(self, sig: int) -> None:
        os.kill(self.pid, sig)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise
        self._reader.join(5)
        return code

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        if self.proc.poll() is None:
            try:
                self.stop()
            except subprocess.TimeoutExpired:
                pass


def read_until_close(s: socket.socket) -> bytes:
    chunks = []
    while True:
        try:
            data = s.recv(65536)
        except ConnectionResetError:
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks)


def parse_responses(data: bytes) -> List[Response]:
    """Splits a byte stream into HTTP/1.1 responses (Content-Length framed, as the server sends)."""
    out = []
    pos = 0
    while pos < len(data):
        end = data.index(b"\r\n\r\n", pos)
        head = data[pos:end].decode("latin-1").split("\r\n")
        status = int(head[0].split()[1])
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        body_start = end + 4
        if status == 100:
            out.append(Response(status, headers, b""))
            pos = body_start
            continue
        out.append(Response(status, headers, data[body_start:body_start + length]))
        pos = body_start + length
    return out


def http_request_bytes(method: str, path: str, body: bytes = b"", headers: Optional[Sequence[Tuple[str, str]]] = None,
                       content_type: Optional[str] = "application/json") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    if content_type and method == "POST":
        lines.append(f"Content-Type: {content_type}")
    for name, value in headers or ():
        lines.append(f"{name}: {value}")
    if method == "POST" or body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
