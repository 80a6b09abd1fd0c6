# SPDX-License-Identifier: MIT
"""The Sources and Builds endpoints of the Platform API stand-in.

Kept apart from standin.py so that the Build API (issue 16) grows here:
standin.py calls in from a few places (install, app_route, route,
dispatch, the state dump). Implements, as shared/reference/
heroku-platform.md section 3 describes:

  POST /apps/{app}/sources (also POST /sources)
        -> 201 {"source_blob": {"get_url", "put_url"}}: pre-signed URLs on
           the stand-in itself (/sources/<id>?X-Amz-Signature=...), one
           signature to PUT, another to GET, both expiring
  PUT  <put_url>   the tarball; no Authorization, empty Content-Type
  POST /apps/{app}/builds {"source_blob": {url, checksum, version,
        version_description}, "buildpacks": [{url} | {name}]}
        -> 201 build {id, status "pending", output_stream_url,
           source_blob, buildpacks, slug null, release null, stack}
  GET  /apps/{app}/builds, GET /apps/{app}/builds/{id}
  GET  <output_stream_url>   the build output as a chunked text/plain
        stream, written line by line with a small delay
  GET  <slug blob url>   the built slug (blob.method "GET")

A build stays pending for the app's build_polls GETs (default 1), then
ends as the app's build_outcome ("succeeded", "failed" or "pending" to
never end). A build whose source bytes do not match its checksum
fails. A successful build makes a slug (a real ./app/ tarball of the
uploaded tree, its checksum recorded) and creates its release itself,
which then follows the release-phase outcome as any release does.

App spec keys (standin_app overrides / control "apps"): build_outcome,
build_polls, build_output (list of lines streamed before the end),
build_stack. Fault kinds usable on these paths besides the generic ones:
"cut" on /build-streams/ sends half the output and drops the connection.
"""

import gzip
import hashlib
import io
import secrets
import tarfile
import time
import uuid

SD = None  # the standin module, set by install()
SOURCES = {}  # id -> {put_sig, get_sig, expires, data}
BUILDS = {}  # build id -> (app, build)
SLUG_BLOBS = {}  # slug id -> {sig, data}

DEFAULT_OUTPUT = [
    "-----> Building on the Heroku-24 stack",
    "-----> Using buildpacks:",
    "       1. heroku/ruby",
    "-----> Ruby app detected",
    "-----> Installing bundler",
    "       Bundle completed (0.42s)",
    "-----> Compressing...",
]
FAILED_TAIL = [
    "       rake aborted!",
    "       Don't know how to build task 'assets:precompile'",
    " !     Push rejected, failed to compile Ruby app.",
    " !     Push failed",
]


def install(module):
    global SD
    SD = module


def app_spec(app, spec):
    for k in ("build_outcome", "build_polls", "build_output",
              "build_stack"):
        if k in spec:
            app[k] = spec[k]


def signed(kind, sid, sig):
    return "%s/%s/%s?X-Amz-Expires=3600&X-Amz-Signature=%s" % (
        SD.STATE.base, kind, sid, sig)


def query(handler):
    q = (handler.path.split("?", 1) + [""])[1]
    return dict(kv.split("=", 1) for kv in q.split("&") if "=" in kv)


# ---- the API (under the app, authorised) ------------------------------

def create_source():
    sid = str(uuid.uuid4())
    s = {"put_sig": secrets.token_hex(16), "get_sig": secrets.token_hex(16),
         "expires": time.time() + 3600, "data": None}
    SOURCES[sid] = s
    return (201, {"source_blob": {
        "get_url": signed("sources", sid, s["get_sig"]),
        "put_url": signed("sources", sid, s["put_sig"])}}, {})


def build_json(app, b):
    return {
        "id": b["id"],
        "app": {"id": app["id"], "name": app["name"]},
        "buildpacks": b["buildpacks"],
        "created_at": b["created_at"],
        "updated_at": b["created_at"],
        "output_stream_url": "%s/build-streams/%s" % (SD.STATE.base,
                                                     b["id"]),
        "source_blob": b["source_blob"],
        "release": {"id": b["release"]} if b["release"] else None,
        "slug": {"id": b["slug"]} if b["slug"] else None,
        "stack": b["stack"],
        "status": b["status"],
        "user": {"email": "standin@example.com", "id": app["id"]},
    }


def source_of(url):
    """The uploaded source a get_url names, or None."""
    base = "%s/sources/" % SD.STATE.base
    if not isinstance(url, str) or not url.startswith(base):
        return None
    rest = url[len(base):]
    sid = rest.split("?", 1)[0]
    q = dict(kv.split("=", 1) for kv in (rest.split("?", 1) + [""])[1]
             .split("&") if "=" in kv)
    s = SOURCES.get(sid)
    if s is None or q.get("X-Amz-Signature") != s["get_sig"]:
        return None
    return s


def create_build(app, data):
    data = data or {}
    sb = data.get("source_blob")
    if not isinstance(sb, dict) or not isinstance(sb.get("url"), str):
        return (422, {"id": "invalid_params",
                      "message": "source_blob.url is required"}, {})
    ck = sb.get("checksum")
    if ck is not None and not (isinstance(ck, str) and
                               ck.startswith("SHA256:") and len(ck) == 71):
        return (422, {"id": "invalid_params",
                      "message": "Invalid checksum."}, {})
    bps = []
    for bp in data.get("buildpacks") or []:
        ref = bp.get("url") or bp.get("name") or ""
        bps.append(SD.buildpack_json(ref))
    if not data.get("buildpacks"):
        bps = [SD.buildpack_json(u) for u in app["buildpacks"]]
    b = {
        "id": str(uuid.uuid4()),
        "created_at": SD.now_iso(),
        "buildpacks": bps,
        "source_blob": {"url": sb["url"], "checksum": ck,
                        "version": sb.get("version"),
                        "version_description":
                        sb.get("version_description")},
        "stack": app.get("build_stack") or app["stack"],
        "status": "pending",
        "polls": 0,
        "slug": None,
        "release": None,
    }
    app.setdefault("builds", []).append(b)
    BUILDS[b["id"]] = (app, b)
    return (201, build_json(app, b), {})


def slug_from_source(data):
    """Heroku's layout: the tree (one top directory stripped) in ./app/."""
    out = io.BytesIO()
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as src, \
            tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT
                         ) as dst:
        for m in src.getmembers():
            parts = m.name.split("/", 1)
            m.name = "./app/" + (parts[1] if len(parts) > 1 else "")
            f = src.extractfile(m) if m.isfile() else None
            dst.addfile(m, f)
    return gzip.compress(out.getvalue(), mtime=0)


def finish(app, b):
    """Leave pending once polled enough: fail, or make slug and release."""
    if b["status"] != "pending":
        return
    outcome = app.get("build_outcome", "succeeded")
    if outcome == "pending" or b["polls"] < int(app.get("build_polls", 1)):
        b["polls"] += 1
        return
    src = source_of(b["source_blob"]["url"])
    ok = src is not None and src["data"] is not None
    if ok and b["source_blob"]["checksum"] is not None:
        ok = b["source_blob"]["checksum"] == (
            "SHA256:" + hashlib.sha256(src["data"]).hexdigest())
    if outcome != "succeeded" or not ok:
        b["status"] = "failed"
        return
    data = slug_from_source(src["data"])
    sid = str(uuid.uuid4())
    sha = hashlib.sha256(data).hexdigest()
    sig = secrets.token_hex(16)
    app["slugs"][sid] = {
        "id": sid, "created_at": SD.now_iso(), "size": len(data),
        "checksum": "SHA256:" + sha, "sig": sig, "expires": 0,
        "blob_url": signed("slug-blobs", sid, sig), "blob_method": "GET",
        "commit": b["source_blob"]["version"],
        "commit_description": b["source_blob"]["version_description"],
        "process_types": {"web": "bundle exec puma -C config/puma.rb",
                          "release": "bin/rails db:migrate"},
        "buildpack_provided_description": "Ruby",
        "stack": b["stack"]}
    SLUG_BLOBS[sid] = {"sig": sig, "data": data}
    SD.STATE.blobs[sid] = {"sha256": sha, "size": len(data)}
    b["slug"] = sid
    version = (b["source_blob"]["version"] or "")[:7]
    r = SD.create_release(app, sid, "Deploy %s" % version)
    b["release"] = r["id"]
    b["status"] = "succeeded"


def finish_all():
    """End every pending build as its app's outcome says (control
    "finish_builds"): a real build runs whether or not anyone polls it."""
    for app, b in list(BUILDS.values()):
        for _ in range(int(app.get("build_polls", 1)) + 1):
            finish(app, b)


def builds_route(method, app, rest, data):
    if not rest and method == "POST":
        return create_build(app, data)
    if not rest and method == "GET":
        return (200, [build_json(app, b) for b in app.get("builds", [])],
                {})
    if len(rest) == 1 and method == "GET":
        hit = BUILDS.get(rest[0])
        if hit is None or hit[0] is not app:
            return (404, {"id": "not_found", "resource": "build",
                          "message": "Couldn't find that build."}, {})
        finish(app, hit[1])
        return (200, build_json(app, hit[1]), {})
    return None


# ---- outside the API (signed URLs, the stream) ------------------------

def source_blob(handler, method, path, body):
    sid = path.split("/")[2]
    s = SOURCES.get(sid)
    q = query(handler)
    if s is None:
        return (403, b"AccessDenied", {})
    if time.time() > s["expires"]:
        return (403, b"Request has expired", {})
    if handler.headers.get("Authorization") is not None:
        return (400, b"InvalidArgument: Only one auth mechanism allowed",
                {})
    if method == "PUT":
        if q.get("X-Amz-Signature") != s["put_sig"]:
            return (403, b"SignatureDoesNotMatch", {})
        if handler.headers.get("Content-Type"):
            return (403, b"SignatureDoesNotMatch", {})
        s["data"] = body
        return (200, b"", {})
    if method == "GET":
        if q.get("X-Amz-Signature") != s["get_sig"] or s["data"] is None:
            return (403, b"AccessDenied", {})
        return (200, s["data"], {})
    return (405, b"MethodNotAllowed", {})


def slug_blob(handler, method, path):
    sid = path.split("/")[2]
    s = SLUG_BLOBS.get(sid)
    if s is None or query(handler).get("X-Amz-Signature") != s["sig"]:
        return (403, b"AccessDenied", {})
    if handler.headers.get("Authorization") is not None:
        return (400, b"InvalidArgument: Only one auth mechanism allowed",
                {})
    if method != "GET":
        return (405, b"MethodNotAllowed", {})
    return (200, s["data"], {})


def stream(handler, path, cut):
    """Chunked text/plain, line by line, as Heroku's build output."""
    bid = path.split("/")[2]
    with SD.STATE.lock:
        hit = BUILDS.get(bid)
        if hit is None:
            return handler.send(404, raw=b"not found", ctype="text/plain")
        app, b = hit
        lines = list(app.get("build_output") or DEFAULT_OUTPUT)
        if app.get("build_outcome", "succeeded") == "failed":
            lines += FAILED_TAIL
        else:
            lines.append("-----> Launching...")
            lines.append("       Released")
    handler.send_response(200)
    handler.send_header("Content-Type", "text/plain")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    if cut:
        lines = lines[:max(1, len(lines) // 2)]
    try:
        for line in lines:
            data = (line + "\n").encode()
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            handler.wfile.flush()
            time.sleep(0.02)
        if cut:
            return handler.drop()
        handler.wfile.write(b"0\r\n\r\n")
        handler.wfile.flush()
    except OSError:
        handler.close_connection = True


def dump():
    return {bid: {"app": a["name"], "status": b["status"],
                  "slug": b["slug"], "release": b["release"],
                  "source_blob": {k: v for k, v in b["source_blob"].items()
                                  if k != "url"},
                  "buildpacks": b["buildpacks"]}
            for bid, (a, b) in BUILDS.items()}

