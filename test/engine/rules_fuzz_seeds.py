#!/usr/bin/env python3
"""Writes the YAML of Falco's rule-loader vectors as fuzz seeds (first byte
1: the rules target of fuzz_rules) into a work folder of the build tree.
usage: rules_fuzz_seeds.py CASES.json OUT_DIR  (does nothing when absent)"""
import json
import os
import sys

cases, out = sys.argv[1], sys.argv[2]
if os.path.exists(cases):
    with open(cases) as f:
        tests = json.load(f)["tests"]
    for i, t in enumerate(tests):
        for s in t["steps"]:
            if s["op"] == "load_rules":
                with open(os.path.join(out, "seed_falco_%03d" % i), "wb") as g:
                    g.write(b"\x01" + s["content"].encode())
