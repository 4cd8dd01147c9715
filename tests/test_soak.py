"""Web processes survive long, mixed sequences of pages (bench/soak.py), on every supported interpreter.

The bounded soak runs here on the tiny data set; `make soak` runs the long form on the large one. The
interpreter of this suite always runs; .ci/run names the other supported ones in OUTREACH_SOAK_PYTHONS.
"""
from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.soak import MAX_LATE_GROWTH_MB, soak

ROOT = Path(__file__).resolve().parent.parent
#: The CPython 3.11 bug behind the web workers' SIGSEGV, in plain Python (README, "Why not 3.11").
DICT_RACE = ROOT / "docs" / "cpython311_gc_dict_race.py"
INTERPRETERS = [sys.executable] + [p for p in os.environ.get("OUTREACH_SOAK_PYTHONS", "").split(os.pathsep) if p]


@pytest.mark.parametrize("python", INTERPRETERS)
def test_a_web_process_serves_every_page_without_crashing_or_growing(python: str) -> None:
    report = soak(python, db="sqlite", size="tiny", requests=1500)
    assert report["exit_status"] == 0, report.get("stderr_tail")
    assert report["pages"] >= 30  # every benchmarked page, not a handful
    assert report["failed_requests"] == 0, report["failures"]
    assert report["late_growth_mb"] <= MAX_LATE_GROWTH_MB, report
    assert report["ok"]


def test_the_soak_reports_a_crashed_process() -> None:
    report = soak(sys.executable, db="sqlite", size="tiny", requests=300, extra=("--crash-at", "120"))
    assert report["crashed"] == "SIGSEGV"
    assert not report["ok"]


def test_the_soak_reports_memory_that_keeps_growing() -> None:
    report = soak(sys.executable, db="sqlite", size="tiny", requests=400, extra=("--leak-kb", "128"))
    assert report["exit_status"] == 0
    assert report["late_growth_mb"] > MAX_LATE_GROWTH_MB
    assert not report["ok"]


def test_the_package_refuses_the_interpreters_that_crash() -> None:
    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg")
    assert setup["options"]["python_requires"] == ">=3.12"
    assert sys.version_info >= (3, 12)


@pytest.mark.skipif(not Path("/usr/bin/python3.11").exists() or not shutil.which("make"),
                    reason="needs Debian's python3.11 and make to show that make refuses it")
def test_make_refuses_python_3_11_with_a_reason() -> None:
    result = subprocess.run(["make", "-n", "install", "PYTHON=/usr/bin/python3.11", "VENV=/nonexistent-venv"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode != 0
    assert "needs CPython 3.12 or newer" in result.stderr


def test_this_interpreter_keeps_a_dict_made_during_a_garbage_collection_whole() -> None:
    result = subprocess.run([sys.executable, str(DICT_RACE)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "consistent" in result.stdout


@pytest.mark.skipif(not Path("/usr/bin/python3.11").exists(), reason="needs Debian's python3.11")
def test_python_3_11_corrupts_it() -> None:
    result = subprocess.run(["/usr/bin/python3.11", str(DICT_RACE)], capture_output=True, text=True, timeout=120)
    assert result.returncode != 0  # 1: the dict counts an attribute it does not hold; -11: SIGSEGV
    assert "CORRUPT" in result.stdout
