"""NOTES.md §3 item 11 (slow: about 35 s): a leased KB that is not renewed is removed after
leaseRenewalTime plus at most one lease check, its pending long poll gets 410; a renewed KB
stays. The server runs with --lease-check-s 1."""

import threading
import time
import unittest

from kehelper import Api, GridkeServer, Kb, unique

CONFIG = {}


class LeaseExpiry(unittest.TestCase):
    def test_item_11_unrenewed_lease_expires_and_poll_gets_410(self):
        server = GridkeServer(CONFIG["gridke"], ["--heartbeat-s", "60"])
        try:
            api = Api(server.url, CONFIG["spec"])
            expiring = Kb(api, name="expiring", lease=30)
            renewed = Kb(api, name="renewed", lease=30)
            expiring.register("Answer", gp=f"?a <{unique('p')}> ?b .")
            outcome = {}

            def poll():
                start = time.time()
                r = api.get("/sc/handle", kb=expiring.id, timeout=90)
                outcome.update(status=r.status_code, after=time.time() - start)
            t = threading.Thread(target=poll)
            t.start()
            for _ in range(4):
                time.sleep(10)
                self.assertEqual(api.put("/sc/lease/renew", kb=renewed.id).status_code, 200)
            t.join(60)
            self.assertEqual(outcome.get("status"), 410)
            self.assertGreater(outcome["after"], 29)
            self.assertLess(outcome["after"], 35)
            self.assertEqual(api.get("/sc", kb=expiring.id).status_code, 404)
            self.assertEqual(api.get("/sc", kb=renewed.id).status_code, 200)
            r = api.put("/sc/lease/renew", kb=expiring.id)
            self.assertEqual(r.status_code, 404)
            self.assertIn("Has its lease already expired?", r.json()["message"])
            self.assertEqual(api.schema_errors, [])
        finally:
            self.assertEqual(server.stop(), 0)
