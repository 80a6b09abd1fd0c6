#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A stateful local stand-in of the Heroku Platform API (v3) for tests.

Implements the endpoints of shared/reference/heroku-platform.md sections
3 and 4 over HTTPS on 127.0.0.1 (ephemeral port, written to DIR/port),
with Heroku's status codes and error shape, RateLimit-Remaining on every
response, bearer auth, Range paging of releases, blob storage with a
sha256 check against the slug's checksum, releases numbered per app,
a settable release-phase outcome, rollback, and fault injection per
method and path. Every request is appended to DIR/requests.log as one
JSON line (method, path, headers with the token redacted, body).

Tests drive it with POST /__control (JSON, see Control.apply) and read
GET /__state. Python 3 standard library only.

    standin.py serve --dir DIR --cert PEM --key PEM
    standin.py control --dir DIR JSON
    standin.py state --dir DIR
    standin.py log --dir DIR [--method M] [--path SUBSTRING]
"""

import argparse
import hashlib
import http.server
import json
import os
import re
import secrets
import socket
import ssl
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

import standin_builds

ACCEPT = "application/vnd.heroku+json; version=3"


def now_iso():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Fault:
    def __init__(self, spec):
        self.method = spec.get("method", "*").upper()
        self.path = spec.get("path", "")
        self.kind = spec["kind"]
        self.count = int(spec.get("count", 1))
        self.retry_after = spec.get("retry_after")
        self.delay = float(spec.get("delay", 3))

    def matches(self, method, path):
        if self.count == 0:
            return False
        if self.method != "*" and self.method != method:
            return False
        if self.path.startswith("^"):
            return re.search(self.path, path) is not None
        return path.startswith(self.path)


class State:
    def __init__(self):
        self.lock = threading.RLock()
        self.token = None
        self.apps = {}
        self.blobs = {}
        self.faults = []
        self.page_size = 200
        self.pending_polls = 1
        self.rate_remaining = 4500
        self.base = ""

    def app(self, name):
        a = self.apps.get(name)
        if a is None:
            for v in self.apps.values():
                if v["id"] == name:
                    return v
        return a

    def new_app(self, name, spec):
        a = self.apps.get(name)
        if a is None:
            a = {
                "id": str(uuid.uuid4()),
                "name": name,
                "stack": "heroku-24",
                "generation": "cedar",
                "buildpacks": [],
                "config_vars": {},
                "formation": [],
                "releases": [],
                "slugs": {},
                "release_phase": "succeeded",
                "release_output": "Running release command...\n"
                "       Migrating to latest\n",
            }
            self.apps[name] = a
        for k in ("stack", "generation", "buildpacks", "config_vars",
                  "formation", "release_phase", "release_output"):
            if k in spec:
                a[k] = spec[k]
        standin_builds.app_spec(a, spec)
        return a


STATE = State()


def buildpack_json(url):
    """Registry buildpacks come back as urn:buildpack:heroku/NAME."""
    name = url
    m = re.match(r"^(?:urn:buildpack:)?heroku/([a-z0-9-]+)$", url)
    if not m:
        m = re.match(
            r"^https://github\.com/heroku/heroku-buildpack-(ruby|nodejs|"
            r"python|go|php|java)(?:\.git)?/?$", url)
    if m:
        name = "heroku/" + m.group(1)
        url = "urn:buildpack:" + name
    return {"url": url, "name": name}


def slug_json(app, s):
    return {
        "id": s["id"],
        "blob": {"method": s.get("blob_method", "PUT"),
                 "url": s["blob_url"]},
        "buildpack_provided_description": s.get(
            "buildpack_provided_description"),
        "checksum": s.get("checksum"),
        "commit": s.get("commit"),
        "commit_description": s.get("commit_description"),
        "created_at": s["created_at"],
        "updated_at": s["created_at"],
        "process_types": s.get("process_types", {}),
        "size": s.get("size"),
        "stack": {"id": "ee582d3c-717d-4a57-ba5f-8b3a39f3a817",
                  "name": s.get("stack") or app["stack"]},
    }


def release_json(app, r):
    return {
        "id": r["id"],
        "version": r["version"],
        "status": r["status"],
        "current": r["current"],
        "eligible_for_rollback": r["status"] == "succeeded",
        "description": r["description"],
        "slug": {"id": r["slug"]} if r["slug"] else None,
        "created_at": r["created_at"],
        "updated_at": r["created_at"],
        "output_stream_url": r.get("output_stream_url"),
        "app": {"id": app["id"], "name": app["name"]},
        "user": {"email": "standin@example.com", "id": app["id"]},
    }


def resolve_release(app, r):
    """Leave pending once polled enough; then become current or fail."""
    if r["status"] != "pending":
        return
    if r["polls"] < STATE.pending_polls:
        r["polls"] += 1
        return
    r["status"] = r["outcome"]
    if r["status"] == "succeeded":
        for o in app["releases"]:
            o["current"] = False
        r["current"] = True


def create_release(app, slug_id, description):
    s = app["slugs"].get(slug_id)
    version = len(app["releases"]) + 1
    outcome = app["release_phase"]
    blob = STATE.blobs.get(slug_id)
    want = (s or {}).get("checksum") or ""
    if blob is None or ("SHA256:" + blob["sha256"]) != want:
        # Stricter than Heroku: a slug whose bytes do not match its
        # checksum never goes live, so tests can catch a mismatch.
        outcome = "failed"
    r = {
        "id": str(uuid.uuid4()),
        "version": version,
        "status": "pending",
        "outcome": outcome,
        "polls": 0,
        "current": False,
        "description": description or "Deploy %s" % slug_id[:8],
        "slug": slug_id,
        "created_at": now_iso(),
    }
    if s and "release" in (s.get("process_types") or {}):
        r["output_stream_url"] = "%s/streams/%s" % (STATE.base, r["id"])
    app["releases"].append(r)
    return r


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "standin/1"

    def log_message(self, fmt, *args):
        pass

    # ---- plumbing --------------------------------------------------------

    def send(self, status, obj=None, headers=None, raw=None,
             ctype="application/json"):
        if raw is None:
            raw = b"" if obj is None else json.dumps(obj).encode()
        with STATE.lock:
            if STATE.rate_remaining > 0 and status != 429:
                STATE.rate_remaining -= 1
            remaining = 0 if status == 429 else STATE.rate_remaining
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(raw)))
        self.send_header("RateLimit-Remaining", str(remaining))
        self.send_header("Request-Id", str(uuid.uuid4()))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(raw)

    def error(self, status, eid, message, headers=None):
        self.send(status, {"id": eid, "message": message,
                           "url": "https://devcenter.heroku.com/articles/"
                           "platform-api-reference#error-responses"},
                  headers)

    def drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def read_body(self, limit=None):
        n = int(self.headers.get("Content-Length") or 0)
        if limit is not None:
            n = min(n, limit)
        chunks = []
        while n > 0:
            c = self.rfile.read(min(n, 65536))
            if not c:
                break
            chunks.append(c)
            n -= len(c)
        return b"".join(chunks)

    def record(self, body_repr):
        hdrs = {}
        for k, v in self.headers.items():
            k = k.lower()
            if k == "authorization":
                v = v.split(" ", 1)[0] + " [redacted]"
            hdrs[k] = v
        entry = {"time": time.time(), "method": self.command,
                 "path": self.path.split("?", 1)[0], "headers": hdrs,
                 "body": body_repr}
        with STATE.lock:
            with open(os.path.join(self.server.dir, "requests.log"),
                      "a") as f:
                f.write(json.dumps(entry, sort_keys=True) + "\n")

    # ---- dispatch --------------------------------------------------------

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def do_PATCH(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def dispatch(self):
        path = self.path.split("?", 1)[0]
        method = self.command
        if path.startswith("/__"):
            return self.control(method, path)
        fault = None
        with STATE.lock:
            for f in STATE.faults:
                if f.matches(method, path):
                    fault = f
                    if f.count > 0:
                        f.count -= 1
                    break
        if fault and fault.kind == "drop_mid_upload":
            body = self.read_body(
                limit=int(self.headers.get("Content-Length") or 0) // 2)
            self.record({"dropped_after": len(body)})
            return self.drop()
        if path.startswith("/build-streams/"):
            self.record("")
            return standin_builds.stream(
                self, path, fault is not None and fault.kind == "cut")
        if path.startswith(("/blobs/", "/sources/")):
            body = self.read_body()
            self.record({"size": len(body),
                         "sha256": hashlib.sha256(body).hexdigest()})
        else:
            body = self.read_body()
            try:
                text = body.decode()
            except UnicodeDecodeError:
                text = repr(body)
            self.record(text)
        if fault:
            k = fault.kind
            if k == "drop":
                return self.drop()
            if k == "429":
                h = {}
                if fault.retry_after is not None:
                    h["Retry-After"] = str(fault.retry_after)
                return self.error(429, "rate_limit",
                                  "Your account reached the API rate "
                                  "limit. Please wait a few minutes "
                                  "before making new requests.", h)
            if k in ("500", "502", "503"):
                return self.send(int(k), raw=b"<html><body><h1>Service "
                                 b"Unavailable</h1></body></html>",
                                 ctype="text/html")
            if k == "401":
                return self.error(401, "unauthorized",
                                  "Invalid credentials provided.")
            if k == "slow":
                time.sleep(fault.delay)
        try:
            reply = self.route(method, path, body)
        except Exception as e:  # noqa: BLE001 - surfaced as a 500
            sys.stderr.write("standin: %r\n" % (e,))
            reply = (500, {"id": "internal", "message": str(e)}, {})
        if fault and fault.kind == "drop_after":
            return self.drop()
        if fault and fault.kind == "slow_after":
            time.sleep(fault.delay)
        status, obj, headers = reply
        if isinstance(obj, bytes):
            return self.send(status, raw=obj, headers=headers,
                             ctype="text/plain")
        return self.send(status, obj, headers)

    # ---- the API ---------------------------------------------------------

    def authorized(self):
        auth = self.headers.get("Authorization") or ""
        if not auth.startswith("Bearer ") or STATE.token is None:
            return False
        return secrets.compare_digest(auth[7:].encode(),
                                      STATE.token.encode())

    def route(self, method, path, body):
        if path.startswith("/blobs/"):
            return self.blob(method, path, body)
        if path.startswith("/streams/"):
            return self.stream(path)
        if path.startswith("/sources/"):
            with STATE.lock:
                return standin_builds.source_blob(self, method, path, body)
        if path.startswith("/slug-blobs/"):
            with STATE.lock:
                return standin_builds.slug_blob(self, method, path)
        if not self.authorized():
            return (401, {"id": "unauthorized",
                          "message": "Invalid credentials provided."}, {})
        if (self.headers.get("Accept") or "") != ACCEPT:
            return (406, {"id": "not_acceptable", "message":
                          "Please specify a version along with Heroku's "
                          "API MIME type."}, {})
        data = None
        if body:
            if "application/json" not in (
                    self.headers.get("Content-Type") or ""):
                return (400, {"id": "bad_request",
                              "message": "Invalid content type."}, {})
            try:
                data = json.loads(body)
            except ValueError:
                return (400, {"id": "bad_request",
                              "message": "Invalid JSON."}, {})
        parts = [p for p in path.split("/") if p]
        if path == "/account/rate-limits" and method == "GET":
            return (200, {"remaining": STATE.rate_remaining}, {})
        if path == "/sources" and method == "POST":
            with STATE.lock:
                return standin_builds.create_source()
        if path == "/account" and method == "GET":
            return (200, {"id": "01234567-89ab-cdef-0123-456789abcdef",
                          "email": "user@example.com"}, {})
        if len(parts) < 2 or parts[0] != "apps":
            return (404, {"id": "not_found", "message":
                          "The requested API endpoint was not found."}, {})
        with STATE.lock:
            app = STATE.app(parts[1])
            if app is None:
                return (404, {"id": "not_found", "resource": "app",
                              "message": "Couldn't find that app."}, {})
            return self.app_route(method, app, parts[2:], data)

    def app_route(self, method, app, rest, data):
        fir = app["generation"] == "fir"
        if not rest and method == "GET":
            return (200, {"id": app["id"], "name": app["name"],
                          "stack": {"id": str(uuid.uuid5(
                              uuid.NAMESPACE_DNS, app["stack"])),
                              "name": app["stack"]},
                          "build_stack": {"name": app["stack"]},
                          "generation": {"name": app["generation"]}}, {})
        what = rest[0] if rest else ""
        if what == "buildpack-installations" and len(rest) == 1:
            if fir:
                return (422, {"id": "invalid_params", "message":
                              "Fir apps have no buildpack "
                              "installations."}, {})
            if method == "PUT":
                ups = (data or {}).get("updates")
                if not isinstance(ups, list):
                    return (422, {"id": "invalid_params",
                                  "message": "updates is required"}, {})
                app["buildpacks"] = [u["buildpack"] for u in ups]
            elif method != "GET":
                return self.no_route()
            return (200, [{"ordinal": i, "buildpack": buildpack_json(u)}
                          for i, u in enumerate(app["buildpacks"])], {})
        if what == "config-vars" and len(rest) == 1 and method == "GET":
            return (200, app["config_vars"], {})
        if what == "formation" and len(rest) == 1 and method == "GET":
            return (200, [{"id": str(uuid.uuid5(uuid.NAMESPACE_DNS,
                                                app["name"] + f["type"])),
                           "type": f["type"],
                           "quantity": f.get("quantity", 0),
                           "dyno_size": {"name": f.get("size", "basic")},
                           "command": f.get("command", "")}
                          for f in app["formation"]], {})
        if what == "slugs":
            return self.slugs(method, app, rest[1:], data, fir)
        if what == "releases":
            return self.releases(method, app, rest[1:], data)
        if what == "sources" and len(rest) == 1 and method == "POST":
            return standin_builds.create_source()
        if what == "builds":
            return (standin_builds.builds_route(method, app, rest[1:], data)
                    or self.no_route())
        return self.no_route()

    def no_route(self):
        return (404, {"id": "not_found", "message":
                      "The requested API endpoint was not found."}, {})

    def slugs(self, method, app, rest, data, fir):
        if fir:
            return (422, {"id": "invalid_params",
                          "message": "Fir apps do not use slugs."}, {})
        if not rest and method == "POST":
            data = data or {}
            if not isinstance(data.get("process_types"), dict):
                return (422, {"id": "invalid_params", "message":
                              "process_types is required"}, {})
            ck = data.get("checksum")
            if ck is not None and not re.match(r"^SHA256:[0-9a-f]{64}$",
                                               ck):
                return (422, {"id": "invalid_params",
                              "message": "Invalid checksum."}, {})
            sid = str(uuid.uuid4())
            sig = secrets.token_hex(16)
            s = dict(data)
            s.update({
                "id": sid, "created_at": now_iso(), "size": None,
                "sig": sig, "expires": time.time() + 3600,
                "blob_url": "%s/blobs/%s?X-Amz-Expires=3600&"
                            "X-Amz-Signature=%s" % (STATE.base, sid, sig),
            })
            app["slugs"][sid] = s
            return (201, slug_json(app, s), {})
        if len(rest) == 1 and method == "GET":
            s = app["slugs"].get(rest[0])
            if s is None:
                return (404, {"id": "not_found", "resource": "slug",
                              "message": "Couldn't find that slug."}, {})
            return (200, slug_json(app, s), {})
        return self.no_route()

    def releases(self, method, app, rest, data):
        if not rest and method == "POST":
            data = data or {}
            if "release" in data:
                old = next((r for r in app["releases"]
                            if r["id"] == data["release"]), None)
                if old is None:
                    return (404, {"id": "not_found", "resource": "release",
                                  "message": "Couldn't find that "
                                  "release."}, {})
                r = create_release(app, old["slug"],
                                   "Rollback to v%d" % old["version"])
                return (201, release_json(app, r), {})
            sid = data.get("slug")
            if sid not in app["slugs"]:
                return (404, {"id": "not_found", "resource": "slug",
                              "message": "Couldn't find that slug."}, {})
            r = create_release(app, sid, data.get("description"))
            return (201, release_json(app, r), {})
        if not rest and method == "GET":
            return self.release_page(app)
        if len(rest) == 1 and method == "GET":
            key = rest[0]
            r = next((r for r in app["releases"]
                      if r["id"] == key or str(r["version"]) == key), None)
            if r is None:
                return (404, {"id": "not_found", "resource": "release",
                              "message": "Couldn't find that release."}, {})
            resolve_release(app, r)
            return (200, release_json(app, r), {})
        return self.no_route()

    def release_page(self, app):
        rng = self.headers.get("Range") or "version ..; order=desc"
        m = re.match(r"^\s*version\s+(\d*)\.\.(\d*)\s*(?:;\s*(.*))?$", rng)
        if not m:
            return (416, {"id": "requested_range_not_satisfiable",
                          "message": "Invalid Range header."}, {})
        lo = int(m.group(1)) if m.group(1) else None
        hi = int(m.group(2)) if m.group(2) else None
        opts = {}
        for kv in (m.group(3) or "").split(","):
            if "=" in kv:
                k, v = kv.split("=", 1)
                opts[k.strip()] = v.strip()
        desc = opts.get("order", "asc") == "desc"
        maxn = min(int(opts.get("max", 200)), 1000, STATE.page_size)
        rels = [r for r in app["releases"]
                if (lo is None or r["version"] >= lo) and
                (hi is None or r["version"] <= hi)]
        rels.sort(key=lambda r: r["version"], reverse=desc)
        page, more = rels[:maxn], len(rels) > maxn
        body = [release_json(app, r) for r in page]
        if not more:
            return (200, body, {})
        last = page[-1]["version"]
        nxt = ("version ..%d; order=desc, max=%d" % (last - 1, maxn)
               if desc else "version %d..; max=%d" % (last + 1, maxn))
        return (206, body, {"Next-Range": nxt})

    def blob(self, method, path, body):
        sid = path.split("/")[2]
        s = None
        app = None
        for a in STATE.apps.values():
            if sid in a["slugs"]:
                s, app = a["slugs"][sid], a
        q = dict(kv.split("=", 1) for kv in
                 (self.path.split("?", 1) + [""])[1].split("&") if "=" in kv)
        if s is None or q.get("X-Amz-Signature") != s["sig"]:
            return (403, b"AccessDenied", {})
        if time.time() > s["expires"]:
            return (403, b"Request has expired", {})
        if method != "PUT":
            return (405, b"MethodNotAllowed", {})
        if self.headers.get("Authorization") is not None:
            return (400, b"InvalidArgument: Only one auth mechanism "
                    b"allowed", {})
        if self.headers.get("Content-Type"):
            return (403, b"SignatureDoesNotMatch", {})
        with STATE.lock:
            STATE.blobs[sid] = {"sha256": hashlib.sha256(body).hexdigest(),
                                "size": len(body)}
            s["size"] = len(body)
        return (200, b"", {})

    def stream(self, path):
        rid = path.split("/")[2]
        with STATE.lock:
            for a in STATE.apps.values():
                for r in a["releases"]:
                    if r["id"] == rid:
                        out = a["release_output"]
                        if r["outcome"] == "failed":
                            out += "       rake aborted!\n"
                        return (200, out.encode(), {})
        return (404, b"not found", {})

    # ---- control ---------------------------------------------------------

    def control(self, method, path):
        body = self.read_body()
        if path == "/__state" and method == "GET":
            with STATE.lock:
                dump = {"apps": {n: {
                    "buildpacks": a["buildpacks"],
                    "releases": [release_json(a, r) for r in a["releases"]],
                    "slugs": {k: {"size": v.get("size"),
                                  "checksum": v.get("checksum")}
                              for k, v in a["slugs"].items()},
                } for n, a in STATE.apps.items()},
                    "blobs": STATE.blobs,
                    "builds": standin_builds.dump()}
            return self.send(200, dump)
        if path == "/__control" and method == "POST":
            try:
                apply_control(json.loads(body or b"{}"))
            except (ValueError, KeyError, TypeError) as e:
                return self.send(400, {"id": "bad_request",
                                       "message": str(e)})
            return self.send(200, {"ok": True})
        return self.send(404, {"id": "not_found", "message": path})


def apply_control(c):
    """Set state. Keys: token, apps {name: {stack, generation, buildpacks,
    config_vars, formation, release_phase, release_output}}, page_size,
    pending_polls, rate_remaining, faults [{method, path, kind, count,
    retry_after, delay}], clear_faults, seed_releases {app: n},
    finish_builds (Heroku ends every pending build by itself, as if
    nobody polled it)."""
    with STATE.lock:
        if "token" in c:
            STATE.token = c["token"]
        for name, spec in (c.get("apps") or {}).items():
            STATE.new_app(name, spec)
        if "page_size" in c:
            STATE.page_size = int(c["page_size"])
        if "pending_polls" in c:
            STATE.pending_polls = int(c["pending_polls"])
        if "rate_remaining" in c:
            STATE.rate_remaining = int(c["rate_remaining"])
        if c.get("clear_faults"):
            STATE.faults = []
        for f in c.get("faults") or []:
            STATE.faults.append(Fault(f))
        if c.get("finish_builds"):
            standin_builds.finish_all()
        for name, n in (c.get("seed_releases") or {}).items():
            # Releases made by someone else: no ledger, no attestation.
            app = STATE.app(name)
            for _ in range(int(n)):
                sid = str(uuid.uuid4())
                data = b"unsigned slug " + sid.encode()
                sha = hashlib.sha256(data).hexdigest()
                app["slugs"][sid] = {
                    "id": sid, "created_at": now_iso(), "size": len(data),
                    "checksum": "SHA256:" + sha, "sig": "x",
                    "expires": 0, "blob_url": "", "process_types":
                    {"web": "bundle exec puma"}}
                STATE.blobs[sid] = {"sha256": sha, "size": len(data)}
                r = create_release(app, sid, "Deploy by hand")
                r["status"] = "succeeded"
                for o in app["releases"]:
                    o["current"] = False
                r["current"] = True


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


standin_builds.install(sys.modules[__name__])


def serve(args):
    httpd = Server(("127.0.0.1", 0), Handler)
    httpd.dir = args.dir
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    port = httpd.server_address[1]
    STATE.base = "https://127.0.0.1:%d" % port
    open(os.path.join(args.dir, "requests.log"), "a").close()
    tmp = os.path.join(args.dir, "port.tmp")
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, os.path.join(args.dir, "port"))
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


def client(args, method, path, body=None):
    port = open(os.path.join(args.dir, "port")).read().strip()
    ctx = ssl.create_default_context(cafile=os.path.join(args.dir, "ca.pem"))
    req = urllib.request.Request("https://127.0.0.1:%s%s" % (port, path),
                                 data=body, method=method)
    with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
        return r.read().decode()


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--dir", required=True)
    s.add_argument("--cert", required=True)
    s.add_argument("--key", required=True)
    c = sub.add_parser("control")
    c.add_argument("--dir", required=True)
    c.add_argument("json")
    st = sub.add_parser("state")
    st.add_argument("--dir", required=True)
    lg = sub.add_parser("log")
    lg.add_argument("--dir", required=True)
    lg.add_argument("--method")
    lg.add_argument("--path")
    args = ap.parse_args()
    if args.cmd == "serve":
        serve(args)
    elif args.cmd == "control":
        json.loads(args.json)
        print(client(args, "POST", "/__control", args.json.encode()))
    elif args.cmd == "state":
        # A read changes nothing, so a busy machine's slow answer or
        # reset is tried again rather than failing the test's step.
        for attempt in range(3):
            try:
                print(client(args, "GET", "/__state"))
                break
            except (OSError, urllib.error.URLError):
                if attempt == 2:
                    raise
                time.sleep(0.5)
    elif args.cmd == "log":
        with open(os.path.join(args.dir, "requests.log")) as f:
            for line in f:
                e = json.loads(line)
                if args.method and e["method"] != args.method.upper():
                    continue
                if args.path and args.path not in e["path"]:
                    continue
                sys.stdout.write(line)


if __name__ == "__main__":
    main()
