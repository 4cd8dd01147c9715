"""Where the time of one page goes, measured in-process: SQL, templates, and the rest of the request.

    python -m bench.anatomy DATABASE_URL INSTANCE_PATH EMAIL PATH [REQUESTS]  -> one JSON line

The throughput ratio to the raw baseline says how much dearer a page is; this says why. Each
request is timed inside the WSGI app (no HTTP, no client) and split into: the view without its
templates (SQL statements, ORM objects, forms; of which the statements' execution, from cursor
events), the templates (Flask's template signals), and the framework around the view (routing,
session and sign-in, access policy, CSRF and security headers).
"""
from __future__ import annotations

import json
import statistics
import sys
import time
from typing import Any


def main(url: str, instance: str, email: str, path: str, requests: int = 300) -> dict[str, Any]:
    from flask import before_render_template, template_rendered
    from sqlalchemy import event

    from bench.common import PASSWORD
    from outreach import create_app, settle
    from outreach.core.db import db

    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": instance, "WTF_CSRF_ENABLED": False})
    clock = {"sql": 0.0, "render": 0.0, "view": 0.0, "statements": 0}
    marks: dict[str, float] = {}

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _before(*_args: Any) -> None:
        marks["sql"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(*_args: Any) -> None:
        clock["sql"] += time.perf_counter() - marks["sql"]
        clock["statements"] += 1

    def _render_started(*_args: Any, **_kw: Any) -> None:
        marks.setdefault("render", time.perf_counter())  # outermost template only

    def _render_done(*_args: Any, **_kw: Any) -> None:
        clock["render"] += time.perf_counter() - marks.pop("render")

    before_render_template.connect(_render_started, app)
    template_rendered.connect(_render_done, app)
    inner = app.wsgi_app
    dispatch = app.dispatch_request

    def timed_view() -> Any:
        started = time.perf_counter()
        try:
            return dispatch()
        finally:
            clock["view"] += time.perf_counter() - started

    app.dispatch_request = timed_view  # type: ignore[method-assign]
    totals: list[float] = []

    def timed(environ: Any, start_response: Any) -> Any:
        started = time.perf_counter()
        body = b"".join(inner(environ, start_response))
        totals.append(time.perf_counter() - started)
        return [body]

    app.wsgi_app = timed  # type: ignore[method-assign]
    client = app.test_client()
    if client.post("/login", data={"email": email, "password": PASSWORD}).status_code != 302:
        raise SystemExit(f"could not sign in as {email}")
    for _ in range(30):  # warm-up: statements cached
        client.get(path)
    settle(app)  # as gunicorn's workers are (outreach/wsgi.py)
    totals.clear()
    clock.update(sql=0.0, render=0.0, view=0.0, statements=0)
    for _ in range(requests):
        if client.get(path).status_code != 200:
            raise SystemExit(f"{path} did not answer 200")
    total = statistics.fmean(totals) * 1000
    sql = clock["sql"] / requests * 1000
    render = clock["render"] / requests * 1000
    view = clock["view"] / requests * 1000
    return {"path": path, "requests": requests, "total_ms": round(total, 2), "view_ms": round(view - render, 2),
            "sql_ms": round(sql, 2), "statements": round(clock["statements"] / requests, 1),
            "render_ms": round(render, 2), "framework_ms": round(total - view, 2)}


if __name__ == "__main__":
    args = sys.argv[1:]
    print("JSON " + json.dumps(main(*args[:4], *(int(a) for a in args[4:5]))))
