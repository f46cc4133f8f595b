"""Migrations build exactly the schema the models describe, and downgrade cleanly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from lms import create_app
from lms.extensions import db


def test_migrated_schema_matches_the_models_and_round_trips(empty_database_uri: str):
    """db upgrade on an empty database, compare with the models, downgrade, upgrade again."""
    config = {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": empty_database_uri}
    app = create_app(config)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert diff == []
        downgrade(revision="base")
        with db.engine.connect() as connection:
            tables = set(db.inspect(connection).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade()
        db.session.remove()
        db.engine.dispose()


def test_upgrading_a_database_with_data_keeps_every_row(empty_database_uri: str):
    """Rows written under the first schema survive every later migration (no cascade loss)."""
    config = {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": empty_database_uri}
    app = create_app(config)
    tables = ("courses", "course_versions", "modules", "items", "assets")
    with app.app_context():
        upgrade(revision="0001")
        with db.engine.begin() as connection:
            run = connection.exec_driver_sql
            run("INSERT INTO courses (id, created_at) VALUES ('c1', '2026-01-01')")
            run(
                "INSERT INTO course_versions (id, course_id, version, sort_key, status, title,"
                " summary, language, languages, tags, completion, certificate, content_hash,"
                " created_at) VALUES (1, 'c1', '1.0.0', 'k', 'published', 'T', '', 'en', '[]',"
                " '[]', '{}', '{}', 'h', '2026-01-01')"
            )
            run(
                "INSERT INTO modules (id, course_version_id, key, position, title)"
                " VALUES (1, 1, 'm', 0, 'M')"
            )
            run(
                "INSERT INTO items (id, course_version_id, module_id, key, kind, position, title,"
                " data) VALUES (1, 1, 1, 'l', 'lesson', 1, 'L', '{}')"
            )
            run(
                "INSERT INTO assets (id, course_version_id, path, content_type, sha256, size, data)"
                " VALUES (1, 1, 'a.png', 'image/png', 's', 1, X'00')"
                if db.engine.dialect.name == "sqlite"
                else "INSERT INTO assets (id, course_version_id, path, content_type, sha256, size,"
                " data) VALUES (1, 1, 'a.png', 'image/png', 's', 1, '\\x00'::bytea)"
            )
        upgrade()
        with db.engine.connect() as connection:
            counts = {
                t: connection.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() for t in tables
            }
            public = connection.exec_driver_sql("SELECT public FROM assets").scalar()
        assert counts == dict.fromkeys(tables, 1)
        assert public in (True, 1)
        db.session.remove()
        db.engine.dispose()


def test_memberships_upgraded_to_0008_hold_their_members_names(empty_database_uri: str):
    """Memberships that existed before migration 0008 get their member's name, which the
    organization's lists sort by."""
    config = {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": empty_database_uri}
    app = create_app(config)
    with app.app_context():
        upgrade(revision="0007")
        with db.engine.begin() as connection:
            run = connection.exec_driver_sql
            for n, name in ((1, "Zoe Zapata"), (2, "Ana Álvarez")):
                run(
                    "INSERT INTO users (id, email, name, password_hash, role, created_at)"
                    f" VALUES ({n}, 'u{n}@example.org', '{name}', 'x', 'learner', '2026-01-01')"
                )
            run("INSERT INTO organizations (id, name, created_at) VALUES (1, 'O', '2026-01-01')")
            for n in (1, 2):
                run(
                    "INSERT INTO org_memberships (id, org_id, user_id, role, created_at)"
                    f" VALUES ({n}, 1, {n}, 'member', '2026-01-01')"
                )
        upgrade()
        with db.engine.connect() as connection:
            held = connection.exec_driver_sql(
                "SELECT user_id, member_name FROM org_memberships ORDER BY user_id"
            ).all()
        assert [tuple(row) for row in held] == [(1, "Zoe Zapata"), (2, "Ana Álvarez")]
        db.session.remove()
        db.engine.dispose()
