"""The production entry point leaves what it loaded out of the garbage collector's full passes."""
from __future__ import annotations

import os
import subprocess
import sys


def test_the_wsgi_app_freezes_what_it_loaded(tmp_path):
    env = {**os.environ, "OUTREACH_DATABASE_URL": f"sqlite:///{tmp_path / 'wsgi.db'}",
           "OUTREACH_INSTANCE_PATH": str(tmp_path / "instance"), "OUTREACH_ENV": "development"}
    probe = "import gc, outreach.wsgi; print(gc.get_freeze_count())"
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    # the app, its modules and tables: tens of thousands of objects a full collection no longer walks
    assert int(out.stdout.strip()) > 10_000
