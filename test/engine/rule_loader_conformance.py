#!/usr/bin/env python3
"""Falco's rule-loader test vectors against pdig's loader.

usage: rule_loader_conformance.py RULES_DUMP CASES.json [-v]

Each case's YAML is written to a temporary file and loaded by rules_dump
(test/engine/rules_dump.c); its verdict, messages and compiled conditions
are compared with the case's expectations. Messages are compared by key
substring, as ../shared/README.md asks, not as whole sentences. A
"warning_contains" step without a text means "some warning" (the vector
file could not extract the text Falco's test used).

Prints "N passed, N failed" and the failing cases; exits 0 when all pass,
1 otherwise, 77 when the vectors are absent.
"""
import json
import os
import subprocess
import sys
import tempfile


def run_case(dump, test, tmp):
    load = [s for s in test["steps"] if s["op"] == "load_rules"]
    files = []
    for i, s in enumerate(load):
        path = os.path.join(tmp, "%d_%s" % (i, s.get("file", "rules.yaml")))
        with open(path, "w") as f:
            f.write(s["content"])
        files.append(path)
    p = subprocess.run([dump] + files, capture_output=True, text=True, timeout=30)
    if p.returncode not in (0, 1):
        return ["rules_dump crashed or failed (exit %d): %s" % (p.returncode, p.stderr.strip())], p.stdout
    ok, errors, warnings, conds = None, [], [], {}
    for line in p.stdout.splitlines():
        if line.startswith("RESULT "):
            ok = line.split()[1] == "ok"
        elif line.startswith("E "):
            errors.append(line[2:])
        elif line.startswith("W "):
            warnings.append(line[2:])
        elif line.startswith("C "):
            name, _, cond = line[2:].partition("\t")
            conds[name] = cond
    why = []
    for s in test["steps"]:
        op = s["op"]
        if op == "load_rules":
            if ok != s["expect_success"]:
                why.append("expected %s, got %s" % ("success" if s["expect_success"] else "an error",
                                                     "success" if ok else "an error"))
        elif op in ("error_contains", "warning_contains"):
            msgs = errors if op == "error_contains" else warnings
            text = s.get("text")
            found = bool(msgs) if text is None else any(text in m for m in msgs)
            if found != s["expect"]:
                why.append("%s %r: expected %s" % (op, text, s["expect"]))
        elif op == "has_warnings":
            if bool(warnings) != s["expect"]:
                why.append("has_warnings: expected %s" % s["expect"])
        elif op == "compiled_condition":
            got = conds.get(s["rule"])
            if got != s["equals"]:
                why.append("compiled condition of %r:\n      want %s\n      got  %s" % (s["rule"], s["equals"], got))
        else:
            why.append("unknown step %r" % op)
    return why, p.stdout


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    dump, cases = sys.argv[1], sys.argv[2]
    verbose = "-v" in sys.argv[3:]
    if not os.path.exists(cases):
        print("SKIP: %s is absent (the shared test vectors sit in ../shared beside the checkout)" % cases)
        return 77
    with open(cases) as f:
        tests = json.load(f)["tests"]
    failed = []
    with tempfile.TemporaryDirectory() as tmp:
        for t in tests:
            why, out = run_case(dump, t, tmp)
            if why:
                failed.append((t["test"], why, out))
    for name, why, out in failed:
        print("FAIL %s" % name)
        for w in why:
            print("    " + w)
        if verbose:
            print("    output:\n      " + out.replace("\n", "\n      "))
    print("%d passed, %d failed (of %d rule-loader cases)" % (len(tests) - len(failed), len(failed), len(tests)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
