"""The package runs outside the checkout: build the sdist, build the wheel from it, install the wheel
into a fresh virtual environment in a temporary folder, migrate a new SQLite database and serve /login.

No network: the sdist and the wheel are built with this environment's setuptools (the PEP 517
hooks, no build isolation), the wheel is installed without its dependencies, and the fresh
environment borrows this one's third-party packages through a .pth file — never the checkout.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parent.parent
#: What a checkout holds that is no part of the source distribution.
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv*", "instance", "build", "dist", "*.egg-info", "__pycache__",
                                    "*.pyc", ".pytest_cache", "test-artifacts", "data", "results", "tests", "docs")
#: Every package folder and every resource the app reads at run time.
MUST_SHIP = ("outreach/core/__init__.py", "outreach/core/auth/__init__.py", "outreach/contacts/__init__.py",
             "outreach/meetings/__init__.py", "outreach/alembic.ini", "outreach/templates/base.html",
             "outreach/static/css/outreach.css", "outreach/static/vendor/htmx/htmx.min.js",
             "outreach/migrations/env.py")
TIMEOUT = 120


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _build(tmp: Path) -> Path:
    """Build the sdist from a copy of the source, then the wheel from the unpacked sdist."""
    source = tmp / "source"
    shutil.copytree(CHECKOUT, source, ignore=NOT_SOURCE)
    hook = "import sys; from setuptools import build_meta as b; print(getattr(b, sys.argv[1])(sys.argv[2]))"
    sdist = _run([sys.executable, "-c", hook, "build_sdist", str(tmp)], cwd=source).strip().splitlines()[-1]
    with tarfile.open(tmp / sdist) as archive:
        archive.extractall(tmp / "unpacked", filter="data")
    unpacked = next((tmp / "unpacked").iterdir())
    wheel = _run([sys.executable, "-c", hook, "build_wheel", str(tmp)], cwd=unpacked).strip().splitlines()[-1]
    return tmp / wheel


def _fresh_env(tmp: Path, wheel: Path) -> Path:
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp)
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", "--no-index",
          str(wheel)], cwd=tmp)
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=tmp).strip())
    (site / "borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def _clean_env(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OUTREACH_", "PYTHON", "VIRTUAL_ENV"))}
    env["OUTREACH_DATABASE_URL"] = f"sqlite:///{work / 'fresh.db'}"
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("packaging")
    wheel = _build(tmp)
    return wheel, _fresh_env(tmp, wheel)


def test_the_wheel_ships_every_package_and_resource(installed: tuple[Path, Path]) -> None:
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    assert [path for path in MUST_SHIP if path not in names] == []
    checkout_templates = {p.relative_to(CHECKOUT).as_posix() for p in (CHECKOUT / "templates").rglob("*.html")}
    assert {f"outreach/{path}" for path in checkout_templates} <= names
    assert not any("__pycache__" in name for name in names)


def test_the_installed_wheel_migrates_a_new_database_and_serves_login(installed: tuple[Path, Path]) -> None:
    _, venv = installed
    work = venv.parent / "elsewhere"
    work.mkdir()
    env = _clean_env(work)
    where = _run([str(venv / "bin" / "python"), "-c", "import outreach; print(outreach.__file__)"], cwd=work, env=env)
    assert where.startswith(str(venv)), where

    out = _run([str(venv / "bin" / "outreach"), "db", "upgrade"], cwd=work, env=env)
    assert "Database is at head" in out
    assert (work / "fresh.db").exists() and (work / "instance" / "secret_key").exists()

    server = subprocess.Popen([str(venv / "bin" / "python"), "-m", "gunicorn", "--workers", "1",
                               "--bind", "127.0.0.1:0", "outreach.wsgi:app"],
                              cwd=work, env=env, stderr=subprocess.PIPE, text=True)
    try:
        port = None
        deadline = time.monotonic() + 60
        assert server.stderr is not None
        while port is None and time.monotonic() < deadline:
            line = server.stderr.readline()
            assert line or server.poll() is None, "gunicorn stopped before listening"
            if match := re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line):
                port = int(match.group(1))
        assert port, "gunicorn did not listen within a minute"
        page = _get(f"http://127.0.0.1:{port}/login")
        assert 'name="email"' in page and 'name="password"' in page
        stylesheet = re.search(r'href="(/static/css/outreach\.css[^"]*)"', page)
        assert stylesheet and _get(f"http://127.0.0.1:{port}{stylesheet.group(1)}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server.stderr is not None:
            server.stderr.close()


def _get(url: str) -> str:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                assert response.status == 200
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
