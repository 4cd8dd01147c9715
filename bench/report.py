"""bench/RESULTS.md from a results dictionary: every figure with its unit, and the targets met or not."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.run import TARGET_P95_MS, TARGET_SCALING, TARGET_SEARCH_P95_MS


def _target(page: dict[str, Any]) -> float:
    return TARGET_SEARCH_P95_MS if page["kind"] == "search" else TARGET_P95_MS


def write_markdown(report: dict[str, Any], path: Path) -> None:
    m = report["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"Run {report['date']} with `make bench` (`python -m bench.run`). Figures of the latest run; raw data in",
        "`bench/results/latest.json`.",
        "",
        f"Machine: {m['cores']} cores ({m.get('cpu') or 'unknown CPU'}), {m['memory_gib']} GiB memory, Python {m['python']},"
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
    for size, volumes in report["sizes"].items():
        lines.append(f"| {size} | " + " | ".join(f"{v:,}" for v in volumes.values()) + " |")
    for result in report["results"]:
        lines += ["", f"## {result['db']}, {result['size']}", "",
                  "| page | role | p50 ms | p95 ms | p99 ms | target p95 | met |", "|---|---|---:|---:|---:|---:|---|"]
        for page in result.get("latency", []):
            target = _target(page)
            met = "yes" if page["p95_ms"] < target and page["errors"] == 0 else "**no**"
            lines.append(f"| {page['name']} | {page['role'] or 'anonymous'} | {page['p50_ms']:.1f} | {page['p95_ms']:.1f} |"
                         f" {page['p99_ms']:.1f} | < {target:.0f} | {met} |")
        if result.get("web_worker_rss_mb"):
            rss = result["web_worker_rss_mb"]
            lines += ["", f"Web worker peak RSS: {rss:.0f} MB (target < 250 MB: {'met' if rss < 250 else '**not met**'})."]
        if result.get("jobs"):
            j = result["jobs"]
            steady = j.get("tick_steady_s")
            tick_ok = "met" if steady is not None and steady < 1 else "**not met**"
            import_ok = "met" if j["import_10k_s"] < 10 else "**not met**"
            lines += ["", "| worker and bulk jobs | figure | target |", "|---|---:|---|",
                      f"| worker tick, first: an hour after the data set's moment "
                      f"({j['tick_first_rows']:,} rows acted on) |"
                      f" {j['tick_first_s']:.2f} s | |",
                      f"| ticks until nothing was due / slowest of them | {j['ticks_to_drain']} / {j['tick_busy_max_s']:.2f} s |"
                      " deliveries in batches of 50, at most 1,000 a tick |",
                      f"| worker tick with nothing due (the steady dispatch tick) | "
                      f"{'%.2f s' % steady if steady is not None else 'not reached'} | < 1 s: {tick_ok} |",
                      f"| import a 10,000-row contacts CSV (plan + write, one transaction) | {j['import_10k_s']:.2f} s "
                      f"({j['import_10k_created']:,} created) | < 10 s: {import_ok} |",
                      f"| export every contact to CSV | {j['export_contacts_s']:.2f} s ({j['export_contacts_rows']:,} rows,"
                      f" {j['export_contacts_mb']} MB) | |",
                      f"| worker process peak RSS | {j['worker_process_peak_rss_mb']:.0f} MB | |",
                      f"| bulk-job process peak RSS (export + import) | {j['bulk_jobs_peak_rss_mb']:.0f} MB | |"]
        if result.get("signed_in_as"):
            lines += ["", "Signed in as: " + ", ".join(f"{r} `{e}`" for r, e in result["signed_in_as"].items()) + "."]
        if result.get("pages_not_in_this_version"):
            lines += ["", "Not measured (not in this version yet): " + ", ".join(result["pages_not_in_this_version"]) + "."]
        if result.get("throughput"):
            t = result["throughput"]
            lines += ["", f"Throughput, {report['settings']['concurrency']} concurrent connections for "
                          f"{report['settings']['duration']} s (wrk):", "",
                      "| page | requests/s | p95 ms | errors |", "|---|---:|---:|---:|"]
            for page in t["pages"]:
                lines.append(f"| {page['name']} | {page['requests_per_s']:.1f} | {page['p95_ms']:.1f} | {page['errors']} |")
            if "baseline" in t:
                b = t["baseline"]
                ok = "met" if t["ratio_to_baseline"] >= 0.5 else "**not met**"
                lines.append(f"| raw baseline (contact list, plain SQL + string) | {b['requests_per_s']:.1f} | "
                             f"{b['p95_ms']:.1f} | {b['errors']} |")
                lines += ["", f"Outreach ÷ baseline on the contact list: **{t['ratio_to_baseline']:.2f}** "
                              f"(target ≥ 0.5: {ok})."]
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
