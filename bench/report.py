"""bench/RESULTS.md from a results dictionary: every figure with its unit, and the targets met or not."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.common import (EXPORT_PAGE, FEED_PAGE, TARGET_EXPORT_MS, TARGET_FEED_MS, TARGET_P95_MS, TARGET_SCALING,
                          TARGET_SEARCH_P95_MS, TARGET_THROUGHPUT_RATIO)


def _target(page: dict[str, Any]) -> float:
    return {"search": TARGET_SEARCH_P95_MS, "export": TARGET_EXPORT_MS}.get(page["kind"], TARGET_P95_MS)


def _met(ok: bool | None) -> str:
    return "not measured" if ok is None else "met" if ok else "**not met**"


def _targets(report: dict[str, Any]) -> list[str]:
    """The issue's targets on the large data set, one line each, met or not."""
    lines = ["", "## Targets on the large data set", "", "| target | SQLite | PostgreSQL | met |", "|---|---|---|---|"]
    large = {r["db"]: r for r in report["results"] if r["size"] == "large"}
    if not large:
        return []

    def row(label: str, figure: Any, ok: Any) -> None:
        cells = [figure(large[db]) if db in large else "—" for db in ("sqlite", "postgres")]
        verdicts = [ok(large[db]) for db in ("sqlite", "postgres") if db in large]
        lines.append(f"| {label} | {cells[0]} | {cells[1]} | "
                     f"{_met(None if None in verdicts else all(verdicts))} |")

    def worst(result: dict[str, Any], search: bool) -> dict[str, Any]:
        pages = [p for p in result.get("latency", []) if (p["kind"] == "search") == search and p["kind"] != "export"]
        return max(pages, key=lambda p: p["p95_ms"])

    row("p95 < 100 ms on every page", lambda r: f"{worst(r, False)['p95_ms']:.0f} ms ({worst(r, False)['name']})",
        lambda r: all(p["p95_ms"] < TARGET_P95_MS for p in r["latency"] if p["kind"] not in ("search", "export")))
    row("search p95 < 50 ms", lambda r: f"{worst(r, True)['p95_ms']:.0f} ms ({worst(r, True)['name']})",
        lambda r: all(p["p95_ms"] < TARGET_SEARCH_P95_MS for p in r["latency"] if p["kind"] == "search"))

    def feed(result: dict[str, Any]) -> dict[str, Any] | None:
        return next((p for p in result.get("latency", []) if p["name"] == FEED_PAGE), None)

    row("calendar feed < 250 ms (an organisation subtree's feed, p95)",
        lambda r: f"{feed(r)['p95_ms']:.0f} ms" if feed(r) else "—",
        lambda r: None if feed(r) is None else feed(r)["p95_ms"] < TARGET_FEED_MS)

    def export(result: dict[str, Any]) -> dict[str, Any] | None:
        return next((p for p in result.get("latency", []) if p["name"] == EXPORT_PAGE), None)

    row(f"calendar download of a meeting list, 5,000 events (an export, at the feed's rate) "
        f"< {TARGET_EXPORT_MS:.0f} ms",
        lambda r: f"{export(r)['p95_ms']:.0f} ms" if export(r) else "—",
        lambda r: None if export(r) is None else export(r)["p95_ms"] < TARGET_EXPORT_MS)

    def tick(r: dict[str, Any]) -> Any:
        return r.get("jobs", {}).get("tick_steady_s")
    row("reminder-dispatch tick < 1 s (300k follow-ups, the steady tick; in brackets the first, with an hour's "
        "work due)",
        lambda r: (f"{tick(r):.2f} s ({r['jobs']['tick_first_s']:.2f} s)" if tick(r) is not None else "not reached")
        if "jobs" in r else "—",
        lambda r: None if "jobs" not in r else tick(r) is not None and tick(r) < 1)
    row("import of a 10,000-row CSV < 10 s", lambda r: f"{r['jobs']['import_10k_s']:.1f} s" if "jobs" in r else "—",
        lambda r: None if "jobs" not in r else r["jobs"]["import_10k_s"] < 10)
    row("no worker restarts, no failed request", lambda r: (f"{r.get('worker_restarts', '?')} restarts, "
                                                         f"{r.get('failed_requests', '?')} failed"),
        lambda r: None if "worker_restarts" not in r else r["worker_restarts"] == 0 and r["failed_requests"] == 0)
    row("web worker RSS < 250 MB", lambda r: f"{r['web_worker_rss_mb']:.0f} MB" if r.get("web_worker_rss_mb") else "—",
        lambda r: None if not r.get("web_worker_rss_mb") else r["web_worker_rss_mb"] < 250)
    scaling = report.get("scaling") or []

    def scale(db: str) -> str:
        rows = [x for x in scaling if x["db"] == db]
        over = [x for x in rows if x["ratio"] > TARGET_SCALING]
        top = max(rows, key=lambda x: x["ratio"]) if rows else None
        return (f"{len(over)} of {len(rows)} pages above; highest {top['ratio']:.2f} ({top['name']})"
                if top else "—")
    if scaling:
        ok = all(x["ratio"] <= TARGET_SCALING for x in scaling)
        lines.append(f"| scaling ratio ≤ 1.5 on every page | {scale('sqlite')} | {scale('postgres')} | {_met(ok)} |")

    def ratio(r: dict[str, Any]) -> Any:
        return r.get("throughput", {}).get("ratio_to_baseline")
    row(f"contact list throughput ≥ {TARGET_THROUGHPUT_RATIO} × the raw baseline",
        lambda r: f"{ratio(r):.3f}" if ratio(r) is not None else "—",
        lambda r: None if ratio(r) is None else ratio(r) >= TARGET_THROUGHPUT_RATIO)
    return lines


def write_markdown(report: dict[str, Any], path: Path) -> None:
    m = report["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"Run {report['date']} with `make bench` (`python -m bench.run`). Figures of the latest run; raw data in",
        "`bench/results/latest.json`.",
        "",
        f"Machine: {m['cores']} cores ({m.get('cpu') or 'unknown CPU'}), {m['memory_gib']} GiB memory, "
        f"Python {m['python']},"
        f" SQLite {m['sqlite']}, PostgreSQL {m.get('postgresql') or 'not available'}.",
        "",
        "Outreach served by gunicorn, one sync worker pinned to one core; requests from the other core.",
        f"Latency: {report['settings']['requests']} sequential requests per page after {report['settings']['warmup']} "
        "warm-up requests, signed in as the role that uses the page.",
        "",
        "Sizes:",
        "",
        "| size | " + " | ".join(next(iter(report["sizes"].values())).keys()) + " |",
        "|---|" + "---|" * len(next(iter(report["sizes"].values()))),
    ]
    generated = set(report.get("generated") or next(iter(report["sizes"].values())))
    for size, volumes in report["sizes"].items():
        lines.append(f"| {size} | " + " | ".join(f"{v:,}" if k in generated else f"({v:,}: not in this version)"
                                                 for k, v in volumes.items()) + " |")
    lines += _targets(report)
    for result in report["results"]:
        lines += ["", f"## {result['db']}, {result['size']}", "",
                  "| page | role | p50 ms | p95 ms | p99 ms | target p95 | met |", "|---|---|---:|---:|---:|---:|---|"]
        for page in result.get("latency", []):
            target = _target(page)
            met = "yes" if page["p95_ms"] < target and page["errors"] == 0 else "**no**"
            lines.append(
                f"| {page['name']} | {page['role'] or 'anonymous'} | {page['p50_ms']:.1f} | {page['p95_ms']:.1f} |"
                f" {page['p99_ms']:.1f} | < {target:.0f} | {met} |"
            )
        if result.get("web_worker_rss_mb"):
            rss = result["web_worker_rss_mb"]
            lines += [
                "",
                f"Web worker peak RSS: {rss:.0f} MB (target < 250 MB: {'met' if rss < 250 else '**not met**'}).",
            ]
        if result.get("jobs"):
            j = result["jobs"]
            steady = j.get("tick_steady_s")
            tick_ok = "met" if steady is not None and steady < 1 else "**not met**"
            import_ok = "met" if j["import_10k_s"] < 10 else "**not met**"
            lines += [
                "",
                "| worker and bulk jobs | figure | target |",
                "|---|---:|---|",
                f"| worker tick, first: an hour after the data set's moment "
                f"({j['tick_first_rows']:,} rows acted on) |"
                f" {j['tick_first_s']:.2f} s | |",
                f"| ticks until nothing was due / slowest of them | {j['ticks_to_drain']} / "
                f"{j['tick_busy_max_s']:.2f} s |"
                " deliveries in batches of 50, at most 1,000 a tick |",
                f"| worker tick with nothing due (the steady dispatch tick) | "
                f"{f'{steady:.2f} s' if steady is not None else 'not reached'} | < 1 s: {tick_ok} |",
                f"| import a 10,000-row contacts CSV (plan + write, one transaction) | {j['import_10k_s']:.2f} s "
                f"({j['import_10k_created']:,} created) | < 10 s: {import_ok} |",
                f"| export every contact to CSV | {j['export_contacts_s']:.2f} s ({j['export_contacts_rows']:,} rows,"
                f" {j['export_contacts_mb']} MB) | |",
                f"| worker process peak RSS | {j['worker_process_peak_rss_mb']:.0f} MB | |",
                f"| bulk-job process peak RSS (export + import) | {j['bulk_jobs_peak_rss_mb']:.0f} MB | |",
            ]
        if result.get("signed_in_as"):
            lines += ["", "Signed in as: " + ", ".join(f"{r} `{e}`" for r, e in result["signed_in_as"].items()) + "."]
        if result.get("pages_not_in_this_version"):
            lines += [
                "",
                "Not measured (not in this version yet): " + ", ".join(result["pages_not_in_this_version"]) + ".",
            ]
        if result.get("throughput"):
            t = result["throughput"]
            lines += ["", f"Throughput, {report['settings']['concurrency']} concurrent connections for "
                          f"{report['settings']['duration']} s (wrk):", "",
                      "| page | requests/s | p95 ms | errors |", "|---|---:|---:|---:|"]
            for page in t["pages"]:
                lines.append(
                    f"| {page['name']} | {page['requests_per_s']:.1f} | {page['p95_ms']:.1f} | {page['errors']} |"
                )
            if "baseline" in t:
                b = t["baseline"]
                ok = "met" if t["ratio_to_baseline"] >= TARGET_THROUGHPUT_RATIO else "**not met**"
                lines.append(f"| raw baseline (contact list, plain SQL + string) | {b['requests_per_s']:.1f} | "
                             f"{b['p95_ms']:.1f} | {b['errors']} |")
                lines += ["", f"Outreach ÷ baseline on the contact list: **{t['ratio_to_baseline']:.2f}** "
                              f"(target ≥ {TARGET_THROUGHPUT_RATIO}: {ok})."]
            if "anatomy" in t:
                a = t["anatomy"]
                lines += ["", f"Where a contact-list request's time goes (`bench/anatomy.py`, in-process, mean of "
                              f"{a['requests']} requests): {a['total_ms']:.1f} ms in all — the view's queries, ORM "
                              f"objects and forms {a['view_ms']:.1f} ms (of which executing {a['statements']:g} SQL "
                              f"statements {a['sql_ms']:.1f} ms), templates {a['render_ms']:.1f} ms, and the framework "
                              f"around the view (routing, session and sign-in, access policy, headers) "
                              f"{a['framework_ms']:.1f} ms."]
    if report.get("scaling"):
        lines += ["", "## Scaling: p95 at large ÷ p95 at small", "",
                  "The page-size column is the response's bytes at large ÷ at small: above 1 the large data set's",
                  "record (the busiest of its kind) fills more of the page.", "",
                  "| database | page | ratio | ≤ 1.5 | page size |", "|---|---|---:|---|---:|"]
        for row in report["scaling"]:
            size = f"{row['bytes_ratio']:.2f}" if row.get("bytes_ratio") else "—"
            lines.append(f"| {row['db']} | {row['name']} | {row['ratio']:.2f} | "
                         f"{'yes' if row['ratio'] <= TARGET_SCALING else '**no**'} | {size} |")
    for key, label in (("jobs", "Worker and bulk jobs"),):
        if report.get(key):
            lines += ["", f"## {label}", "", "| job | figure | target | met |", "|---|---|---|---|"]
            for row in report[key]:
                lines.append(f"| {row['name']} | {row['figure']} | {row['target']} | {row['met']} |")
    path.write_text("\n".join(lines) + "\n")
