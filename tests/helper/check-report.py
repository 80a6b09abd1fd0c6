#!/usr/bin/env python3
"""Check the structure of slugguard scan reports (JSON, SARIF 2.1.0 or
gitleaks' JSON report).

usage: check-report.py json|sarif|gitleaks FILE
Exits 0 when the document has exactly the documented shape (JSON) or the
structure GitHub code scanning requires (SARIF), else prints why and
exits 1. Standard library only.
"""
import json
import sys

FINDING_KEYS = ["rule", "description", "file", "line", "column", "commit",
                "author", "date", "secret", "fingerprint", "entropy",
                "context"]
CONTEXTS = ("", "test", "fixture", "docs", "example")
# gitleaks 8's report.Finding, in its order (Link only with a remote).
GITLEAKS_KEYS = [("Description", str), ("StartLine", int), ("EndLine", int),
                 ("StartColumn", int), ("EndColumn", int), ("Match", str),
                 ("Secret", str), ("File", str), ("SymlinkFile", str),
                 ("Commit", str), ("Entropy", (int, float)),
                 ("Author", str), ("Email", str), ("Date", str),
                 ("Message", str), ("Tags", list), ("RuleID", str),
                 ("Fingerprint", str)]


def fail(msg):
    print("check-report: " + msg, file=sys.stderr)
    sys.exit(1)


def check_json(doc):
    if list(doc.keys()) != ["version", "findings", "stats"]:
        fail("top-level keys %r" % list(doc.keys()))
    if doc["version"] != 1:
        fail("version is not 1")
    for f in doc["findings"]:
        if list(f.keys()) != FINDING_KEYS:
            fail("finding keys %r" % list(f.keys()))
        for k in ("rule", "description", "file", "author", "secret",
                  "fingerprint"):
            if not isinstance(f[k], str):
                fail("%s is not a string" % k)
        for k in ("line", "column"):
            if not isinstance(f[k], int) or f[k] < 1:
                fail("%s is not a positive integer" % k)
        if f["commit"] is not None and (len(f["commit"]) != 40 or
                                        f["commit"].strip("0123456789abcdef")):
            fail("commit is not 40 hex or null")
        if f["date"] is not None and "T" not in f["date"]:
            fail("date is not RFC 3339")
        if not isinstance(f["entropy"], (int, float)):
            fail("entropy is not a number")
        if f["fingerprint"].count(":") < 3:
            fail("fingerprint is not commit:file:rule:line")
        if f["context"] not in CONTEXTS:
            fail("context %r is not a label" % f["context"])
    stats = doc["stats"]
    if list(stats.keys()) != ["commits", "blobs", "bytes", "seconds"]:
        fail("stats keys %r" % list(stats.keys()))
    for k in ("commits", "blobs", "bytes"):
        if not isinstance(stats[k], int) or stats[k] < 0:
            fail("stats.%s is not a count" % k)
    if not isinstance(stats["seconds"], (int, float)):
        fail("stats.seconds is not a number")


def need(obj, key, typ, where):
    if not isinstance(obj, dict) or key not in obj:
        fail("%s: missing '%s'" % (where, key))
    if not isinstance(obj[key], typ):
        fail("%s.%s has the wrong type" % (where, key))
    return obj[key]


def check_sarif(doc):
    need(doc, "$schema", str, "sarif")
    if need(doc, "version", str, "sarif") != "2.1.0":
        fail("version is not 2.1.0")
    runs = need(doc, "runs", list, "sarif")
    if len(runs) != 1:
        fail("expected one run")
    run = runs[0]
    driver = need(need(run, "tool", dict, "run"), "driver", dict, "tool")
    need(driver, "name", str, "driver")
    need(driver, "version", str, "driver")
    need(driver, "informationUri", str, "driver")
    rules = need(driver, "rules", list, "driver")
    ids = []
    for r in rules:
        ids.append(need(r, "id", str, "rule"))
        need(need(r, "shortDescription", dict, "rule"), "text", str,
             "shortDescription")
        need(need(r, "help", dict, "rule"), "text", str, "help")
    for res in need(run, "results", list, "run"):
        rid = need(res, "ruleId", str, "result")
        idx = need(res, "ruleIndex", int, "result")
        if idx >= len(ids) or ids[idx] != rid:
            fail("ruleIndex does not point at ruleId")
        if need(res, "level", str, "result") not in ("error", "warning",
                                                     "note", "none"):
            fail("bad level")
        need(need(res, "message", dict, "result"), "text", str, "message")
        locs = need(res, "locations", list, "result")
        if not locs:
            fail("no locations")
        phys = need(locs[0], "physicalLocation", dict, "location")
        need(need(phys, "artifactLocation", dict, "physicalLocation"),
             "uri", str, "artifactLocation")
        region = need(phys, "region", dict, "physicalLocation")
        if need(region, "startLine", int, "region") < 1:
            fail("startLine < 1")
        need(region, "startColumn", int, "region")
        fps = need(res, "partialFingerprints", dict, "result")
        if not fps or not all(isinstance(v, str) for v in fps.values()):
            fail("partialFingerprints must map names to strings")


def check_gitleaks(doc):
    if not isinstance(doc, list):
        fail("a gitleaks report is an array")
    for f in doc:
        if list(f.keys()) != [k for k, _ in GITLEAKS_KEYS]:
            fail("gitleaks keys %r" % list(f.keys()))
        for k, typ in GITLEAKS_KEYS:
            if not isinstance(f[k], typ):
                fail("%s has the wrong type" % k)
        if f["StartLine"] < 1 or f["EndLine"] < f["StartLine"]:
            fail("lines out of order")
        if f["EndLine"] == f["StartLine"] and \
                f["EndColumn"] < f["StartColumn"]:
            fail("columns out of order")
        if not all(isinstance(t, str) for t in f["Tags"]):
            fail("Tags are not strings")


def main():
    if len(sys.argv) != 3 or \
            sys.argv[1] not in ("json", "sarif", "gitleaks"):
        fail("usage: check-report.py json|sarif|gitleaks FILE")
    with open(sys.argv[2], encoding="utf-8") as fp:
        doc = json.load(fp)
    if sys.argv[1] == "json":
        check_json(doc)
    elif sys.argv[1] == "gitleaks":
        check_gitleaks(doc)
    else:
        check_sarif(doc)


if __name__ == "__main__":
    main()
