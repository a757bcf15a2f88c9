"""NOTES.md §3 items 58–68 over REST (knowledge gaps, metadata, domain knowledge) and the GridKE
extensions of issue #10: GET /sc/ki/plan and the Gridke-Deadline-Ms header.

  python3 tests/conformance/test_knowledge_network.py --gridke build/gridke \
      --spec tests/data/rest/openapi-sc.yaml [-k PATTERN]

(or through run.py once its SUITES list names "knowledge-network").
"""

import argparse
import os
import sys
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from kehelper import EX, Api, GridkeServer, Kb  # noqa: E402

CONFIG = {}
KE = "https://w3id.org/knowledge-engine/"
META_PREFIXES = {"kb": KE, "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#"}
META_PATTERN = (
    "?kb rdf:type kb:KnowledgeBase . ?kb kb:hasName ?name . ?kb kb:hasDescription ?description . "
    "?kb kb:hasKnowledgeInteraction ?ki . ?ki rdf:type ?kiType . ?ki kb:isMeta ?isMeta . "
    "?ki kb:hasCommunicativeAct ?act . ?act rdf:type kb:CommunicativeAct . "
    "?act kb:hasRequirement ?req . ?act kb:hasSatisfaction ?sat . ?req rdf:type ?reqType . "
    "?sat rdf:type ?satType . ?ki kb:hasGraphPattern ?gp . ?gp rdf:type ?patternType . "
    "?gp kb:hasPattern ?pattern .")
RULES_PREFIX = "@prefix ex: <http://example.org/> .\n"


def wait_for(predicate, seconds=10.0):
    end = time.time() + seconds
    while time.time() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


class KnowledgeNetwork(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = GridkeServer(CONFIG["gridke"])
        cls.api = Api(cls.server.url, CONFIG["spec"])

    @classmethod
    def tearDownClass(cls):
        assert cls.server.stop() == 0

    def setUp(self):
        self.kbs = []

    def tearDown(self):
        for kb in self.kbs:
            kb.delete()
        self.assertEqual(self.api.schema_errors, [])

    def kb(self, name="kb", **extra):
        kb = Kb(self.api, name=name, **extra)
        self.kbs.append(kb)
        return kb

    def knowledge(self, kb_id, text):
        return self.api.post("/sc/knowledge", raw=text.encode(), kb=kb_id,
                             headers={"Content-Type": "text/plain"})

    def require_knowledge_endpoint(self, kb_id):
        r = self.knowledge(kb_id, "")
        if r.status_code == 501:
            self.skipTest("this server does not route POST /sc/knowledge bodies yet: " + r.text)
        self.assertEqual(r.status_code, 200, r.text)

    # ---- knowledge gaps (items 58–63) ----------------------------------------------------

    def test_item_58_gaps_with_no_other_kbs(self):
        kb = self.kb("kb1")
        ki = kb.register("Ask", gp="?a ex:isRelatedTo ?b .", knowledgeGapsEnabled=True)
        body = kb.ask(ki)
        self.assertEqual(body["bindingSet"], [])
        self.assertEqual(body["knowledgeGaps"], [[f"?a <{EX}isRelatedTo> ?b"]])

    def test_item_59_partial_cover_gives_the_missing_triple(self):
        kb1 = self.kb("kb1")
        kb2 = self.kb("kb2")
        calls = []
        kb2.register("Answer", gp="?x ex:isRelatedTo ?y .",
                     handler=lambda req: calls.append(req) or [
                         {"x": f"<{EX}p1>", "y": f"<{EX}p2>"}])
        ask = kb1.register("Ask", gp="?a ex:isRelatedTo ?b . ?a ex:isFatherOf ?c .",
                           knowledgeGapsEnabled=True)
        body = kb1.ask(ask)
        self.assertEqual(body["bindingSet"], [])
        self.assertEqual(body["knowledgeGaps"], [[f"?a <{EX}isFatherOf> ?c"]])
        self.assertEqual(len(calls), 1)  # the answerer was polled (and answered 200)
        self.assertTrue(wait_for(lambda: getattr(kb2, "last_handle_status", None) == 200))

    def test_item_60_full_cover_gives_empty_gaps(self):
        kb1 = self.kb("kb1")
        kb2 = self.kb("kb2")
        kb2.register("Answer", gp="?x ex:isRelatedTo ?y . ?x ex:isFatherOf ?z .",
                     handler=lambda req: [{"x": f"<{EX}p1>", "y": f"<{EX}p2>", "z": f"<{EX}p3>"}])
        ask = kb1.register("Ask", gp="?a ex:isRelatedTo ?b . ?a ex:isFatherOf ?c .",
                           knowledgeGapsEnabled=True)
        body = kb1.ask(ask)
        self.assertEqual(len(body["bindingSet"]), 1)
        self.assertEqual(body["knowledgeGaps"], [])

    def test_item_61_react_chain_with_missing_premise(self):
        kb1 = self.kb("kb1")
        kb2 = self.kb("kb2")
        kb3 = self.kb("kb3")
        reacted = []
        kb2.register("React", arg="?a ex:liveInTheSameHouse ?b .", res="?a ex:isRelatedTo ?b .",
                     handler=lambda req: reacted.append(req) or [])
        kb3.register("Answer", gp="?x ex:isRelatedTo1 ?y .", handler=lambda req: [])
        ask = kb1.register("Ask", gp="?a ex:isRelatedTo ?b . ?a ex:isFatherOf ?c .",
                           knowledgeGapsEnabled=True)
        body = kb1.ask(ask)
        self.assertEqual(body["bindingSet"], [])
        self.assertEqual(len(body["knowledgeGaps"]), 1)
        self.assertEqual(sorted(body["knowledgeGaps"][0]),
                         sorted([f"?a <{EX}isFatherOf> ?c", f"?a <{EX}liveInTheSameHouse> ?b"]))
        self.assertEqual(reacted, [])  # its premise is unsupplied: never called

    def test_item_62_gaps_include_rule_bodies(self):
        kb1 = self.kb("kb1")
        self.require_knowledge_endpoint(kb1.id)
        r = self.knowledge(kb1.id, RULES_PREFIX + "(?p ex:livesWith ?q) -> (?p ex:isRelatedTo ?q) .")
        self.assertEqual(r.status_code, 200, r.text)
        ask = kb1.register("Ask", gp="?a ex:isRelatedTo ?b .", knowledgeGapsEnabled=True)
        self.assertEqual(kb1.ask(ask)["knowledgeGaps"], [[f"?p <{EX}livesWith> ?q"]])

    def test_item_63_no_gaps_key_when_not_enabled(self):
        kb = self.kb("kb1")
        ki = kb.register("Ask", gp="?a ex:isRelatedTo ?b .")
        body = kb.ask(ki)
        self.assertNotIn("knowledgeGaps", body)

    # ---- metadata (items 64–66) ------------------------------------------------------------

    def test_item_64_include_meta_kis_finds_the_other_kb(self):
        kb1 = self.kb("kb1")
        kb2 = self.kb("kb2")
        with_meta = kb1.register("Ask", gp="?kb rdf:type kb:KnowledgeBase .",
                                 prefixes=META_PREFIXES, includeMetaKIs=True)
        without = kb1.register("Ask", gp="?kb rdf:type kb:KnowledgeBase .",
                               prefixes=META_PREFIXES)
        found = {b["kb"] for b in kb1.ask(with_meta)["bindingSet"]}
        self.assertIn(f"<{kb2.id}>", found)
        self.assertNotIn(f"<{kb1.id}>", found)
        self.assertEqual(kb1.ask(without)["bindingSet"], [])

    def test_item_65_partial_metadata_by_name(self):
        kb1 = self.kb("kb1")
        target = self.kb("uniquely-named-kb3")
        ask = kb1.register("Ask", gp='?kb kb:hasName "uniquely-named-kb3" .',
                           prefixes=META_PREFIXES, includeMetaKIs=True)
        self.assertEqual(kb1.ask(ask)["bindingSet"], [{"kb": f"<{target.id}>"}])

    def test_item_66_meta_react_hears_new_changed_removed(self):
        watcher = self.kb("watcher")
        seen = []
        lock = threading.Lock()

        def record(purpose):
            def handle(req):
                with lock:
                    for b in req["bindingSet"]:
                        seen.append((purpose, b["kb"]))
                return []
            return handle
        for purpose in ("New", "Changed", "Removed"):
            watcher.register("React", arg=META_PATTERN, prefixes=META_PREFIXES,
                             handler=record(purpose),
                             communicativeAct={
                                 "requiredPurposes": [f"{KE}{purpose}KnowledgePurpose"],
                                 "satisfiedPurposes": [f"{KE}InformPurpose"]})
        newcomer = Kb(self.api, name="newcomer")
        newcomer.register("Post", arg="?a ex:b ?c .")
        self.assertEqual(newcomer.delete().status_code, 200)
        kb = f"<{newcomer.id}>"

        def all_seen():
            with lock:
                return {p for p, k in seen if k == kb} == {"New", "Changed", "Removed"}
        self.assertTrue(wait_for(all_seen), seen)

    # ---- domain knowledge (items 67, 68) ---------------------------------------------------

    def test_item_67_domain_knowledge_status_codes(self):
        kb = self.kb("kb1")
        self.require_knowledge_endpoint(kb.id)
        r = self.knowledge(f"{EX}unknown-kb", RULES_PREFIX + "-> (ex:a ex:b ex:c) .")
        self.assertEqual(r.status_code, 404, r.text)
        r = self.knowledge(kb.id, RULES_PREFIX + "(?a ex:b ?c) -> (?a ex:d ?c) .")
        self.assertEqual(r.status_code, 200, r.text)
        r = self.knowledge(kb.id, "(?a ex:b ?c) -> (?a ex:d ?c) .")
        self.assertEqual(r.status_code, 400, r.text)
        self.assertIn("The provided domain knowledge should parse correctly", r.json()["message"])
        self.assertEqual(self.knowledge(kb.id, "").status_code, 200)
        r = self.api.post("/sc/knowledge", raw=b"", headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(r.json()["message"], "Missing valid Knowledge-Base-Id header.")

    def test_item_68_transitivity_rule_at_level_2(self):
        asker = self.kb("asker")
        self.require_knowledge_endpoint(asker.id)
        registry = self.kb("registry")
        rows = [{"x": f"<{EX}sensor1>", "y": f"<{EX}room1>"},
                {"x": f"<{EX}room1>", "y": f"<{EX}building>"}]

        def answer(req):
            incoming = req["bindingSet"]
            return [r for r in rows
                    if not incoming or any(all(r.get(k) == v for k, v in b.items())
                                           for b in incoming)]
        registry.register("Answer", gp="?x ex:isPartOf ?y .", handler=answer)
        r = self.knowledge(asker.id, RULES_PREFIX +
                           "[t: (?a ex:isPartOf ?b), (?b ex:isPartOf ?c) -> (?a ex:isPartOf ?c)]")
        self.assertEqual(r.status_code, 200, r.text)
        ask = asker.register("Ask", gp="?s ex:isPartOf ex:building .")
        found = sorted(b["s"] for b in asker.ask(ask)["bindingSet"])
        self.assertEqual(found, [f"<{EX}room1>", f"<{EX}sensor1>"])

    # ---- GridKE extensions -----------------------------------------------------------------

    def test_plan_endpoint_explains_a_post_that_misses_a_react(self):
        poster = self.kb("poster")
        reacter = self.kb("reacter")
        post = poster.register("Post", arg="?m ex:value ?v .")
        reacter.register("React", arg="?x ex:value ?y . ?x ex:unit ?u .", handler=lambda r: [])
        r = self.api.get("/sc/ki/plan", kb=poster.id, ki=post)
        if r.status_code == 404 and "No such endpoint" in r.text:
            self.skipTest("this server does not route GET /sc/ki/plan yet")
        self.assertEqual(r.status_code, 200, r.text)
        body = r.json()
        self.assertEqual(body["knowledgeInteractionType"], "PostKnowledgeInteraction")
        self.assertEqual(body["plan"], [])
        misses = [m for m in body["nearMisses"] if m["knowledgeBaseId"] == reacter.id]
        self.assertEqual(len(misses), 1)
        self.assertIn("does not send", misses[0]["reason"])
        self.assertEqual(misses[0]["unmatched"], [f"?x <{EX}unit> ?u"])

    def test_deadline_header_gives_partial_results(self):
        asker = self.kb("asker")
        fast = self.kb("fast")
        slow = self.kb("slow")
        fast.register("Answer", gp="?d ex:value ?v .",
                      handler=lambda req: [{"d": f"<{EX}d1>", "v": '"1"'}])
        slow.register("Answer", gp="?d ex:value ?v .", handler=lambda req: None)  # never answers
        ask = asker.register("Ask", gp="?d ex:value ?v .")
        started = time.time()
        body = asker.ask(ask, headers={"Gridke-Deadline-Ms": "500"})
        self.assertLess(time.time() - started, 5)
        self.assertEqual(body["bindingSet"], [{"d": f"<{EX}d1>", "v": '"1"'}])
        failed = [e for e in body["exchangeInfo"] if e["status"] == "FAILED"]
        self.assertEqual([e["knowledgeBaseId"] for e in failed], [slow.id])
        self.assertIn("TimeoutException", failed[0]["failedMessage"])


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gridke", required=True)
    parser.add_argument("--spec", required=True)
    parser.add_argument("-k", dest="pattern", action="append")
    args = parser.parse_args()
    CONFIG.update(gridke=os.path.abspath(args.gridke), spec=os.path.abspath(args.spec))
    loader = unittest.TestLoader()
    if args.pattern:
        loader.testNamePatterns = [f"*{p}*" for p in args.pattern]
    result = unittest.TextTestRunner(verbosity=2).run(loader.loadTestsFromTestCase(KnowledgeNetwork))
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
