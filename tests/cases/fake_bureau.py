"""A local credit bureau for tests: an HTTP server in a thread of the test process, as the
bureaus' JSON APIs are (bearer token, ``Idempotency-Key`` honoured: a repeated key answers
the first reference and files nothing again), and helpers to run what the services queued."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from collections_portal.tenancy import creditor_scope


@dataclass
class FakeBureau:
    token: str = "bureau-test-token"
    requests: list = field(default_factory=list)  # every request: path, headers, JSON body
    filed: dict = field(default_factory=dict)  # idempotency key -> the record filed
    script: list = field(default_factory=list)  # answers for the next calls: 503, 422, ...
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, handler: BaseHTTPRequestHandler) -> tuple[int, dict]:
        length = int(handler.headers.get("Content-Length", "0"))
        body = json.loads(handler.rfile.read(length) or b"{}")
        headers = {k.lower(): v for k, v in handler.headers.items()}
        with self.lock:
            self.requests.append({"path": handler.path, "headers": headers, "json": body})
            step = self.script.pop(0) if self.script else None
        if headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"error": "bad token"}
        if isinstance(step, int):
            return step, {"error": "scripted failure"}
        key = headers.get("idempotency-key", "")
        with self.lock:
            if key not in self.filed:
                kind = "REG" if handler.path.endswith("/registrations") else "DEL"
                self.filed[key] = {"reference": f"{kind}-{len(self.filed) + 1}", **body}
            return 201, {"reference": self.filed[key]["reference"]}

    def records(self, action: str) -> list[dict]:
        return [r for r in self.filed.values() if r["action"] == action]


class RunningBureau:
    def __init__(self):
        self.bureau = FakeBureau()
        bureau = self.bureau

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                status, answer = bureau.handle(self)
                data = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        bureau.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeBureau:
        self.thread.start()
        return self.bureau

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def run_queued(hooks, creditor) -> list:
    """Run the credit-bureau sends the services queued on commit, as a worker would."""
    results = []
    with creditor_scope(creditor):
        for hook in hooks:
            task = getattr(hook, "task", None)
            if task is not None and task.name == "cases.credit_bureau_send":
                results.append(task(**hook.kwargs))
    return results
