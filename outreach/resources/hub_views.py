"""The public practice hub: no sign-in, published resources only, cached and rate-limited.

Nothing here names a user or an activist or shows an internal note. Opens are counted by a
beacon the page sends (a POST: a GET never writes), as a number per day and nothing else.
"""
from __future__ import annotations

import hashlib
import re
from typing import Any

from flask import Response, abort, current_app, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user

from outreach.core.db import db
from outreach.core.pagination import parse_cursor
from outreach.core.security import client_ip
from outreach.core.text import strip_control_characters
from outreach.core.time import now_utc
from outreach.extensions import csrf
from outreach.resources import hub_bp, queries
from outreach.resources.forms import EVIDENCE_LABELS, KIND_LABELS, LANGUAGE_NAMES
from outreach.resources.models import Collection, ResourceKind
from outreach.resources.ratelimit import SlidingWindow
from outreach.resources.services import count_open
from outreach.resources.uploads import stored_path

#: How long browsers and shared caches may keep a public page before asking again (with the ETag).
MAX_AGE = 300
_CODE = re.compile(r"^[A-Za-z][A-Za-z .'-]{0,59}$")
_SLUG = re.compile(r"^[a-z0-9-]{1,40}$")


@hub_bp.before_request
def _rate_limit() -> Any:
    window = current_app.extensions.setdefault("hub_rate_window", SlidingWindow())
    if not window.allow(client_ip(), current_app.config.get("HUB_RATE_LIMIT", 120)):
        page = render_template("errors/error.html", code=429, title=_("Too many requests"),
                               message=_("The practice hub answers a limited number of pages a minute to each "
                                         "address. Wait a minute and try again."))
        return page, 429, {"Retry-After": "60"}
    return None


def _labels() -> dict[str, Any]:
    return {"kind_labels": KIND_LABELS, "evidence_labels": EVIDENCE_LABELS, "language_names": LANGUAGE_NAMES}


def _cached(render: Any) -> Response:
    """Answer 304 when the reader holds this version of the page; otherwise render it with an ETag."""
    signed_in = "1" if current_user.is_authenticated else "0"
    seed = f"{queries.hub_version()}|{request.full_path}|{signed_in}"
    etag = hashlib.sha256(seed.encode()).hexdigest()[:32]
    response = Response(status=304) if request.if_none_match.contains(etag) else current_app.make_response(render())
    response.set_etag(etag)
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response.vary.add("Cookie")  # a member's copy (no-store anyway) names her way back into Outreach
    return response


def _arg(name: str, pattern: re.Pattern[str] = _CODE) -> str:
    value = (request.args.get(name) or "").strip()[:60]
    return value if pattern.match(value) else ""


def filters_from_request() -> queries.HubFilters:
    kind = request.args.get("kind") or ""
    return queries.HubFilters(
        q=strip_control_characters(request.args.get("q") or "").strip()[:100],
        topic=_arg("topic", _SLUG), audience=_arg("audience", _SLUG), country=_arg("country"),
        language=_arg("language", re.compile(r"^[a-z]{2,3}$")),
        kind=kind if kind in {k.value for k in ResourceKind} else "")


@hub_bp.get("/hub")
def index():
    """The practice hub: published resources, search and filters."""
    filters = filters_from_request()

    def render() -> str:
        topics, audiences = queries.vocabularies()
        page = queries.hub_page(filters, topics, audiences, after=parse_cursor(request.args.get("after")),
                                before=parse_cursor(request.args.get("before")))
        return render_template("resources/hub/index.html", page=page, filters=filters, topics=topics,
                               audiences=audiences, **_labels())

    return _cached(render)


@hub_bp.get("/hub/r/<int(max=2147483647):resource_id>")
def resource(resource_id: int):
    """One published resource."""
    def render() -> str:
        item = queries.published_resource(resource_id)
        if item is None:
            abort(404)
        return render_template("resources/hub/resource.html", resource=item, **_labels())

    return _cached(render)


@hub_bp.get("/hub/r/<int(max=2147483647):resource_id>/file")
def download(resource_id: int):
    """A published resource's file, as an attachment with a safe name."""
    item = queries.published_resource(resource_id)
    if item is None or item.file is None:
        abort(404)
    path = stored_path(current_app.config["INSTANCE_PATH"], item.file.stored_name)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=item.file.content_type, as_attachment=True,
                         download_name=item.file.download_name, conditional=True, etag=item.file.sha256[:32],
                         max_age=MAX_AGE)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response


@hub_bp.get("/c/<slug>")
def collection(slug: str):
    """A collection at its short link: the "click here" a partner puts in an e-mail or on a slide."""
    if not _SLUG.match(slug):
        abort(404)

    def render() -> str:
        found = queries.public_collection(slug)
        if found is None:
            abort(404)
        chosen, resources = found
        return render_template("resources/hub/collection.html", collection=chosen, resources=resources, **_labels())

    return _cached(render)


@hub_bp.post("/hub/opened")
@csrf.exempt
def opened():
    """Count one open of a resource or a collection: no cookie, no address, no reader, only today's number."""
    subject = request.form.get("subject") or ""
    raw = request.form.get("id") or ""
    if subject not in ("resource", "collection") or not raw.isascii() or not raw.isdigit() or not 0 < int(raw) < 2**31:
        return Response(status=400)
    subject_id = int(raw)
    if subject == "resource":
        exists = queries.published_resource_exists(subject_id)
    else:
        exists = db.session.get(Collection, subject_id) is not None
    if not exists:
        return Response(status=404)
    count_open(subject, subject_id, now=now_utc())
    db.session.commit()
    return Response(status=204)
