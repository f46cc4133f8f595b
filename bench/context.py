"""What every step shares: the report, the options, the databases and the running platforms.

A platform is one bench database (SQLite or PostgreSQL) served by a real gunicorn, plus an
in-process app on the same database for working out right answers and checking the data.
Steps 1 to 5 share one platform per database kind, each with its own learners.
"""

from __future__ import annotations

import argparse
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from bench.client import Client, Response
from bench.fixtures import PASSWORD, Databases, Learner, app_for
from bench.report import Report
from bench.server import Server, gunicorn, lms_env
from lms.catalog.models import Item
from lms.catalog.services import latest_published
from lms.extensions import db
from tests.answers import right_answers


@dataclass
class Platform:
    kind: str  # "sqlite" or "postgresql"
    uri: str
    server: Server
    app: Flask

    @property
    def base(self) -> str:
        return self.server.base

    def answers(self, attempt: dict[str, Any]) -> dict[str, Any]:
        """Full-mark answers for an attempt as the API returned it (the pure grader decides)."""
        return right_answers(self.app, attempt["attempt_id"], attempt["questions"])

    def lesson_keys(self, course_id: str) -> list[str]:
        with self.app.app_context():
            version = latest_published(course_id)
            assert version is not None
            return list(
                db.session.scalars(
                    select(Item.key)
                    .where(Item.course_version_id == version.id, Item.kind == "lesson")
                    .order_by(Item.position)
                )
            )

    def client(self, learner: Learner, cookie: bool = False) -> Client:
        """A connection for a learner: bearer token, and a session cookie when asked."""
        client = Client(self.base, token=learner.token)
        if cookie:
            client.login(learner.email, PASSWORD)
        return client


@dataclass
class Context:
    report: Report
    args: argparse.Namespace
    work: Path
    logs: Path
    databases: Databases
    stack: ExitStack
    platforms: dict[str, Platform] = field(default_factory=dict)

    @property
    def kinds(self) -> list[str]:
        """The database kinds the load steps run on."""
        return ["sqlite", "postgresql"] if self.databases.has_postgres else ["sqlite"]

    def platform(self, kind: str) -> Platform:
        """The shared platform for a database kind, started on first use."""
        if kind not in self.platforms:
            uri = self.databases.prepared(kind, f"bench_{kind}")
            server = self.stack.enter_context(
                gunicorn(
                    "lms:create_app()",
                    self.logs / f"lms-{kind}.log",
                    "/healthz",
                    lms_env(uri, self.work / f"instance-{kind}"),
                )
            )
            app = self.stack.enter_context(app_for(uri))
            self.platforms[kind] = Platform(kind, uri, server, app)
        return self.platforms[kind]


def start_attempt(client: Client, course_id: str, quiz_id: str) -> Response:
    return client.post_json(f"/api/v1/courses/{course_id}/quizzes/{quiz_id}/attempts")


def submit(client: Client, attempt_id: str, answers: dict[str, Any]) -> Response:
    return client.post_json(f"/api/v1/attempts/{attempt_id}/submit", {"answers": answers})


def view_lesson(client: Client, course_id: str, lesson_id: str) -> Response:
    return client.get(f"/api/v1/courses/{course_id}/lessons/{lesson_id}", bearer=True)
