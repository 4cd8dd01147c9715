"""Worker and bulk-job figures on a data set, run in a process of its own (for its peak memory).

    python -m bench.jobs DATABASE_URL INSTANCE_PATH [MAX_TICKS [NOW]]   -> one JSON line

Measures: worker ticks, all at the instant NOW (ISO 8601; default: the clock) until one finds
nothing to do — the first does what was due at NOW, the last is the steady cost of a tick —,
exporting every contact to CSV, and importing a 10,000-row contacts CSV (planned and written in
one transaction, then rolled back). The ticks write: run this on a copy of a data set
(`bench.run` makes a throw-away one), so that every run starts from the same state.
"""
from __future__ import annotations

import io
import json
import resource
import shutil
import sys
import tempfile
import time
from datetime import datetime
from typing import Any

from sqlalchemy import select


def _csv(rows: int) -> bytes:
    out = io.StringIO()
    out.write("First name,Last name,E-mail,Country,Stance,Organisation,Title,Tags\n")
    for i in range(rows):
        out.write(f"Imported{i},Person{i % 997},bench.import.{i}@example.org,KE,supportive,,Adviser {i % 13},"
                  f"imported\n")
    return out.getvalue().encode()


def main(url: str, instance: str, max_ticks: int = 40, now: datetime | None = None) -> dict[str, Any]:
    from outreach import create_app
    from outreach.contacts import csv_import, csv_io
    from outreach.contacts.models import Contact
    from outreach.core.auth.models import User
    from outreach.core.db import db
    from outreach.core.time import now_utc
    from outreach.worker import run_tick

    outbox = tempfile.mkdtemp(prefix="bench-outbox-")
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": instance, "MAIL_OUTBOX_DIR": outbox, "MAIL_SERVER": None})
    figures: dict[str, Any] = {}
    try:
        # Ticks until one finds nothing to do: the first drains what the data set left due (in
        # batches), the last is the steady cost of a tick with 300k follow-ups and nothing due.
        ticks = []
        for _ in range(max_ticks):
            started = time.perf_counter()
            acted = sum(max(n, 0) for n in run_tick(app, now=now).values())
            ticks.append((round(time.perf_counter() - started, 3), acted))
            if acted == 0:
                break
        figures["tick_at"] = now.isoformat() if now else None
        figures["tick_first_s"], figures["tick_first_rows"] = ticks[0]
        figures["ticks_to_drain"] = len(ticks)
        figures["tick_busy_max_s"] = max(t for t, _n in ticks)
        figures["tick_steady_s"] = ticks[-1][0] if ticks[-1][1] == 0 else None
        # The worker process itself only ticks: its peak memory is taken here, before the bulk jobs.
        figures["worker_process_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        with app.app_context():
            started = time.perf_counter()
            size = 0
            rows = 0
            for chunk in csv_io.write_csv(csv_io.CONTACT_COLUMNS, csv_io.contact_rows(
                    select(Contact).where(Contact.is_archived.is_(False)))):
                size += len(chunk.encode())
                rows += chunk.count("\n")
            figures["export_contacts_s"] = round(time.perf_counter() - started, 2)
            figures["export_contacts_rows"] = rows - 1
            figures["export_contacts_mb"] = round(size / 1e6, 1)
            db.session.rollback()

            admin = db.session.scalar(select(User).where(User.role == "admin").order_by(User.id))
            data = _csv(10_000)
            started = time.perf_counter()
            header, body = csv_io.read_csv(data)
            plan = csv_import.plan_import("contacts", header, body, csv_io.guess_mapping(header, "contacts"))
            result = csv_import.apply_import(plan, actor=admin, now=now_utc(), filename="bench.csv")
            db.session.flush()
            figures["import_10k_s"] = round(time.perf_counter() - started, 2)
            figures["import_10k_created"] = result["created"]
            figures["import_10k_rejected"] = plan.count("reject")
            db.session.rollback()  # leave the data set as it was
    finally:
        shutil.rmtree(outbox, ignore_errors=True)
    figures["bulk_jobs_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return figures


if __name__ == "__main__":
    print("JSON " + json.dumps(main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 40,
                                    datetime.fromisoformat(sys.argv[4]) if len(sys.argv) > 4 else None)))
