"""Each reliability test runs on its own scratch database (SQLite file, or a new PostgreSQL database),
never on the suite's shared one: these tests commit for real from several processes."""
from __future__ import annotations

from pathlib import Path
from typing import Any
from collections.abc import Iterator

import pytest

from tests.conftest import REQUIRE_ALL
from tests.reliability.harness import POSTGRES_URL, scratch_postgres


def need_postgres() -> None:
    if not POSTGRES_URL:
        if REQUIRE_ALL:
            pytest.fail("OUTREACH_TEST_POSTGRES_URL is not set but OUTREACH_REQUIRE_ALL_BACKENDS=1")
        pytest.skip("PostgreSQL run skipped: set OUTREACH_TEST_POSTGRES_URL to a scratch database (bash .ci/run does)")


@pytest.fixture(params=["sqlite", "postgres"])
def scratch_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'reliability.db'}"
        return
    need_postgres()
    with scratch_postgres(request.node.originalname.removeprefix("test_")[:20]) as url:
        yield url


@pytest.fixture
def pg_scratch(request: pytest.FixtureRequest) -> Iterator[str]:
    need_postgres()
    with scratch_postgres(request.node.originalname.removeprefix("test_")[:20]) as url:
        yield url


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    path = tmp_path / "instance"
    path.mkdir()
    return path


def dialect_of(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def pytest_collection_modifyitems(items: list[Any]) -> None:
    for item in items:
        if "tests/reliability" in str(item.fspath):
            item.add_marker(pytest.mark.reliability)
