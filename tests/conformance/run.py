#!/usr/bin/env python3
"""Runs the KE REST conformance suite against `gridke serve`.

  python3 tests/conformance/run.py --gridke build/gridke --spec tests/data/rest/openapi-sc.yaml \
      [--suite main|lease|tno-example] [-k PATTERN]

Needs only the Debian packages python3, python3-requests and python3-yaml.
"""

import argparse
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

SUITES = {"main": "test_conformance", "lease": "test_lease", "tno-example": "test_tno_example",
          "knowledge-network": "test_knowledge_network"}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gridke", required=True, help="path of the gridke executable")
    parser.add_argument("--spec", required=True, help="path of openapi-sc.yaml")
    parser.add_argument("--suite", default="main", choices=sorted(SUITES))
    parser.add_argument("-k", dest="pattern", action="append", help="only tests matching")
    args = parser.parse_args()
    module = __import__(SUITES[args.suite])
    module.CONFIG.update(gridke=os.path.abspath(args.gridke), spec=os.path.abspath(args.spec))
    loader = unittest.TestLoader()
    if args.pattern:
        loader.testNamePatterns = [f"*{p}*" for p in args.pattern]
    suite = loader.loadTestsFromModule(module)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
