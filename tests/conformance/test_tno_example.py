"""TNO's examples/rest-api flow (NOTES.md §5) against `gridke serve`: a sensor KB POSTs SAREF
temperature measurements, a storage KB REACTs (stores) and ANSWERs (history), a ui KB ASKs the
history and REACTs to live measurements. The clients are written as TNO's utils.py is: plain
`requests`, trailing slashes on sc/ and sc/ki/, `[{}]` ASKs, bare numbers and quoted timestamps in
bindings, a handle loop that re-polls on 202, stops on 410 and sleeps 2 s on anything else."""

import datetime
import threading
import time
import unittest

import requests

from kehelper import GridkeServer

CONFIG = {}

PREFIXES = {"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
            "saref": "https://saref.etsi.org/core/"}
PATTERN = """?meas rdf:type saref:Measurement .
?meas saref:hasValue ?temperature .
?meas saref:isMeasuredByDevice ?sensor .
?meas saref:relatesToProperty saref:Temperature .
?meas saref:hasTimestamp ?timestamp ."""


# --- a transcription of examples/rest-api/knowledge-bases/utils.py ---------------------------
def register_knowledge_base(base, kb_id, name, description):
    r = requests.post(f"{base}sc/", json={"knowledgeBaseId": kb_id, "knowledgeBaseName": name,
                                          "knowledgeBaseDescription": description})
    assert r.ok, r.text


def register_ki(base, kb_id, ki_type, graph_pattern=None, argument=None, result=None):
    body = {"knowledgeInteractionType": ki_type, "prefixes": PREFIXES}
    if ki_type in ("AskKnowledgeInteraction", "AnswerKnowledgeInteraction"):
        body["graphPattern"] = graph_pattern
    else:
        body["argumentGraphPattern"] = argument
        if result is not None:
            body["resultGraphPattern"] = result
    r = requests.post(f"{base}sc/ki/", json=body, headers={"Knowledge-Base-Id": kb_id})
    assert r.ok, r.text
    return r.json()["knowledgeInteractionId"]


def ask(base, kb_id, ki_id, bindings):
    r = requests.post(f"{base}sc/ask", json=bindings,
                      headers={"Knowledge-Base-Id": kb_id, "Knowledge-Interaction-Id": ki_id})
    assert r.ok, r.text
    return r.json()["bindingSet"]


def post(base, kb_id, ki_id, bindings):
    r = requests.post(f"{base}sc/post", json=bindings,
                      headers={"Knowledge-Base-Id": kb_id, "Knowledge-Interaction-Id": ki_id})
    assert r.ok, r.text
    return r.json()["resultBindingSet"]


def start_handle_loop(base, kb_id, handlers, stop):
    while not stop.is_set():
        r = requests.get(f"{base}sc/handle", headers={"Knowledge-Base-Id": kb_id}, timeout=40)
        if r.status_code == 200:
            req = r.json()
            result = handlers[req["knowledgeInteractionId"]](req["bindingSet"],
                                                             req["requestingKnowledgeBaseId"])
            requests.post(f"{base}sc/handle", json={"handleRequestId": req["handleRequestId"],
                                                    "bindingSet": result},
                          headers={"Knowledge-Base-Id": kb_id,
                                   "Knowledge-Interaction-Id": req["knowledgeInteractionId"]})
        elif r.status_code == 202:
            continue
        elif r.status_code == 410:
            return
        else:
            time.sleep(2)


def match_bindings(query, stored):
    """storage.py: exact string equality of the query's values."""
    return [b for b in stored if all(b.get(k) == v for k, v in query.items())]
# ---------------------------------------------------------------------------------------------


class TnoRestApiExample(unittest.TestCase):
    def test_sensor_storage_ui_flow(self):
        server = GridkeServer(CONFIG["gridke"])
        base = server.url + "/"  # TNO's examples use "http://knowledge-engine:8280/rest/"
        stop = threading.Event()
        threads = []
        try:
            sensor, storage, ui = ("http://example.org/sensor", "http://example.org/storage",
                                   "http://example.org/ui")
            for kb, name in [(storage, "storage"), (ui, "ui"), (sensor, "sensor")]:
                register_knowledge_base(base, kb, name, f"The {name} of the REST example")

            stored = []
            storage_react = register_ki(base, storage, "ReactKnowledgeInteraction", argument=PATTERN)
            storage_answer = register_ki(base, storage, "AnswerKnowledgeInteraction",
                                         graph_pattern=PATTERN)

            def store(bindings, requester):
                stored.extend(bindings)
                return []

            def history(bindings, requester):
                out = []
                for q in bindings or [{}]:
                    out += match_bindings(q, stored)
                return out
            threads.append(threading.Thread(target=start_handle_loop, args=(
                base, storage, {storage_react: store, storage_answer: history}, stop)))

            live = []
            ui_ask = register_ki(base, ui, "AskKnowledgeInteraction", graph_pattern=PATTERN)
            ui_react = register_ki(base, ui, "ReactKnowledgeInteraction", argument=PATTERN)

            def show(bindings, requester):
                for b in bindings:
                    live.append((b["temperature"], b["timestamp"][1:-1], requester))
                return []
            threads.append(threading.Thread(target=start_handle_loop,
                                            args=(base, ui, {ui_react: show}, stop)))
            for t in threads:
                t.start()

            sensor_post = register_ki(base, sensor, "PostKnowledgeInteraction", argument=PATTERN)
            sent = []
            for i in range(5):
                stamp = datetime.datetime(2026, 1, 1, 12, 0, i).isoformat()
                binding = {"meas": f"<http://example.org/sensor/measurement/{i}>",
                           "temperature": f"{20 + i / 10:.1f}", "timestamp": f"\"{stamp}\"",
                           "sensor": "<http://example.org/sensor/sensor1>"}
                sent.append(binding)
                self.assertEqual(post(base, sensor, sensor_post, [binding]), [])
                time.sleep(0.05)

            self.assertEqual(len(stored), 5)
            self.assertEqual(len(live), 5)
            # The 1.5 server normalises bare numbers (NOTES.md §5: the README looks older).
            self.assertEqual(live[0], ('"20.0"^^<http://www.w3.org/2001/XMLSchema#decimal>',
                                       "2026-01-01T12:00:00", sensor))
            got = ask(base, ui, ui_ask, [{}])
            self.assertEqual(len(got), 5)
            self.assertEqual({b["meas"] for b in got}, {b["meas"] for b in sent})
            one = ask(base, ui, ui_ask, [{"meas": "<http://example.org/sensor/measurement/3>"}])
            self.assertEqual(len(one), 1)
            self.assertEqual(one[0]["timestamp"], '"2026-01-01T12:00:03"')
        finally:
            stop.set()
            for kb in ("http://example.org/sensor", "http://example.org/storage",
                       "http://example.org/ui"):
                requests.delete(base + "sc", headers={"Knowledge-Base-Id": kb})
            for t in threads:
                t.join(10)
            self.assertEqual(server.stop(), 0)
