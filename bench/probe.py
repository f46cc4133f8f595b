"""A signed-in learner driven in-process with the Flask test client, counting the SQL
statements each request runs (a ``before_cursor_execute`` listener) and the rows returned.

Each probe sends its requests from a thread of its own, as a server's worker thread serves
one app: a thread holds one driver connection for the lesson page's read (lms.database), so
two probes taking turns on one thread would reconnect at every read and time the reconnect."""

from __future__ import annotations

import gc
import re
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask
from sqlalchemy import event

from bench.fixtures import PASSWORD
from lms.extensions import db

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Probe:
    """The probe learner signed in, in-process, on one database, counting SQL statements
    (``before_cursor_execute``) and the rows they returned."""

    def __init__(self, app: Flask, email: str) -> None:
        self.statements = 0
        self.rows = 0
        self.sql: list[str] = []
        with app.app_context():
            self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self._count)
        event.listen(self.engine, "after_cursor_execute", self._rows)
        self.client = app.test_client()
        page = self.client.get("/login")
        match = CSRF.search(page.get_data(as_text=True))
        assert match is not None
        login = self.client.post(
            "/login", data={"csrf_token": match.group(1), "email": email, "password": PASSWORD}
        )
        if login.status_code != 302:
            raise RuntimeError(f"probe login: {login.status_code}")

    def _count(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.statements += 1
        self.sql.append(statement)

    def _rows(self, _conn: Any, cursor: Any, *_args: Any) -> None:
        self.rows += max(0, cursor.rowcount or 0)

        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="probe")

    def get(self, path: str) -> tuple[float, int, int, int]:
        """One request, sent from the probe's own thread: seconds, statements, rows, bytes."""
        return self._thread.submit(self._get, path).result()

    def _get(self, path: str) -> tuple[float, int, int, int]:
        self.statements = self.rows = 0
        self.sql = []
        begun = time.perf_counter()
        response = self.client.get(path)
        seconds = time.perf_counter() - begun
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code}")
        return seconds, self.statements, self.rows, len(response.data)

    def close(self) -> None:
        """Stop the probe's thread; the driver connection it held goes back to the pool (on
        collection, as a thread's connection does when the thread ends), so that disposing
        the engine afterwards closes it."""
        self._thread.shutdown(wait=True)
        gc.collect()
        event.remove(self.engine, "before_cursor_execute", self._count)
        event.remove(self.engine, "after_cursor_execute", self._rows)
