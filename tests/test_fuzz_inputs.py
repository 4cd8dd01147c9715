"""Property-based fuzzing of every form and query string in the routes list: no input answers 5xx.

Every page of the URL map is read once as an administrator (with real ids) to find the forms it
offers: their action, method and fields with the values they hold. Each route is then sent, through
the real request path, a few dozen sets of those fields with some replaced by hostile values — NUL and
control characters, huge and Unicode digits, blank ids, calendar-edge dates, zones no formatter
knows, a megabyte of text — on SQLite and on PostgreSQL. Any 5xx fails, with the request that caused it.

Each field is also swept alone through a value of each kind that once answered 500 (random search alone
rarely lands the one date that overflows one filter). Bounded for CI (FUZZ_EXAMPLES random examples per
route, 8 by default, deterministic); run with more to dig deeper:
    FUZZ_EXAMPLES=200 FUZZ_RANDOM=1 .venv/bin/pytest tests/test_fuzz_inputs.py
"""
from __future__ import annotations

import os
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_access_policy import RULES, _method, _url, world  # noqa: F401  (world: the fixture)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
RANDOM = os.environ.get("FUZZ_RANDOM") == "1"
HUGE = "99999999999999999999"
#: Query parameters pages read without a form of their own (cursors, pages, pickers).
GENERIC = ["q", "after", "before", "page", "with", "picker"]
#: Swept through every field one at a time: a value of each kind that once answered 500 somewhere.
SWEEP = ["abc\x00def", "²", HUGE, "0001-01-01", "9999-12-31"]
SKIP = {"static", "favicon", "auth.logout", "health.health"}

HOSTILE = st.one_of(
    st.sampled_from(["", " ", "\x00", "abc\x00def", "\x1b[31m", "a\rb", "a\r\nb", "\t", "²", "٣", "-1", "0",
                     HUGE, str(2**31), str(2**63), "1e9", "0x10", "9999-12-31", "0001-01-01", "2026-02-30",
                     "24:61", "99:99", "localtime", "Factory", "Moon/Base", "u:" + HUGE, "c:²", "u:", "x:1",
                     f"{HUGE}_{HUGE}", "1_1", "javascript:alert(1)", "//evil.example", "%", "_", "\\", "'",
                     "<script>x</script>", "\u2028", "\ufeff", "\udcff".encode("utf-8", "surrogatepass")
                     .decode("utf-8", "replace"), "x" * 1_000_000]),
    st.text(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.dates().map(lambda d: d.isoformat()),
)


class _Forms(HTMLParser):
    """Collects the forms of a page: (action, method, {field: value})."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, str, dict[str, str]]] = []
        self._current: tuple[str, str, dict[str, str]] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._current = (a.get("action", ""), a.get("method", "get").lower(), {})
            self.forms.append(self._current)
        elif self._current is not None and a.get("name"):
            fields = self._current[2]
            if tag == "input" and a.get("type") in ("checkbox", "radio") and "checked" not in a:
                fields.setdefault(a["name"], "")
            elif tag in ("input", "textarea"):
                fields[a["name"]] = a.get("value", "")
            elif tag == "select":
                self._select = a["name"]
                fields.setdefault(a["name"], "")
            elif tag == "button":
                fields.setdefault(a["name"], a.get("value", ""))
        if tag == "option" and self._select and self._current is not None and "selected" in a:
            self._current[2][self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None


def _discover(client: Any, urls: list[str]) -> dict[tuple[str, str], dict[str, str]]:
    """(path, method) → the fields of a form found on any page, with their values."""
    found: dict[tuple[str, str], dict[str, str]] = {}
    for url in urls:
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.content_type:
            continue
        parser = _Forms()
        parser.feed(response.get_data(as_text=True))
        for action, method, fields in parser.forms:
            path = urlsplit(action).path or urlsplit(url).path
            found.setdefault((path, method), {}).update(fields)
    return found


def test_no_form_or_query_string_answers_5xx(app, login_as, world, record_property):  # noqa: F811
    client, _admin = login_as("admin")
    targets = [(rule, _url(rule, world), _method(rule)) for rule in RULES if rule.endpoint not in SKIP]
    forms = _discover(client, [url for _rule, url, method in targets if method == "GET"])
    failures: list[str] = []
    fuzzed = requests = 0

    for rule, url, method in targets:
        path = urlsplit(url).path
        base = dict(forms.get((path, method.lower()), {}))
        if method == "GET":
            base.update({k: "" for k in GENERIC if k not in base})
        base.pop("csrf_token", None)
        names = sorted(base)
        if not names:
            continue
        fuzzed += 1

        def check(hostile: dict[str, str], base: dict[str, str] = base, method: str = method, client: Any = client,
                  path: str = path, rule: Any = rule) -> None:
            data = {**base, **hostile}
            if method == "GET":
                data = {k: v[:2000] for k, v in data.items()}  # a URL, not a body
                response = client.open(path, method="GET", query_string=data, buffered=True)
            else:
                response = client.open(path, method=method, data=data, buffered=True)
            if response.status_code >= 500:
                failures.append(f"{method} {path} {rule.endpoint} {sorted(hostile)} -> {response.status_code}: "
                                f"{ {k: v[:40] for k, v in hostile.items()} }")
            response.close()

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=not RANDOM,
                  suppress_health_check=list(HealthCheck))
        @given(st.dictionaries(st.sampled_from(names), HOSTILE, min_size=1, max_size=min(4, len(names))))
        def send(hostile: dict[str, str]) -> None:
            check(hostile)

        send()
        for name in names:  # and the sweep: each field alone, with each kind of value
            for value in SWEEP:
                check({name: value})
        requests += EXAMPLES + len(names) * len(SWEEP)
        if client.get("/account/").status_code != 200:  # a request ended her session: carry on as another admin
            client, _admin = login_as("admin")

    record_property("forms_fuzzed", fuzzed)
    record_property("examples_per_form", EXAMPLES)
    record_property("requests", requests)
    print(f"\nfuzzed {fuzzed} forms and query strings: {EXAMPLES} random examples each, and each of their fields "
          f"alone with {len(SWEEP)} kinds of value; {requests} requests")
    assert fuzzed >= 40, f"only {fuzzed} forms found: the discovery broke"
    assert not failures, "\n".join(failures[:20])
