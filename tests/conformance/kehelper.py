"""Helpers for black-box tests of a KE Smart Connector REST server (gridke serve).

GridkeServer starts `gridke serve` on a free port; Api wraps `requests` and validates every
response against openapi-sc.yaml; Kb is a Python knowledge base with a long-poll thread, written
the way TNO's example clients are (NOTES.md §5).
"""

import json
import os
import signal
import subprocess
import threading
import time
import uuid

import requests

from openapi_check import OpenApi

EX = "http://example.org/"
PREFIXES = {"ex": EX, "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#"}
XSD = "http://www.w3.org/2001/XMLSchema#"


class GridkeServer:
    """`gridke serve --port 0` as a subprocess; stop() sends SIGTERM and checks the exit code."""

    def __init__(self, gridke, extra_args=()):
        args = [gridke, "serve", "--port", "0", "--format", "json", "--heartbeat-s", "1",
                "--lease-check-s", "1", "--log-level", os.environ.get("GRIDKE_LOG", "warn")]
        args += list(extra_args)
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=None, text=True)
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("gridke serve exited before printing its URL (rc=%s)"
                               % self.proc.wait(5))
        ready = json.loads(line)
        self.url = ready["url"]
        self.port = ready["port"]

    def stop(self, timeout=20):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)


_SPECS = {}


def spec(path):
    """The parsed spec, loaded once per process."""
    if path not in _SPECS:
        _SPECS[path] = OpenApi(path)
    return _SPECS[path]


class Api:
    """requests wrapper: every response is checked against the OpenAPI response schema."""

    def __init__(self, base_url, spec_path):
        self.base = base_url
        self.spec = spec(spec_path)
        self.session = requests.Session()
        self.schema_errors = []
        self.checked = 0

    def request(self, method, path, kb=None, ki=None, body=None, raw=None, headers=None,
                timeout=60, validate=True):
        h = dict(headers or {})
        if kb is not None:
            h["Knowledge-Base-Id"] = kb
        if ki is not None:
            h["Knowledge-Interaction-Id"] = ki
        data = raw
        if body is not None:
            data = json.dumps(body)
            h.setdefault("Content-Type", "application/json")
        r = self.session.request(method, self.base + path, headers=h, data=data, timeout=timeout)
        if validate:
            self.validate(method, path, r)
        return r

    def validate(self, method, path, r):
        spec_path = "/" + path.strip("/")
        found, schema = self.spec.response(spec_path, method, r.status_code)
        if not found:
            return
        self.checked += 1
        if schema is None:
            if r.content:
                self.schema_errors.append(
                    f"{method} {path} -> {r.status_code}: the spec has no body, got {r.text[:200]}")
            return
        if r.status_code == 202 and not r.content:
            return  # heartbeat without body (NOTES.md §1.4: body only without ANSWER/REACT KIs)
        try:
            body = r.json()
        except ValueError:
            self.schema_errors.append(f"{method} {path} -> {r.status_code}: not JSON: {r.text[:200]}")
            return
        errs = self.spec.errors(body, schema)
        if errs:
            self.schema_errors.append(f"{method} {path} -> {r.status_code}: " + "; ".join(errs[:5]))

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


def unique(name):
    return f"{EX}{name}-{uuid.uuid4().hex[:8]}"


class Kb:
    """A knowledge base driven over REST. Handlers: fn(request_dict) -> bindingSet list, or
    {"errorMessage": text}, or None to leave the request unanswered."""

    def __init__(self, api, kb_id=None, name="kb", lease=None, **extra):
        self.api = api
        self.id = kb_id or unique(name)
        body = {"knowledgeBaseId": self.id, "knowledgeBaseName": name,
                "knowledgeBaseDescription": "conformance test KB " + name}
        if lease is not None:
            body["leaseRenewalTime"] = lease
        body.update(extra)
        r = api.post("/sc", body)
        if r.status_code != 200:
            raise AssertionError(f"POST /sc {self.id} -> {r.status_code} {r.text}")
        self.handlers = {}
        self.received = []
        self.poll_statuses = []
        self.thread = None
        self.stopped = threading.Event()

    def register(self, kind, name=None, gp=None, arg=None, res=None, prefixes=PREFIXES,
                 handler=None, expect=200, **extra):
        body = {"knowledgeInteractionType": kind + "KnowledgeInteraction"}
        if name:
            body["knowledgeInteractionName"] = name
        if gp is not None:
            body["graphPattern"] = gp
        if arg is not None:
            body["argumentGraphPattern"] = arg
        if res is not None:
            body["resultGraphPattern"] = res
        if prefixes is not None:
            body["prefixes"] = prefixes
        body.update(extra)
        r = self.api.post("/sc/ki", body, kb=self.id)
        if r.status_code != expect:
            raise AssertionError(f"POST /sc/ki -> {r.status_code} {r.text}")
        if expect != 200:
            return r
        ki = r.json()["knowledgeInteractionId"]
        if handler is not None:
            self.handlers[ki] = handler
            self.start()
        return ki

    def ask(self, ki, bindings=None, selector=None, headers=None, expect=200):
        body = bindings if bindings is not None else [{}]
        if selector is not None:
            body = {"recipientSelector": selector, "bindingSet": body}
        r = self.api.post("/sc/ask", body, kb=self.id, ki=ki, headers=headers)
        if expect is not None and r.status_code != expect:
            raise AssertionError(f"POST /sc/ask -> {r.status_code} {r.text}")
        return r.json()

    def post(self, ki, bindings, selector=None, headers=None, expect=200):
        body = bindings
        if selector is not None:
            body = {"recipientSelector": selector, "bindingSet": bindings}
        r = self.api.post("/sc/post", body, kb=self.id, ki=ki, headers=headers)
        if expect is not None and r.status_code != expect:
            raise AssertionError(f"POST /sc/post -> {r.status_code} {r.text}")
        return r.json()

    def start(self):
        if self.thread is None:
            self.thread = threading.Thread(target=self._loop, daemon=True)
            self.thread.start()

    def _loop(self):
        while not self.stopped.is_set():
            try:
                r = self.api.get("/sc/handle", kb=self.id, timeout=40)
            except requests.RequestException:
                time.sleep(0.2)
                continue
            self.poll_statuses.append(r.status_code)
            if r.status_code == 200:
                req = r.json()
                self.received.append(req)
                handler = self.handlers.get(req["knowledgeInteractionId"])
                answer = handler(req) if handler else []
                if answer is None:
                    continue
                body = {"handleRequestId": req["handleRequestId"]}
                if isinstance(answer, dict):
                    body.update(answer)
                else:
                    body["bindingSet"] = answer
                h = self.api.post("/sc/handle", body, kb=self.id, ki=req["knowledgeInteractionId"])
                self.last_handle_status = h.status_code
            elif r.status_code in (202, 500):
                continue
            elif r.status_code == 409:
                time.sleep(1)
            else:  # 410 stop; 404 gone
                return

    def delete(self):
        self.stopped.set()
        r = self.api.delete("/sc", kb=self.id)
        if self.thread is not None:
            self.thread.join(10)
        return r
