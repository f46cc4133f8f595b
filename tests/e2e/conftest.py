"""Browser tests: Debian's Chromium driven by Playwright against a real gunicorn server.

They need /usr/bin/chromium and the playwright package (never `playwright install`); without
them they are skipped with the reason printed. axe-core comes from node_modules.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from lms import create_app
from tests.servers import running_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright Python package is not installed")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def live_db(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    if not isinstance(template_db, Path):
        pytest.skip("browser tests run once, on SQLite")
    path = tmp_path_factory.mktemp("e2e") / "lms.sqlite3"
    shutil.copyfile(template_db, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def live_server(live_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(live_db, tmp_path_factory.mktemp("e2e-instance")) as base:
        yield base


@pytest.fixture(scope="module")
def live_app(live_db: str) -> Flask:
    """An app on the live server's database, for reading what the tests need to know."""
    return create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": live_db})


@pytest.fixture
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go (kept for people to look at after a run)."""
    folder = ROOT / "build" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
