"""Black-box conformance of `gridke serve` with the TNO KE REST API: NOTES.md §3 items 1–57
(21–47 where observable over REST). Each test names its checklist item(s) as `item_NN`.

Run: python3 tests/conformance/run.py --gridke build/gridke --spec tests/data/rest/openapi-sc.yaml
"""

import concurrent.futures
import threading
import time
import unittest

from kehelper import EX, PREFIXES, XSD, Api, GridkeServer, Kb, unique

CONFIG = {}  # filled by run.py: gridke, spec
SERVER = None


def setUpModule():  # noqa: N802 (unittest name)
    global SERVER
    SERVER = GridkeServer(CONFIG["gridke"])


def tearDownModule():  # noqa: N802
    rc = SERVER.stop()
    if rc != 0:
        raise AssertionError(f"gridke serve exited with {rc} after SIGTERM")


class KeTest(unittest.TestCase):
    def setUp(self):
        self.api = Api(SERVER.url, CONFIG["spec"])
        self.kbs = []

    def tearDown(self):
        for kb in self.kbs:
            kb.stopped.set()
            self.api.delete("/sc", kb=kb.id, validate=False)
        for kb in self.kbs:
            if kb.thread is not None:
                kb.thread.join(5)
        self.assertEqual(self.api.schema_errors, [], "responses violate openapi-sc.yaml")

    def kb(self, name="kb", **kw):
        k = Kb(self.api, name=name, **kw)
        self.kbs.append(k)
        return k

    def message(self, r):
        body = r.json()
        self.assertIn("messageType", body)
        return body["message"]

    def assertMessage(self, r, status, text):  # noqa: N802
        self.assertEqual(r.status_code, status, r.text)
        self.assertIn(text, self.message(r))


class SmartConnectorLifecycle(KeTest):
    def body(self, kb_id, **extra):
        b = {"knowledgeBaseId": kb_id, "knowledgeBaseName": "n", "knowledgeBaseDescription": "d"}
        b.update(extra)
        return b

    def created(self, kb_id):
        self.kbs.append(type("K", (), {"id": kb_id, "stopped": threading.Event(), "thread": None})())

    def test_item_01_malformed_json_is_400(self):
        r = self.api.post("/sc", raw='{"bla"{}', headers={"Content-Type": "application/json"})
        self.assertEqual(r.status_code, 400)
        self.assertIn("Malformed JSON", self.message(r))

    def test_item_02_create_with_id_name_description(self):
        kb_id = unique("kb2")
        r = self.api.post("/sc", self.body(kb_id))
        self.created(kb_id)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.content, b"")

    def test_item_03_valid_ids(self):
        for kb_id in ["https://asdlkasld.com", "mailto:hello", "https://hello"]:
            r = self.api.post("/sc", self.body(kb_id))
            self.created(kb_id)
            self.assertEqual(r.status_code, 200, kb_id + " " + r.text)

    def test_item_04_invalid_ids(self):
        r = self.api.post("/sc", self.body(""))
        self.assertMessage(r, 400, "Knowledge Base ID must be a non-empty URI.")
        for kb_id in ["https://", "strange characters and spaces | & ^", "/relative.nl"]:
            r = self.api.post("/sc", self.body(kb_id))
            self.assertMessage(r, 400, "Knowledge base ID must be a valid RDF IRI.")

    def test_item_05_reasoner_level(self):
        for level, status in [(0, 400), (6, 400), (2, 200), (None, 200)]:
            kb_id = unique("level")
            extra = {} if level is None else {"reasonerLevel": level}
            r = self.api.post("/sc", self.body(kb_id, **extra))
            self.created(kb_id)
            self.assertEqual(r.status_code, status, f"level {level}: {r.text}")
            if status == 400:
                self.assertIn(f"The reasoner level should be between 1 and 5, inclusive and not {level}",
                              self.message(r))
            else:
                got = self.api.get("/sc", kb=kb_id).json()[0]
                self.assertEqual(got["reasonerLevel"], 2)

    def test_item_06_concurrent_creates(self):
        ids = [unique("quick") for _ in range(2)]
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            codes = list(pool.map(lambda i: Api(SERVER.url, CONFIG["spec"]).post(
                "/sc", self.body(i)).status_code, ids))
        for i in ids:
            self.created(i)
        self.assertEqual(codes, [200, 200])
        for i in ids:
            r = self.api.get("/sc", kb=i)
            self.assertEqual(r.status_code, 200)
            self.assertEqual(r.json()[0]["knowledgeBaseId"], i)

    def test_item_07_duplicate_id(self):
        kb = self.kb()
        r = self.api.post("/sc", self.body(kb.id))
        self.assertMessage(r, 400, "That knowledge base ID is already in use.")

    def test_item_08_get_sc(self):
        r = self.api.get("/sc", kb=unique("nobody"))
        self.assertMessage(r, 404, "Knowledge base not found.")
        r = self.api.get("/sc", kb="not a uri")
        self.assertMessage(r, 400, "must be a valid URI")
        a, b = self.kb("a", leaseRenewalTime=60), self.kb("b")
        listed = {k["knowledgeBaseId"]: k for k in self.api.get("/sc").json()}
        self.assertIn(a.id, listed)
        self.assertIn(b.id, listed)
        self.assertEqual(listed[a.id]["leaseRenewalTime"], 60)
        self.assertNotIn("leaseRenewalTime", listed[b.id])  # null fields are omitted

    def test_item_09_delete_sc(self):
        r = self.api.delete("/sc", kb=unique("nobody"))
        self.assertMessage(r, 404, "Deletion of knowledge base failed, because it could not be found.")
        r = self.api.delete("/sc")
        self.assertMessage(r, 400, "Knowledge-Base-Id header should not be null.")
        kb = self.kb()
        self.assertEqual(self.api.delete("/sc", kb=kb.id).status_code, 200)
        ids = [k["knowledgeBaseId"] for k in self.api.get("/sc").json()]
        self.assertNotIn(kb.id, ids)

    def test_item_10_lease_renew(self):
        plain = self.kb()
        r = self.api.put("/sc/lease/renew", kb=plain.id)
        self.assertMessage(r, 404, "Knowledge base found, but its lease could not be found.")
        r = self.api.put("/sc/lease/renew", kb=unique("nobody"))
        self.assertMessage(r, 404, "Knowledge base not found. (Has its lease already expired?)")
        leased = self.kb(lease=60)
        before = time.time()
        r = self.api.put("/sc/lease/renew", kb=leased.id)
        self.assertEqual(r.status_code, 200, r.text)
        body = r.json()
        self.assertEqual(body["knowledgeBaseId"], leased.id)
        from openapi_check import parse_date_time
        expires = parse_date_time(body["expires"]).timestamp()
        self.assertAlmostEqual(expires, before + 60, delta=5)

    def test_lease_bounds_are_checked(self):
        for lease in (29, 3601):
            r = self.api.post("/sc", self.body(unique("lease"), leaseRenewalTime=lease))
            self.assertMessage(r, 400, "leaseRenewalTime must be between 30 and 3600")

    def test_item_12_post_sc_answers_when_ready(self):
        answerer = self.kb("answerer")
        p = unique("p")
        answerer.register("Answer", gp=f"?a <{p}> ?b .",
                          handler=lambda req: [{"a": f"<{EX}x>", "b": f"<{EX}y>"}])
        asker = self.kb("asker")  # created after the answerer; ASK at once
        ki = asker.register("Ask", gp=f"?x <{p}> ?y .")
        result = asker.ask(ki)
        self.assertEqual(result["bindingSet"], [{"x": f"<{EX}x>", "y": f"<{EX}y>"}])

    def test_booleans_as_strings_and_nulls_are_accepted(self):
        kb = self.kb()
        r = self.api.post("/sc/ki", {"knowledgeInteractionType": "AskKnowledgeInteraction",
                                     "graphPattern": "?a <http://example.org/p> ?b .",
                                     "knowledgeGapsEnabled": "true", "includeMetaKIs": None,
                                     "prefixes": None, "communicativeAct": None,
                                     "knowledgeInteractionName": None}, kb=kb.id)
        self.assertEqual(r.status_code, 200, r.text)
        listed = self.api.get("/sc/ki", kb=kb.id).json()
        self.assertEqual(listed[0]["knowledgeGapsEnabled"], True)
        self.assertNotIn("knowledgeInteractionName", listed[0])

    def test_trailing_slashes_and_cors(self):
        kb_id = unique("slash")
        r = self.api.post("/sc/", self.body(kb_id))
        self.created(kb_id)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.headers.get("Access-Control-Allow-Origin"), "*")
        r = self.api.request("OPTIONS", "/sc/ki/", validate=False)
        self.assertEqual(r.status_code, 200)
        self.assertIn("Knowledge-Base-Id", r.headers.get("Access-Control-Allow-Headers", ""))

    def test_item_72_version(self):
        r = self.api.get("/version")
        self.assertEqual(r.status_code, 200)
        self.assertIsInstance(r.json()["version"], str)


class KnowledgeInteractionLifecycle(KeTest):
    def test_item_13_named_ki_id_and_canonical_pattern(self):
        kb = self.kb()
        ki = kb.register("Ask", name="ask-rel", gp="?a ex:relatedTo ?b .")
        self.assertEqual(ki, kb.id + "/interaction/ask-rel")
        listed = self.api.get("/sc/ki", kb=kb.id).json()
        self.assertEqual(len(listed), 1)
        got = listed[0]
        self.assertEqual(got["knowledgeInteractionId"], ki)
        self.assertEqual(got["knowledgeInteractionType"], "AskKnowledgeInteraction")
        self.assertEqual(got["knowledgeInteractionName"], "ask-rel")
        self.assertEqual(got["graphPattern"], "?a <http://example.org/relatedTo> ?b . ")
        self.assertEqual(got["communicativeAct"]["requiredPurposes"],
                         ["https://w3id.org/knowledge-engine/InformPurpose"])
        self.assertNotIn("prefixes", got)
        unnamed = kb.register("Post", arg="?a rdf:type ex:Thing .", res="?a ex:ok ?o .")
        self.assertTrue(unnamed.startswith(kb.id + "/interaction/"))
        post = [k for k in self.api.get("/sc/ki", kb=kb.id).json()
                if k["knowledgeInteractionId"] == unnamed][0]
        self.assertEqual(post["argumentGraphPattern"],
                         "?a <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                         "<http://example.org/Thing> . ")
        self.assertEqual(post["resultGraphPattern"], "?a <http://example.org/ok> ?o . ")

    def test_item_14_unknown_kb(self):
        kb_id = unique("nobody")
        r = self.api.post("/sc/ki", {"knowledgeInteractionType": "AskKnowledgeInteraction",
                                     "graphPattern": "?a ?b ?c ."}, kb=kb_id)
        self.assertMessage(r, 404, "Could not add knowledge interaction, because the given "
                                   f"knowledge base ID ({kb_id}) is unknown.")

    def test_item_15_duplicate_name(self):
        kb = self.kb()
        ki = kb.register("Ask", name="twice", gp="?a ex:p ?b .")
        r = kb.register("Ask", name="twice", gp="?a ex:q ?b .", expect=400)
        self.assertIn(f"The Knowledge Interaction with URI '{ki}' should not be already registered.",
                      self.message(r))

    def test_item_16_bad_name(self):
        kb = self.kb()
        r = kb.register("Ask", name="bad name!", gp="?a ex:p ?b .", expect=400)
        self.assertIn("bad name!", self.message(r))

    def test_item_17_missing_patterns(self):
        kb = self.kb()
        r = kb.register("Ask", expect=400)
        self.assertIn("graphPattern must be given for ASK knowledge interactions.", self.message(r))
        r = kb.register("Answer", expect=400)
        self.assertIn("graphPattern must be given for ANSWER knowledge interactions.",
                      self.message(r))
        r = kb.register("Post", expect=400)
        self.assertIn("At least one of argumentGraphPattern and resultGraphPattern must be given "
                      "for POST knowledge interactions.", self.message(r))
        r = kb.register("React", expect=400)
        self.assertIn("At least one of argumentGraphPattern and resultGraphPattern must be given "
                      "for REACT knowledge interactions.", self.message(r))

    def test_item_18_undeclared_prefix(self):
        kb = self.kb()
        r = kb.register("Ask", gp="?a foo:bar ?b .", expect=400)
        msg = self.message(r)
        self.assertTrue(msg.startswith("Invalid graph pattern: "), msg)
        self.assertIn("Note: Have you included your prefixes in the 'prefixes' property?", msg)
        r = kb.register("Ask", gp="?a ex:p ?b . FILTER(?b > 3)", expect=400)
        self.assertTrue(self.message(r).startswith("Invalid graph pattern: "))

    def test_unknown_type_and_wrong_json_types(self):
        kb = self.kb()
        r = self.api.post("/sc/ki", {"knowledgeInteractionType": "GuessKnowledgeInteraction"},
                          kb=kb.id)
        self.assertMessage(r, 400, "Unexpected value for knowledgeInteractionType: "
                                   "GuessKnowledgeInteraction")
        r = self.api.post("/sc/ki", {"knowledgeInteractionType": "AskKnowledgeInteraction",
                                     "graphPattern": 42}, kb=kb.id)
        self.assertMessage(r, 400, "'graphPattern' must be a string")
        r = self.api.post("/sc/ki", [1, 2], kb=kb.id)
        self.assertMessage(r, 400, "must be a KnowledgeInteraction JSON object")

    def test_item_19_unregister_then_ask_is_404(self):
        kb = self.kb()
        ki = kb.register("Ask", gp="?a ex:p ?b .")
        self.assertEqual(self.api.delete("/sc/ki", kb=kb.id, ki=ki).status_code, 200)
        r = self.api.post("/sc/ask", [], kb=kb.id, ki=ki)
        self.assertMessage(r, 404, "Knowledge Interaction not found, because its ID is unknown.")
        ki2 = kb.register("Ask", gp="?a ex:q ?b .")
        self.assertEqual(self.api.post("/sc/ask", [], kb=kb.id, ki=ki2).status_code, 200)

    def test_item_20_delete_unknown_ki(self):
        kb = self.kb()
        r = self.api.delete("/sc/ki", kb=kb.id, ki=kb.id + "/interaction/nothing")
        self.assertMessage(r, 404, "Knowledge base found, but the given knowledge interaction "
                                   "knowledge base ID is unknown.")
        r = self.api.delete("/sc/ki", kb=kb.id)
        self.assertMessage(r, 400, "Missing valid Knowledge-Interaction-Id header.")
        r = self.api.delete("/sc/ki", kb=unique("nobody"), ki="http://x/y")
        self.assertMessage(r, 404, "Knowledge base not found")


def answer_with(bindings):
    return lambda req: bindings


class AskAnswer(KeTest):
    def test_item_21_no_other_kb(self):
        kb = self.kb()
        ki = kb.register("Ask", gp=f"?a <{unique('lonely')}> ?b .")
        r = self.api.post("/sc/ask", [{}], kb=kb.id, ki=ki)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json(), {"bindingSet": [], "exchangeInfo": []})
        self.assertNotIn('"knowledgeGaps"', r.text)

    def test_item_22_23_24_renaming_and_unification(self):
        p, c = unique("b"), unique("c")
        answerer = self.kb("answerer")
        answerer.register("Answer", gp=f"?a <{p}> <{c}> .",
                          handler=answer_with([{"a": f"<{EX}a>"}]))
        asker = self.kb("asker")
        ki = asker.register("Ask", gp=f"?x <{p}> ?y .")
        result = asker.ask(ki, [])
        self.assertEqual(result["bindingSet"], [{"x": f"<{EX}a>", "y": f"<{c}>"}])
        self.assertIn(answerer.received[0]["bindingSet"], ([], [{}]))  # item 24
        self.assertEqual(answerer.received[0]["requestingKnowledgeBaseId"], asker.id)
        info = result["exchangeInfo"]
        self.assertEqual(len(info), 1)
        self.assertEqual(info[0]["status"], "SUCCEEDED")
        self.assertEqual(info[0]["knowledgeBaseId"], answerer.id)
        self.assertEqual(info[0]["initiator"], "knowledgeBase")
        self.assertEqual(info[0]["bindingSet"], [{"a": f"<{EX}a>"}])  # answerer's names

    def test_item_25_partial_bindings(self):
        p = unique("p")

        def handler(req):
            return [{"a": b["a"], "c": f"<{EX}v>"} for b in req["bindingSet"]]
        answerer = self.kb("answerer")
        answerer.register("Answer", gp=f"?a <{p}> ?c .", handler=handler)
        asker = self.kb("asker")
        ki = asker.register("Ask", gp=f"?x <{p}> ?y .")
        result = asker.ask(ki, [{"x": f"<{EX}a>"}, {"x": f"<{EX}x>"}])
        self.assertEqual(sorted(answerer.received[0]["bindingSet"], key=str),
                         [{"a": f"<{EX}a>"}, {"a": f"<{EX}x>"}])
        self.assertEqual(len(result["bindingSet"]), 2)

    def test_item_26_27_union_and_dedup(self):
        p = unique("p")
        for i in range(3):
            self.kb(f"ans{i}").register("Answer", gp=f"?a <{p}> ?b .",
                                        handler=answer_with([{"a": f"<{EX}s{i}>", "b": f"<{EX}o>"}]))
        for i in range(2):
            self.kb(f"dup{i}").register("Answer", gp=f"?a <{p}> ?b .",
                                        handler=answer_with([{"a": f"<{EX}s0>", "b": f"<{EX}o>"}]))
        asker = self.kb("asker")
        ki = asker.register("Ask", gp=f"?x <{p}> ?y .")
        result = asker.ask(ki)
        self.assertEqual(len(result["bindingSet"]), 3)
        self.assertEqual(len(result["exchangeInfo"]), 5)

    def test_item_28_one_kb_two_kis(self):
        p = unique("p")
        answerer = self.kb("answerer")
        for i in range(2):
            answerer.register("Answer", gp=f"?a <{p}> ?b .",
                              handler=answer_with([{"a": f"<{EX}k{i}>", "b": f"<{EX}o>"}]))
        asker = self.kb("asker")
        ki = asker.register("Ask", gp=f"?x <{p}> ?y .")
        result = asker.ask(ki)
        self.assertEqual(len(result["exchangeInfo"]), 2)
        self.assertEqual(len(result["bindingSet"]), 2)

    def test_item_29_join_of_three_answer_kis(self):
        p1, p2, p3 = unique("p1"), unique("p2"), unique("p3")
        s = f"<{EX}s1>"
        self.kb("a1").register("Answer", gp=f"?s <{p1}> ?v1 .",
                               handler=answer_with([{"s": s, "v1": f"<{EX}v1>"}]))
        self.kb("a2").register("Answer", gp=f"?s <{p2}> ?v2 .",
                               handler=answer_with([{"s": s, "v2": f"<{EX}v2>"}]))
        self.kb("a3").register("Answer", gp=f"?s <{p3}> ?v3 . ?s <{p3}x> ?v4 .",
                               handler=answer_with([{"s": s, "v3": f"<{EX}v3>",
                                                     "v4": f"<{EX}v4>"}]))
        asker = self.kb("asker")
        ki = asker.register("Ask", gp=f"?x <{p1}> ?a . ?x <{p2}> ?b . ?x <{p3}> ?c . "
                                      f"?x <{p3}x> ?d .")
        result = asker.ask(ki)
        self.assertEqual(result["bindingSet"], [{"x": s, "a": f"<{EX}v1>", "b": f"<{EX}v2>",
                                                 "c": f"<{EX}v3>", "d": f"<{EX}v4>"}])

    def test_item_30_39_recipient_selector(self):
        p = unique("p")
        kbs = []
        for i in range(3):
            k = self.kb(f"sel{i}")
            k.register("Answer", gp=f"?a <{p}> ?b .",
                       handler=answer_with([{"a": f"<{EX}r{i}>", "b": f"<{EX}o>"}]))
            kbs.append(k)
        asker = self.kb("asker")
        ki = asker.register("Ask", gp=f"?x <{p}> ?y .")
        one = asker.ask(ki, [], selector={"knowledgeBases": [kbs[1].id]})
        self.assertEqual(one["bindingSet"], [{"x": f"<{EX}r1>", "y": f"<{EX}o>"}])
        two = asker.ask(ki, [], selector={"knowledgeBases": [kbs[0].id, kbs[2].id]})
        self.assertEqual(len(two["bindingSet"]), 2)
        single = asker.ask(ki, [], selector={"singleKnowledgeBase": kbs[2].id})
        self.assertEqual(single["bindingSet"], [{"x": f"<{EX}r2>", "y": f"<{EX}o>"}])
        everyone = asker.ask(ki, [], selector={"knowledgeBases": []})  # item 39
        self.assertEqual(len(everyone["bindingSet"]), 3)

    def test_item_31_incompatible_answer_fails(self):
        p = unique("p")
        answerer = self.kb("answerer")
        answerer.register("Answer", gp=f"?a <{p}> ?b .",
                          handler=answer_with([{"a": f"<{EX}other>", "b": f"<{EX}o>"}]))
        asker = self.kb("asker")
        ki = asker.register("Ask", gp=f"?x <{p}> ?y .")
        result = asker.ask(ki, [{"x": f"<{EX}wanted>"}])
        self.assertEqual(result["bindingSet"], [])
        self.assertEqual(result["exchangeInfo"][0]["status"], "FAILED")
        self.assertTrue(result["exchangeInfo"][0]["failedMessage"])

    def test_item_33_large_binding_sets(self):
        p = [unique(f"p{i}") for i in range(6)]
        gp = " ".join(f"?s <{p[i]}> ?v{i} ." for i in range(6))

        def many(tag):
            return [dict({"s": f"<{EX}{tag}{n}>"},
                         **{f"v{i}": f"\"{n}-{i}\"" for i in range(6)}) for n in range(1500)]
        self.kb("big1").register("Answer", gp=gp, handler=answer_with(many("a")))
        self.kb("big2").register("Answer", gp=gp, handler=answer_with(many("b")))
        asker = self.kb("asker")
        ki = asker.register("Ask", gp=gp)
        start = time.time()
        result = asker.ask(ki)
        self.assertLess(time.time() - start, 10)
        self.assertEqual(len(result["bindingSet"]), 3000)

    def test_item_34_many_kis(self):
        asker_patterns = []
        answerer = self.kb("many")
        base = unique("b")
        for n in range(3):
            answerer.register("Answer", gp=f"?a{n} <{base}{n}> ?c{n} .",
                              handler=answer_with([{f"a{n}": f"<{EX}a>", f"c{n}": f"<{EX}c>"}]))
            asker_patterns.append(f"?x <{base}{n}> ?y .")
        asker = self.kb("asker")
        total = 0
        for gp in asker_patterns:
            total += len(asker.ask(asker.register("Ask", gp=gp))["bindingSet"])
        self.assertEqual(total, 3)

    def test_item_35_36_literals_are_normalised(self):
        p = unique("p")
        values = {"a": "\"true\"^^<http://www.w3.org/2001/XMLSchema#boolean>",
                  "b": "\"7\"^^<http://www.w3.org/2001/XMLSchema#int>",
                  "c": "\"bla\"^^<http://www.w3.org/2001/XMLSchema#string>",
                  "d": "10", "e": "21.5", "f": "\"eek\"@en"}
        gp = " ".join(f"<{EX}s> <{p}{k}> ?{k} ." for k in values)
        self.kb("lit").register("Answer", gp=gp, handler=answer_with([values]))
        asker = self.kb("asker")
        result = asker.ask(asker.register("Ask", gp=gp))
        self.assertEqual(result["bindingSet"], [{
            "a": "\"true\"^^<http://www.w3.org/2001/XMLSchema#boolean>",
            "b": "\"7\"^^<http://www.w3.org/2001/XMLSchema#int>",
            "c": "\"bla\"",
            "d": f"\"10\"^^<{XSD}integer>",
            "e": f"\"21.5\"^^<{XSD}decimal>",
            "f": "\"eek\"@en"}])

    def test_item_37_38_proactive_errors(self):
        kb = self.kb()
        ask = kb.register("Ask", gp="?a ex:p ?b .")
        post = kb.register("Post", arg="?a ex:p ?b .")
        r = self.api.post("/sc/ask", [], kb=kb.id, ki=post)
        self.assertMessage(r, 400, "Given Knowledge Interaction ID should have type "
                                   "AskKnowledgeInteraction and not PostKnowledgeInteraction.")
        r = self.api.post("/sc/post", [], kb=kb.id, ki=ask)
        self.assertMessage(r, 400, "Given Knowledge Interaction ID should have type "
                                   "PostKnowledgeInteraction and not AskKnowledgeInteraction.")
        r = self.api.post("/sc/ask", [], kb=kb.id, ki=kb.id + "/interaction/none")
        self.assertMessage(r, 404, "Knowledge Interaction not found, because its ID is unknown.")
        r = self.api.post("/sc/ask", [], kb=unique("nobody"), ki=ask)
        self.assertMessage(r, 404, "Smart connector not found, because its ID is unknown.")
        r = self.api.post("/sc/ask", [], kb=kb.id)
        self.assertMessage(r, 400, "Both Knowledge-Base-Id and Knowledge-Interaction-Id headers "
                                   "should be non-null.")
        r = self.api.post("/sc/ask", {"recipientSelector": {"knowledgeBases": []}}, kb=kb.id, ki=ask)
        self.assertMessage(r, 400, "The JSON Object should contain both a recipientSelector and "
                                   "bindingSet key.")
        r = self.api.post("/sc/ask", "text", kb=kb.id, ki=ask)
        self.assertMessage(r, 400, "The JSON should be either an JSON Object or an JSON Array.")
        r = self.api.post("/sc/ask", {"recipientSelector": 3, "bindingSet": []}, kb=kb.id, ki=ask)
        self.assertMessage(r, 400, "The RecipientSelector should be a valid JSON object")
        r = self.api.post("/sc/ask", [None], kb=kb.id, ki=ask)
        self.assertMessage(r, 400, "Bindings must be non-null.")
        r = self.api.post("/sc/ask", [{"a": "?x"}], kb=kb.id, ki=ask)
        self.assertMessage(r, 400, "Binding values should be concrete nodes")
        r = self.api.post("/sc/ask", [{"a": "<a>;<b>"}], kb=kb.id, ki=ask)
        self.assertEqual(r.status_code, 400)
        r = self.api.post("/sc/ask", [{"a": ["list"]}], kb=kb.id, ki=ask)
        self.assertMessage(r, 400, "variable 'a'")


class PostReact(KeTest):
    def test_item_40_46_post_reaches_react_in_its_names(self):
        p = unique("b")
        reactor = self.kb("reactor")
        reactor.register("React", arg=f"?d <{p}> ?e .", handler=answer_with([]))
        poster = self.kb("poster")
        ki = poster.register("Post", arg=f"?a <{p}> ?c .")
        result = poster.post(ki, [{"a": f"<{EX}m1>", "c": "68.2"}])
        self.assertEqual(result["resultBindingSet"], [])
        self.assertEqual(reactor.received[0]["bindingSet"],
                         [{"d": f"<{EX}m1>", "e": f"\"68.2\"^^<{XSD}decimal>"}])
        info = result["exchangeInfo"][0]
        self.assertEqual(info["status"], "SUCCEEDED")
        self.assertEqual(info["argumentBindingSet"],
                         [{"d": f"<{EX}m1>", "e": f"\"68.2\"^^<{XSD}decimal>"}])  # item 46
        self.assertEqual(info["resultBindingSet"], [])

    def test_item_41_42_two_reactors_results_union(self):
        p, q = unique("f"), unique("c")
        small = self.kb("r1")
        small.register("React", arg=f"?m <{p}> ?f .", res=f"?m <{q}> ?c .",
                       handler=lambda req: [{"m": b["m"], "c": "\"1\""} for b in req["bindingSet"]])
        big = self.kb("r2")
        big.register("React", arg=f"?m <{p}> ?f .", res=f"?m <{q}> ?c . ?m <{q}x> ?z .",
                     handler=lambda req: [{"m": b["m"], "c": "\"2\"", "z": "\"z\""}
                                          for b in req["bindingSet"]])
        poster = self.kb("poster")
        ki = poster.register("Post", arg=f"?m <{p}> ?f .", res=f"?m <{q}> ?c .")
        result = poster.post(ki, [{"m": f"<{EX}m>", "f": "1"}])
        self.assertEqual(len(small.received), 1)
        self.assertEqual(len(big.received), 1)
        self.assertEqual(sorted(result["resultBindingSet"], key=str),
                         [{"m": f"<{EX}m>", "c": "\"1\""}, {"m": f"<{EX}m>", "c": "\"2\""}])

    def test_item_43_slow_reactor_fails_not_the_post(self):
        p = unique("slow")

        def slow(req):
            time.sleep(1.5)
            return []
        self.kb("slow").register("React", arg=f"?a <{p}> ?b .", handler=slow)
        poster = self.kb("poster")
        ki = poster.register("Post", arg=f"?a <{p}> ?b .")
        start = time.time()
        result = poster.post(ki, [{"a": f"<{EX}a>", "b": f"<{EX}b>"}],
                             headers={"Gridke-Deadline-Ms": "500"})
        self.assertLess(time.time() - start, 1.4)
        self.assertEqual(result["resultBindingSet"], [])
        self.assertEqual(result["exchangeInfo"][0]["status"], "FAILED")
        time.sleep(1.2)  # let the slow handler's late answer arrive (it is dropped)

    def test_item_44_post_recipient_selector(self):
        p = unique("p")
        r1, r2 = self.kb("r1"), self.kb("r2")
        for r in (r1, r2):
            r.register("React", arg=f"?a <{p}> ?b .", handler=answer_with([]))
        poster = self.kb("poster")
        ki = poster.register("Post", arg=f"?a <{p}> ?b .")
        poster.post(ki, [{"a": f"<{EX}a>", "b": f"<{EX}b>"}], selector={"knowledgeBases": [r2.id]})
        self.assertEqual(len(r1.received), 0)
        self.assertEqual(len(r2.received), 1)

    def test_item_45_ill_typed_and_language_literals(self):
        p = unique("p")
        reactor = self.kb("reactor")
        reactor.register("React", arg=f"?a <{p}> ?b .", handler=answer_with([]))
        poster = self.kb("poster")
        ki = poster.register("Post", arg=f"?a <{p}> ?b .")
        for value in [f"\"eek\"^^<{XSD}decimal>", "\"eek\"@en"]:
            poster.post(ki, [{"a": f"<{EX}a>", "b": value}])
            self.assertEqual(reactor.received[-1]["bindingSet"], [{"a": f"<{EX}a>", "b": value}])

    def test_item_47_domain_knowledge_is_accepted(self):
        # The rule language and its error messages are covered in test_knowledge_network.py.
        kb = self.kb()
        r = self.api.post("/sc/knowledge", raw="@prefix ex: <http://example.org/> .",
                          kb=kb.id, validate=False)
        self.assertEqual(r.status_code, 200, r.text)
        r = self.api.post("/sc/knowledge", raw="", kb=unique("nobody"))
        self.assertEqual(r.status_code, 404)


class LongPolling(KeTest):
    def test_item_48_49_handle_round_trip(self):
        p = unique("p")
        answerer = self.kb("answerer")
        ans = answerer.register("Answer", gp=f"?a <{p}> ?b .")
        reactor = self.kb("reactor")
        react = reactor.register("React", arg=f"?a <{p}> ?b .")
        asker = self.kb("asker")
        ask = asker.register("Ask", gp=f"?a <{p}> ?b .")
        poster = self.kb("poster")
        post = poster.register("Post", arg=f"?a <{p}> ?b .")
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            fut = pool.submit(lambda: Api(SERVER.url, CONFIG["spec"]).post(
                "/sc/ask", [{}], kb=asker.id, ki=ask))
            r = self.api.get("/sc/handle", kb=answerer.id)
            self.assertEqual(r.status_code, 200, r.text)
            req = r.json()
            self.assertEqual(req["knowledgeInteractionId"], ans)
            self.assertEqual(req["handleRequestId"], 1)
            self.assertEqual(req["requestingKnowledgeBaseId"], asker.id)
            h = self.api.post("/sc/handle", {"handleRequestId": req["handleRequestId"],
                                             "bindingSet": [{"a": f"<{EX}a>", "b": f"<{EX}b>"}]},
                              kb=answerer.id, ki=ans)
            self.assertEqual(h.status_code, 200, h.text)
            self.assertEqual(fut.result().json()["bindingSet"],
                             [{"a": f"<{EX}a>", "b": f"<{EX}b>"}])
            fut = pool.submit(lambda: Api(SERVER.url, CONFIG["spec"]).post(
                "/sc/post", [{"a": f"<{EX}a>", "b": f"<{EX}b>"}], kb=poster.id, ki=post))
            r = self.api.get("/sc/handle", kb=reactor.id)
            req = r.json()
            h = self.api.post("/sc/handle", {"handleRequestId": req["handleRequestId"],
                                             "bindingSet": []}, kb=reactor.id, ki=react)
            self.assertEqual(h.status_code, 200, h.text)  # item 49
            self.assertEqual(fut.result().json()["exchangeInfo"][0]["status"], "SUCCEEDED")

    def test_item_50_heartbeat(self):
        quiet = self.kb("quiet")
        start = time.time()
        r = self.api.get("/sc/handle", kb=quiet.id)
        self.assertEqual(r.status_code, 202)
        self.assertGreater(time.time() - start, 0.8)  # the server runs with --heartbeat-s 1
        self.assertIn("does not have any Answer or React Knowledge Interaction registered",
                      self.message(r))
        quiet.register("Answer", gp=f"?a <{unique('p')}> ?b .")
        r = self.api.get("/sc/handle", kb=quiet.id)
        self.assertEqual(r.status_code, 202)
        self.assertEqual(r.content, b"")

    def test_item_51_52_second_poll_409_and_delete_410(self):
        kb = self.kb()
        kb.register("Answer", gp=f"?a <{unique('p')}> ?b .")
        other = Api(SERVER.url, CONFIG["spec"])
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            first = pool.submit(lambda: other.get("/sc/handle", kb=kb.id))
            time.sleep(0.3)
            second = self.api.get("/sc/handle", kb=kb.id)
            self.assertMessage(second, 409, "Only one connection per Knowledge-Base-Id is allowed "
                                            "and we already have one.")
            self.assertEqual(first.result().status_code, 202)
            first = pool.submit(lambda: other.get("/sc/handle", kb=kb.id))
            time.sleep(0.3)
            self.assertEqual(self.api.delete("/sc", kb=kb.id).status_code, 200)
            gone = first.result()
            self.assertEqual(gone.status_code, 410)
            self.assertEqual(gone.json()["messageType"], "message")
            self.assertIn("Do not reinitiate this request.", gone.json()["message"])

    def test_item_53_54_handle_errors(self):
        p = unique("p")
        answerer = self.kb("answerer")
        ans = answerer.register("Answer", gp=f"?a <{p}> ?b .")
        reactor = self.kb("reactor")
        react = reactor.register("React", arg=f"?a <{p}> ?b .")
        r = self.api.post("/sc/handle", {"handleRequestId": 99, "bindingSet": []},
                          kb=answerer.id, ki=ans)
        self.assertMessage(r, 404, "Handle request id 99 not found. Are you sure it is still "
                                   "being processed?")
        r = self.api.post("/sc/handle", {"bindingSet": []}, kb=answerer.id, ki=ans)
        self.assertMessage(r, 400, "The handleRequestId property is mandatory, but not provided.")
        r = self.api.post("/sc/handle", {"handleRequestId": 1, "bindingSet": []}, kb=answerer.id,
                          ki=answerer.id + "/interaction/none")
        self.assertMessage(r, 400, "Knowledge Interaction not found, because its ID must match an "
                                   "existing KI: ")
        r = self.api.post("/sc/handle", {"handleRequestId": "one"}, kb=answerer.id, ki=ans)
        self.assertMessage(r, 400, "handleRequestId property must be an integer")
        r = self.api.post("/sc/handle", raw="{", kb=answerer.id, ki=ans)
        self.assertMessage(r, 400, "Malformed JSON")
        asker = self.kb("asker")
        ask = asker.register("Ask", gp=f"?a <{p}> ?b .")
        poster = self.kb("poster")
        post = poster.register("Post", arg=f"?a <{p}> ?b .")
        cases = [
            ([{"a": f"<{EX}a>"}], "Expected a complete binding"),
            ([{"a": f"<{EX}a>", "b": f"<{EX}b>", "zz": f"<{EX}c>"}], "Given binding set uses key 'zz'"),
        ]
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            for answer, text in cases:
                fut = pool.submit(lambda: Api(SERVER.url, CONFIG["spec"]).post(
                    "/sc/ask", [{}], kb=asker.id, ki=ask))
                req = self.api.get("/sc/handle", kb=answerer.id).json()
                r = self.api.post("/sc/handle", {"handleRequestId": req["handleRequestId"],
                                                 "bindingSet": answer}, kb=answerer.id, ki=ans)
                self.assertMessage(r, 400, text)
                self.assertEqual(fut.result().json()["exchangeInfo"][0]["status"], "FAILED")
            fut = pool.submit(lambda: Api(SERVER.url, CONFIG["spec"]).post(
                "/sc/post", [{"a": f"<{EX}a>", "b": f"<{EX}b>"}], kb=poster.id, ki=post))
            req = self.api.get("/sc/handle", kb=reactor.id).json()
            r = self.api.post("/sc/handle", {"handleRequestId": req["handleRequestId"],
                                             "bindingSet": [{"a": f"<{EX}a>"}]},
                              kb=reactor.id, ki=react)
            self.assertMessage(r, 400, "Bindings must be empty when the graph pattern is missing.")
            self.assertEqual(fut.result().json()["exchangeInfo"][0]["status"], "FAILED")

    def test_item_55_error_message(self):
        p = unique("p")
        answerer = self.kb("answerer")
        answerer.register("Answer", gp=f"?a <{p}> ?b .",
                          handler=lambda req: {"errorMessage": "Database connection lost."})
        asker = self.kb("asker")
        result = asker.ask(asker.register("Ask", gp=f"?a <{p}> ?b ."))
        info = result["exchangeInfo"][0]
        self.assertEqual(info["status"], "FAILED")
        self.assertEqual(info["failedMessage"],
                         "An error occurred while ANSWERing: Database connection lost.")

    def test_item_56_queue_while_not_polling(self):
        p = unique("p")
        reactor = self.kb("reactor")
        react = reactor.register("React", arg=f"?a <{p}> ?b .")
        poster = self.kb("poster")
        post = poster.register("Post", arg=f"?a <{p}> ?b .")
        n = 3
        with concurrent.futures.ThreadPoolExecutor(n) as pool:
            futs = [pool.submit(lambda i=i: Api(SERVER.url, CONFIG["spec"]).post(
                "/sc/post", [{"a": f"<{EX}a{i}>", "b": f"<{EX}b>"}], kb=poster.id, ki=post))
                for i in range(n)]
            time.sleep(0.5)  # all three are queued: nobody polls yet
            ids = []
            for _ in range(n):
                req = self.api.get("/sc/handle", kb=reactor.id).json()
                ids.append(req["handleRequestId"])
                self.api.post("/sc/handle", {"handleRequestId": req["handleRequestId"],
                                             "bindingSet": []}, kb=reactor.id, ki=react)
            self.assertEqual(ids, [1, 2, 3])
            for f in futs:
                self.assertEqual(f.result().json()["exchangeInfo"][0]["status"], "SUCCEEDED")

    def test_item_57_unknown_kb(self):
        r = self.api.get("/sc/handle", kb=unique("nobody"))
        self.assertMessage(r, 404, "A Knowledge Base for the given Knowledge-Base-Id cannot be found.")
        r = self.api.get("/sc/handle")
        self.assertMessage(r, 400, "Knowledge-Base-Id header")


class BadInput(KeTest):
    def test_wrong_types_and_missing_fields(self):
        r = self.api.post("/sc", {"knowledgeBaseId": 5, "knowledgeBaseName": "n",
                                  "knowledgeBaseDescription": "d"})
        self.assertMessage(r, 400, "'knowledgeBaseId' must be a string, not number")
        r = self.api.post("/sc", {"knowledgeBaseId": unique("x"), "knowledgeBaseName": "n"})
        self.assertMessage(r, 400, "Missing required property 'knowledgeBaseDescription'")
        r = self.api.post("/sc", raw="")
        self.assertMessage(r, 400, "The request body is empty")
        r = self.api.post("/sc", ["not", "an", "object"])
        self.assertMessage(r, 400, "must be a SmartConnector JSON object")

    def test_unknown_paths_and_methods(self):
        r = self.api.get("/nothing", validate=False)
        self.assertMessage(r, 404, "No such endpoint")
        r = self.api.put("/sc/ask", validate=False)
        self.assertMessage(r, 405, "use POST")

    def test_server_keeps_serving_after_garbage(self):
        for raw in ["\x00\x01\x02", "[" * 10000, '{"a":' * 5000, "null", "1e999999"]:
            self.api.post("/sc", raw=raw, validate=False)
            self.api.post("/sc/ask", raw=raw, kb="http://x", ki="http://y", validate=False)
        self.assertEqual(self.api.get("/version").status_code, 200)
