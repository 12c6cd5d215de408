"""SIGTERM during traffic: every request in flight is answered, none is dropped.

In flight when the signal comes: requests whose bytes had all been sent (on keep-alive
connections, pipelined, or waiting in the worker queue as 1,000-quote batches), and requests
half sent, whose rest follows after the signal. Each must get its whole 200 response (with
Connection: close). Requests sent after the signal may only be refused at the connection level
(no byte of a response): the listener is closed. The access log agrees with the clients: every
response the server sent was received, and it logged no request it did not answer.
"""

from __future__ import annotations

import http.client
import signal
import socket
import threading
import time

from harness import Server, example_request, http_request_bytes, parse_responses, read_until_close

REFUSALS = (ConnectionRefusedError, ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected)


def test_sigterm_drains_requests_in_flight(tmp_path, cli):
    batch = b'{"requests": [' + b",".join([example_request()] * 1000) + b"]}"
    with Server("--threads", "2", "--workers", "2", "--read-timeout", "10", "--shutdown-timeout", "30",
                workdir=tmp_path, cli=cli) as s:
        kill_time = [float("inf")]
        outcomes = []  # (sent_at, outcome, detail)
        lock = threading.Lock()
        stop = threading.Event()

        def record(sent_at, outcome, detail=""):
            with lock:
                outcomes.append((sent_at, outcome, detail))

        def keep_alive_client(body: bytes, path: str):
            conn = s.connection(timeout=60)
            while not stop.is_set():
                sent_at = None
                try:
                    conn.putrequest("POST", path)
                    conn.putheader("Content-Type", "application/json")
                    conn.putheader("Content-Length", str(len(body)))
                    conn.endheaders(body)
                    sent_at = time.monotonic()
                    r = conn.getresponse()
                    data = r.read()
                    ok = r.status == 200 and len(data) == int(r.getheader("Content-Length"))
                    record(sent_at, "ok" if ok else "failed", f"{r.status} {len(data)}")
                    if r.getheader("Connection", "").lower() == "close":
                        conn.close()
                        conn = s.connection(timeout=60)
                except REFUSALS as e:
                    record(sent_at if sent_at is not None else time.monotonic(), "refused", repr(e))
                    conn.close()
                    if time.monotonic() > kill_time[0]:
                        return
                    conn = s.connection(timeout=60)
                except Exception as e:
                    record(sent_at or time.monotonic(), "failed", repr(e))
                    return

        clients = [threading.Thread(target=keep_alive_client, args=(example_request(), "/v1/quote")) for _ in range(4)]
        clients += [threading.Thread(target=keep_alive_client, args=(batch, "/v1/quotes")) for _ in range(3)]
        for t in clients:
            t.start()
        time.sleep(0.8)

        # Half-sent requests: the rest goes after the signal.
        half = []
        for path, body in (("/v1/quote", example_request()), ("/v1/quotes", batch), ("/v1/report?lang=en", example_request())):
            wire = http_request_bytes("POST", path, body)
            sock = socket.create_connection((s.host, s.port), timeout=60)
            sock.sendall(wire[: len(wire) // 2])
            half.append((sock, wire[len(wire) // 2:]))
        # Pipelined: three requests in one write, just before the signal.
        pipelined = socket.create_connection((s.host, s.port), timeout=60)
        pipelined.sendall(http_request_bytes("POST", "/v1/quotes", batch) * 2 + http_request_bytes("GET", "/healthz"))
        time.sleep(0.2)

        kill_time[0] = time.monotonic()
        s.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        for sock, rest in half:
            sock.sendall(rest)
        half_responses = [parse_responses(read_until_close(sock)) for sock, _ in half]
        pipelined_responses = parse_responses(read_until_close(pipelined))
        code = s.proc.wait(60)
        stop.set()
        for t in clients:
            t.join(60)

    assert code == 0
    assert [[r.status for r in rs] for rs in half_responses] == [[200], [200], [200]]
    assert all(r.headers["connection"] == "close" for rs in half_responses for r in rs)
    assert half_responses[1][0].json()["count"] == 1000 and half_responses[1][0].json()["error_count"] == 0
    # The first pipelined request was in flight; the server closes after answering it.
    assert pipelined_responses and pipelined_responses[0].status == 200
    assert pipelined_responses[0].json()["count"] == 1000

    failed = [o for o in outcomes if o[1] == "failed"]
    assert not failed, failed[:5]
    # Everything sent before the signal was answered; refusals only came after it.
    early_refusals = [o for o in outcomes if o[1] == "refused" and o[0] < kill_time[0]]
    assert not early_refusals, early_refusals[:5]
    ok_clients = sum(1 for o in outcomes if o[1] == "ok")
    assert ok_clients > 20

    log = s.access_log_lines()
    assert all(line["sent"] for line in log), [l for l in log if not l["sent"]][:3]
    ok_logged = sum(1 for l in log if l["status"] == 200)
    ok_raw = 3 + len([r for r in pipelined_responses if r.status == 200])
    assert ok_logged == ok_clients + ok_raw
    stopped = [e for e in s.events if e.get("event") == "stopped"]
    assert stopped == [{**stopped[0], "drained": True}]
