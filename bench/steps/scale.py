"""Step 6: data at scale on PostgreSQL.

One database is measured twice: near-empty (the sample courses, the bench course and one
probe learner), then after seeding with COPY (never the ORM) 100,000 learners, 200 courses
copied row by row from a sample course (course, version, modules, items) and 1,000,000
progress rows (300,000 enrolments and 700,000 lesson views), and organizations: every
learner belongs to one (the measured one holds every learner enrolled in the sample course,
with due dates for half of them; the rest are grouped 1,000 to an organization). `--scale`
shrinks the three numbers for a quick run; the printed target stays the full size.

Each page is requested in-process with the Flask test client as the signed-in probe learner
(the same learner with the same enrolments both times): a warm-up, then --samples requests;
the median time and the SQL statements per request (a `before_cursor_execute` counter).
Target: within 2x of the near-empty time, and no more statements than near-empty.

The first page of the admin course report (the API report for the measured organization and
the sample course) is requested the same way by a signed-in admin. Near-empty, the
organization holds the probe learner and 50 learners in the course (a full first page);
seeded, it also holds every seeded learner enrolled in that course.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import create_engine

from bench.context import Context
from bench.fixtures import (
    BENCH_COURSE_ID,
    PASSWORD,
    SAMPLE_COURSE_ID,
    app_for,
    create_learners,
)
from bench.probe import Probe
from lms.extensions import db

STEP = "6 data at scale"
FULL_LEARNERS = 100_000
FULL_COURSES = 200
FULL_PROGRESS = 1_000_000
ENROLMENTS_PER_LEARNER = 3
PAGES = {
    "dashboard /my": "/my",
    "catalog /": "/",
    f"course page /courses/{SAMPLE_COURSE_ID}": f"/courses/{SAMPLE_COURSE_ID}",
    "lesson page (extra)": f"/courses/{SAMPLE_COURSE_ID}/lessons/safe-assistance",
    # the same one-card page on both databases: what the catalog costs per course it holds
    "catalog /?tag=benchmark, one card (extra)": "/?tag=benchmark",
}
TIME_FACTOR = 2.0
NOW = "2026-11-01 10:00:00"
ORG_SIZE = 1_000  # learners per organization, besides the measured one
ADMIN_EMAIL = "scale-admin@bench.example.org"
ORG_NAME = "Bench Ministry"
REPORT_PAGE = 50  # the report's default page size


def _copy_out(cursor: Any, sql: str) -> list[list[str]]:
    """Rows in COPY text format, split into fields (escapes stay as they are)."""
    with cursor.copy(f"COPY ({sql}) TO STDOUT") as copy:
        data = b"".join(bytes(chunk) for chunk in copy).decode()
    return [line.split("\t") for line in data.split("\n") if line]


def _copy_in(cursor: Any, table: str, columns: list[str], lines: Iterable[str]) -> int:
    """COPY lines (already in text format) into a table, in chunks; the number of rows."""
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        chunk: list[str] = []
        for line in lines:
            chunk.append(line)
            count += 1
            if len(chunk) >= 20_000:
                copy.write("\n".join(chunk) + "\n")
                chunk = []
        if chunk:
            copy.write("\n".join(chunk) + "\n")
    return count


def _columns(cursor: Any, table: str) -> list[str]:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "AND table_schema = 'public' ORDER BY ordinal_position",
        (table,),
    )
    return [str(r[0]) for r in cursor.fetchall()]


def _next_id(cursor: Any, table: str) -> int:
    cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")
    return int(cursor.fetchone()[0])


def _copy_courses(cursor: Any, count: int) -> list[tuple[str, int, list[str]]]:
    """``count`` copies of the sample course; (course id, version id, lesson keys) each."""
    quoted = f"'{SAMPLE_COURSE_ID}'"
    tables = {t: _columns(cursor, t) for t in ("courses", "course_versions", "modules", "items")}
    course_rows = _copy_out(cursor, f"SELECT * FROM courses WHERE id = {quoted}")
    version_rows = _copy_out(cursor, f"SELECT * FROM course_versions WHERE course_id = {quoted}")
    version_ids = ", ".join(r[tables["course_versions"].index("id")] for r in version_rows)
    module_rows = _copy_out(
        cursor, f"SELECT * FROM modules WHERE course_version_id IN ({version_ids})"
    )
    item_rows = _copy_out(cursor, f"SELECT * FROM items WHERE course_version_id IN ({version_ids})")
    col = {t: {name: i for i, name in enumerate(cols)} for t, cols in tables.items()}
    next_version = _next_id(cursor, "course_versions")
    next_module = _next_id(cursor, "modules")
    next_item = _next_id(cursor, "items")
    courses, versions, modules, items = [], [], [], []
    made = []
    for n in range(count):
        course_id = f"scale-{n:04d}"
        for row in course_rows:
            row = list(row)
            row[col["courses"]["id"]] = course_id
            courses.append("\t".join(row))
        version_map: dict[str, int] = {}
        for row in version_rows:
            row = list(row)
            version_map[row[col["course_versions"]["id"]]] = next_version
            row[col["course_versions"]["id"]] = str(next_version)
            row[col["course_versions"]["course_id"]] = course_id
            row[col["course_versions"]["title"]] += f" (copy {n})"
            versions.append("\t".join(row))
            next_version += 1
        module_map: dict[str, int] = {}
        for row in module_rows:
            row = list(row)
            module_map[row[col["modules"]["id"]]] = next_module
            row[col["modules"]["id"]] = str(next_module)
            row[col["modules"]["course_version_id"]] = str(
                version_map[row[col["modules"]["course_version_id"]]]
            )
            modules.append("\t".join(row))
            next_module += 1
        lessons = []
        for row in item_rows:
            row = list(row)
            row[col["items"]["id"]] = str(next_item)
            row[col["items"]["course_version_id"]] = str(
                version_map[row[col["items"]["course_version_id"]]]
            )
            row[col["items"]["module_id"]] = str(module_map[row[col["items"]["module_id"]]])
            if row[col["items"]["kind"]] == "lesson":
                lessons.append(row[col["items"]["key"]])
            items.append("\t".join(row))
            next_item += 1
        made.append((course_id, max(version_map.values()), lessons))
    _copy_in(cursor, "courses", tables["courses"], courses)
    _copy_in(cursor, "course_versions", tables["course_versions"], versions)
    _copy_in(cursor, "modules", tables["modules"], modules)
    _copy_in(cursor, "items", tables["items"], items)
    return made


def _existing_courses(cursor: Any) -> list[tuple[str, int, list[str]]]:
    cursor.execute(
        "SELECT v.course_id, v.id, i.key FROM course_versions v JOIN items i "
        "ON i.course_version_id = v.id AND i.kind = 'lesson' WHERE v.status = 'published' "
        f"AND v.course_id != '{BENCH_COURSE_ID}' ORDER BY v.course_id, i.position"
    )
    found: dict[tuple[str, int], list[str]] = {}
    for course_id, version_id, key in cursor.fetchall():
        found.setdefault((str(course_id), int(version_id)), []).append(str(key))
    return [(c, v, keys) for (c, v), keys in found.items()]


def _seed_organizations(cursor: Any, org_id: int, user_ids: range) -> dict[str, int]:
    """Every seeded learner in one organization, with COPY: the measured one (``org_id``)
    gets each learner enrolled in the sample course (half of them with a due date, half of
    those past), the others ``ORG_SIZE`` learners each. Returns the counts written."""
    cursor.execute(
        "SELECT user_id FROM enrollments WHERE course_id = %s AND user_id >= %s ORDER BY user_id",
        (SAMPLE_COURSE_ID, user_ids.start),
    )
    measured = [int(r[0]) for r in cursor.fetchall()]
    chosen = set(measured)
    rest = [uid for uid in user_ids if uid not in chosen]
    first_org = _next_id(cursor, "organizations")
    groups = [rest[n : n + ORG_SIZE] for n in range(0, len(rest), ORG_SIZE)]
    _copy_in(
        cursor,
        "organizations",
        ["id", "name", "created_at"],
        (f"{first_org + n}\tScale Agency {n:04d}\t{NOW}" for n in range(len(groups))),
    )
    first_membership = _next_id(cursor, "org_memberships")

    def memberships() -> Iterator[str]:
        n = first_membership
        for uid in measured:
            yield f"{n}\t{org_id}\t{uid}\tmember\tUnit {uid % 12}\tScale Learner {uid}\t{NOW}"
            n += 1
        for index, group in enumerate(groups):
            for uid in group:
                yield f"{n}\t{first_org + index}\t{uid}\tmember\t\\N\tScale Learner {uid}\t{NOW}"
                n += 1

    count = _copy_in(
        cursor,
        "org_memberships",
        ["id", "org_id", "user_id", "role", "unit", "member_name", "created_at"],
        memberships(),
    )
    first_assignment = _next_id(cursor, "org_course_assignments")

    def assignments() -> Iterator[str]:
        for n, uid in enumerate(measured[::2]):
            due = "2026-01-31" if n % 2 else "2099-12-31"
            yield f"{first_assignment + n}\t{org_id}\t{uid}\t{SAMPLE_COURSE_ID}\t{due}\t{NOW}"

    due_dates = _copy_in(
        cursor,
        "org_course_assignments",
        ["id", "org_id", "user_id", "course_id", "due_date", "created_at"],
        assignments(),
    )
    return {
        "organizations": len(groups),
        "memberships": count,
        "measured": len(measured),
        "due_dates": due_dates,
    }


def seed(
    uri: str, learners: int, courses: int, progress: int, password_hash: str, org_id: int
) -> str:
    """Seed with COPY; returns a one-line account of what was written and how long it took."""
    begun = time.perf_counter()
    engine = create_engine(uri)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        made = _copy_courses(cursor, courses)
        pool = made + _existing_courses(cursor)
        first_user = _next_id(cursor, "users")
        user_ids = range(first_user, first_user + learners)

        def users() -> Iterator[str]:
            for uid in user_ids:
                yield (
                    f"{uid}\tscale-{uid}@bench.example.org\tScale Learner {uid}\t"
                    f"{password_hash}\tlearner\t\\N\t{NOW}"
                )

        _copy_in(
            cursor,
            "users",
            ["id", "email", "name", "password_hash", "role", "locale", "created_at"],
            users(),
        )
        enrol_total = min(progress, learners * ENROLMENTS_PER_LEARNER)
        views_total = progress - enrol_total
        views_per_learner = -(-views_total // learners) if learners else 0
        first_enrolment = _next_id(cursor, "enrollments")
        first_view = _next_id(cursor, "lesson_views")
        counts = {"enrollments": 0, "lesson_views": 0}

        def picks(uid: int) -> list[tuple[str, int, list[str]]]:
            start = (uid * 31) % len(pool)
            return [pool[(start + k * 67) % len(pool)] for k in range(ENROLMENTS_PER_LEARNER)]

        def enrolments() -> Iterator[str]:
            n = first_enrolment
            for uid in user_ids:
                for course_id, version_id, lessons in picks(uid):
                    if counts["enrollments"] >= enrol_total:
                        return
                    minute = uid % 60
                    yield (
                        f"{n}\t{uid}\t{course_id}\t{version_id}\tt\t{NOW}\t{lessons[0]}\t"
                        f"2026-11-02 10:{minute:02d}:00\t{100 * 4 / (len(lessons) + 5):.1f}\t\\N"
                    )
                    n += 1
                    counts["enrollments"] += 1

        def views() -> Iterator[str]:
            n = first_view
            for uid in user_ids:
                left = views_per_learner
                for course_id, _version_id, lessons in picks(uid):
                    for key in lessons[: min(left, 4)]:
                        if counts["lesson_views"] >= views_total:
                            return
                        yield f"{n}\t{uid}\t{course_id}\t{key}\t{NOW}\t{NOW}"
                        n += 1
                        left -= 1
                        counts["lesson_views"] += 1

        _copy_in(
            cursor,
            "enrollments",
            [
                "id", "user_id", "course_id", "course_version_id", "active", "enrolled_at",
                "last_item_key", "last_activity_at", "progress_percent", "completed_at",
            ],
            enrolments(),
        )  # fmt: skip
        _copy_in(
            cursor,
            "lesson_views",
            ["id", "user_id", "course_id", "item_key", "first_viewed_at", "last_viewed_at"],
            views(),
        )
        orgs = _seed_organizations(cursor, org_id, user_ids)
        for table in ("users", "courses", "course_versions", "modules", "items",
                      "enrollments", "lesson_views", "organizations", "org_memberships",
                      "org_course_assignments"):  # fmt: skip
            if "id" in _columns(cursor, table) and table != "courses":
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        raw.commit()
        # What autovacuum does to a live database after a bulk load: statistics, and the
        # visibility map that lets index-only scans skip the table (both databases alike).
        raw.dbapi_connection.autocommit = True  # type: ignore[union-attr]
        cursor.execute("VACUUM ANALYZE")
    finally:
        raw.close()
        engine.dispose()
    return (
        f"{learners:,} learners, {courses} courses, {counts['enrollments']:,} enrolments + "
        f"{counts['lesson_views']:,} lesson views = "
        f"{counts['enrollments'] + counts['lesson_views']:,} progress rows; "
        f"{orgs['organizations'] + 1:,} organizations, {orgs['memberships']:,} memberships "
        f"(the measured one: {orgs['measured']:,} learners in the course, "
        f"{orgs['due_dates']:,} due dates); seeded with COPY "
        f"in {time.perf_counter() - begun:.0f} s"
    )


@dataclass(frozen=True)
class PageFigures:
    seconds: float  # median
    statements: float  # median SQL statements per request
    most_statements: int
    rows: float  # median rows the database returned per request
    size: int  # bytes of the page


def measure(
    probes: list[Probe], samples: int, pages: dict[str, str] | None = None
) -> list[dict[str, PageFigures]]:
    """Each page on every database, requests interleaved (A B, B A, ...) so that a change in
    the machine's load during the run weighs on both alike."""
    results: list[dict[str, PageFigures]] = [{} for _ in probes]
    for name, path in (PAGES if pages is None else pages).items():
        taken: list[list[tuple[float, int, int, int]]] = [[] for _ in probes]
        for probe in probes:
            for _ in range(3):
                probe.get(path)
        for n in range(samples):
            order = list(range(len(probes)))
            if n % 2:
                order.reverse()
            for index in order:
                taken[index].append(probes[index].get(path))
        for index, runs in enumerate(taken):
            results[index][name] = PageFigures(
                statistics.median(r[0] for r in runs),
                statistics.median(r[1] for r in runs),
                max(r[1] for r in runs),
                statistics.median(r[2] for r in runs),
                runs[-1][3],
            )
    return results


def _probe_learner(uri: str) -> str:
    """The probe: enrolled in both sample courses, three lessons read; its email."""
    from lms.auth.models import User
    from lms.learn.services import view_lesson

    probe = create_learners(uri, "probe", 1, [SAMPLE_COURSE_ID, "migration-governance"])[0]
    with app_for(uri) as app, app.app_context():
        user = db.session.get(User, probe.user_id)
        assert user is not None
        for key in ("palermo-definition", "trafficking-vs-smuggling", "crises-and-risk"):
            view_lesson(user.id, SAMPLE_COURSE_ID, key)
        db.session.commit()
    return probe.email


def _probe_admin_and_org(uri: str, learner_email: str) -> int:
    """An admin who signs in like the probe, and the measured organization (made before
    seeding, so it has the same id on both databases): the probe learner and a full first
    page of learners enrolled in the sample course, so that the page shows 50 rows on both
    databases and the figure is what the data around it costs. The organization's id."""
    from lms.auth.services import create_or_update_user
    from lms.orgs import services as orgs

    staff = create_learners(uri, "org", REPORT_PAGE, [SAMPLE_COURSE_ID])
    with app_for(uri) as app, app.app_context():
        create_or_update_user(ADMIN_EMAIL, "Scale Admin", "admin", PASSWORD)
        org = orgs.create_organization(ORG_NAME, actor=None, origin="bench")
        found = orgs.OrgAccess(org, None, is_admin=True)
        for email in [learner_email, *(learner.email for learner in staff)]:
            orgs.add_member(found, email, "member", "Unit 0", actor=None, origin="bench")
        db.session.commit()
        return int(org.id)


def _analyze(uri: str) -> None:
    engine = create_engine(uri, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()


def run(ctx: Context) -> None:
    from lms.auth.passwords import hash_password

    report = ctx.report
    if not ctx.databases.has_postgres:
        report.skip(STEP, "data at scale", "needs PostgreSQL (make bench starts one)")
        return
    scale = ctx.args.scale
    learners = max(100, int(FULL_LEARNERS * scale))
    courses = max(5, int(FULL_COURSES * scale))
    progress = max(1000, int(FULL_PROGRESS * scale))
    empty_uri = ctx.databases.prepared("postgresql", "bench_scale_empty")
    seeded_uri = ctx.databases.prepared("postgresql", "bench_scale_seeded")
    emails = [_probe_learner(empty_uri), _probe_learner(seeded_uri)]
    org_ids = [
        _probe_admin_and_org(empty_uri, emails[0]),
        _probe_admin_and_org(seeded_uri, emails[1]),
    ]
    assert org_ids[0] == org_ids[1], org_ids
    report_pages = {
        "admin course report, first page (API)": (
            f"/api/v1/organizations/{org_ids[0]}/reports/courses/{SAMPLE_COURSE_ID}"
        )
    }
    account = seed(seeded_uri, learners, courses, progress, hash_password(PASSWORD), org_ids[0])
    _analyze(empty_uri)
    ran = "full size" if scale >= 1 else f"scaled down with --scale {scale}"
    report.add(
        STEP,
        "data seeded",
        f"{account} ({ran}; the target size is {FULL_LEARNERS:,} learners, {FULL_COURSES} "
        f"courses, {FULL_PROGRESS:,} progress rows)",
    )
    with app_for(empty_uri) as empty_app, app_for(seeded_uri) as seeded_app:
        probes = [Probe(empty_app, emails[0]), Probe(seeded_app, emails[1])]
        before, after = measure(probes, ctx.args.samples)
        for probe in probes:
            probe.close()
        admins = [Probe(empty_app, ADMIN_EMAIL), Probe(seeded_app, ADMIN_EMAIL)]
        report_before, report_after = measure(admins, ctx.args.samples, report_pages)
        for probe in admins:
            probe.close()
        first = admins[1].client.get(report_pages[next(iter(report_pages))]).get_json()
    before.update(report_before)
    after.update(report_after)
    report.add(
        STEP,
        "admin course report: what the seeded page counts",
        f"{first['enrolled']:,} enrolled, {first['started']:,} started, "
        f"{first['overdue']:,} overdue; {len(first['learners']['items'])} rows on the page",
    )
    for name in [*PAGES, *report_pages]:
        empty, full = before[name], after[name]
        ratio = full.seconds / empty.seconds if empty.seconds else float("inf")
        report.add(
            STEP,
            f"{name}: seeded / near-empty median time",
            f"{ratio:.2f} ({full.seconds * 1000:.1f} ms vs {empty.seconds * 1000:.1f} ms, "
            f"median of {ctx.args.samples}; page {full.size:,} vs {empty.size:,} bytes)",
            f"<= {TIME_FACTOR:.0f}x",
            ratio <= TIME_FACTOR,
        )
        report.add(
            STEP,
            f"{name}: SQL statements per request, seeded vs near-empty",
            f"{full.statements:g} vs {empty.statements:g} (max {full.most_statements} vs "
            f"{empty.most_statements}); rows returned {full.rows:g} vs {empty.rows:g}",
            "not more than near-empty",
            full.statements <= empty.statements and full.most_statements <= empty.most_statements,
        )
