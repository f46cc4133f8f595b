"""The command line: flask --app lms courses|users|seed|orgs|certificates. Each commits once."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import NoReturn

import click
from flask import Flask, current_app

from lms.errors import LmsError, NotFound
from lms.extensions import db
from lms.timeutil import utcnow

DEMO_ACCOUNTS = (
    ("learner@example.org", "Demo Learner", "learner", "learner-demo-2026"),
    ("author@example.org", "Demo Author", "author", "author-demo-2026"),
    ("admin@example.org", "Demo Admin", "admin", "admin-demo-2026"),
)


def _fail(error: LmsError) -> NoReturn:
    """End a command on a refused action: nothing kept, the reason printed, exit status 1."""
    db.session.rollback()
    click.echo(f"error: {error.specific_message}", err=True)
    sys.exit(1)


def _print_problems(error: LmsError) -> None:
    for problem in error.details:
        where = problem.get("file") or "(package)"
        if problem.get("line"):
            where += f":{problem['line']}"
            if problem.get("column"):
                where += f":{problem['column']}"
        click.echo(f"{where}: {problem['message']}", err=True)


def import_path(path: Path, publish: bool) -> tuple[str, str, bool]:
    """Import one folder or zip; returns (course id, version, created). Raises LmsError."""
    from lms.authoring import services

    limits = services.limits_from(current_app.config)
    if path.is_file():
        with path.open("rb") as handle:  # the zip is read lazily while the files are stored
            package = services.read_package(handle, limits)
            version, created = services.import_package(
                package, owner=None, publish=publish, origin="cli"
            )
    else:
        package = services.read_package(path, limits)
        version, created = services.import_package(
            package, owner=None, publish=publish, origin="cli"
        )
    return version.course_id, version.version, created


def register_cli(app: Flask) -> None:
    @app.cli.group("courses")
    def courses() -> None:
        """Course packages."""

    @courses.command("import")
    @click.argument("path", type=click.Path(path_type=Path))
    @click.option("--publish", is_flag=True, help="Publish the version once imported.")
    def import_command(path: Path, publish: bool) -> None:
        """Import a course package (a folder or a zip); print every problem, exit 1 on any."""
        try:
            course_id, version, created = import_path(path, publish)
        except LmsError as error:
            db.session.rollback()
            if error.code == "invalid_package":
                _print_problems(error)
                click.echo(f"{len(error.details)} problem(s); nothing was imported.", err=True)
            else:
                click.echo(f"error: {error.message}", err=True)
            sys.exit(1)
        db.session.commit()
        state = "imported" if created else "unchanged"
        click.echo(f"{course_id} {version}: {state}{' and published' if publish else ''}")

    @app.cli.group("users")
    def users() -> None:
        """Accounts."""

    @users.command("create")
    @click.argument("email")
    @click.option("--name", required=True)
    @click.option(
        "--role", type=click.Choice(["learner", "author", "admin", "manager"]), default="learner"
    )
    @click.option("--password", default=None, help="Prompted for when omitted on a terminal.")
    def create_user(email: str, name: str, role: str, password: str | None) -> None:
        """Create an account, or update its name and role."""
        from lms.auth.passwords import password_problem
        from lms.auth.services import create_or_update_user

        if password is None and sys.stdin.isatty():
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        if password:
            problem = password_problem(
                password, email, name, int(current_app.config["PASSWORD_MIN_LENGTH"])
            )
            if problem:
                click.echo(f"error: the password is refused ({problem})", err=True)
                sys.exit(1)
        from lms.admin import services as audit

        user = create_or_update_user(email, name, role, password)
        audit.record(
            "user.save", actor=None, target=user.email, origin="cli", details={"role": role}
        )
        db.session.commit()
        click.echo(f"{user.email} ({user.role}) id={user.id}")

    @app.cli.command("seed")
    def seed() -> None:
        """Import every package in courses/ (published) and create the demo accounts."""
        from lms.auth.services import create_or_update_user, find_user_by_email

        folder = Path(current_app.config["COURSES_DIR"])
        failed = False
        for path in sorted(p for p in folder.iterdir() if p.is_dir() or p.suffix == ".zip"):
            try:
                course_id, version, created = import_path(path, publish=True)
            except LmsError as error:
                db.session.rollback()
                click.echo(f"{path.name}: not imported", err=True)
                _print_problems(error)
                failed = True
                continue
            db.session.commit()
            click.echo(f"course {course_id} {version}: {'imported' if created else 'up to date'}")
        click.echo("Demo accounts (for trying the platform locally):")
        for email, name, role, password in DEMO_ACCOUNTS:
            if find_user_by_email(email) is None:
                create_or_update_user(email, name, role, password)
            click.echo(f"  {role:8} {email:22} password: {password}")
        db.session.commit()
        if failed:
            sys.exit(1)

    @app.cli.group("orgs")
    def orgs() -> None:
        """Organizations and their people."""

    @orgs.command("create")
    @click.argument("name")
    def create_org(name: str) -> None:
        """Create an organization; an existing one of that name is left as it is."""
        from lms.orgs import services

        org = services.find_by_name(name)
        if org is not None:
            click.echo(f"{org.name} id={org.id}: exists")
            return
        try:
            org = services.create_organization(name, actor=None, origin="cli")
        except LmsError as error:
            _fail(error)
        db.session.commit()
        click.echo(f"{org.name} id={org.id}: created")

    @orgs.command("add-member")
    @click.argument("org_name")
    @click.argument("email")
    @click.option("--role", type=click.Choice(["member", "manager"]), default="member")
    @click.option("--unit", default=None, help="The person's unit or department.")
    def add_org_member(org_name: str, email: str, role: str, unit: str | None) -> None:
        """Put an existing account in an organization (again: its role and unit are updated)."""
        from lms.orgs import services

        org = services.find_by_name(org_name)
        if org is None:
            click.echo(f"error: no organization is named {org_name!r}", err=True)
            sys.exit(1)
        found = services.OrgAccess(org, None, is_admin=True)
        try:
            added = services.add_member(found, email, role, unit, actor=None, origin="cli")
        except LmsError as error:
            _fail(error)
        db.session.commit()
        state = "added" if added.created else "updated"
        click.echo(f"{org.name}: {added.membership.user.email} ({role}) {state}")

    @app.cli.group("certificates")
    def certificates() -> None:
        """Issued certificates."""

    @certificates.command("revoke")
    @click.argument("code")
    @click.option("--reason", required=True)
    def revoke(code: str, reason: str) -> None:
        """Revoke a certificate; its verification page says so from then on."""
        from lms.certificates import services

        try:
            certificate = services.revoke(code, reason, origin="cli")
        except LmsError as error:
            _fail(error)
        db.session.commit()
        click.echo(f"{certificate.code}: revoked")

    @certificates.command("verify")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option(
        "--issuer-key",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="A JWK or JWK set to trust (as GET /api/v1/issuer publishes it); "
        "without it, this installation's keys.",
    )
    def verify(file: Path, issuer_key: Path | None) -> None:
        """Check a certificate PDF or credential file, with no network."""
        from lms.certificates import offline, services
        from lms.certificates.credential import CredentialError, keys_from_jwks

        try:
            if issuer_key is not None:
                try:
                    trusted = keys_from_jwks(json.loads(issuer_key.read_text()))
                except ValueError as error:
                    raise CredentialError("The key file is not JSON.") from error
            else:
                trusted = services.published_keys()
            facts = offline.check(file.read_bytes(), trusted, utcnow())
            if issuer_key is None:  # this installation knows what happened since
                try:
                    status = services.find_certificate(facts["code"]).status_at()
                except NotFound as error:
                    raise CredentialError("This installation has no such certificate.") from error
                if status != "valid":
                    raise CredentialError(f"The certificate is {status}.")
        except CredentialError as error:
            click.echo(f"not valid: {error}", err=True)
            sys.exit(1)
        for name in ("holder", "course", "code", "issued", "expires", "issuer"):
            if facts[name]:
                click.echo(f"{name}: {facts[name]}")
        click.echo("valid")

    @certificates.command("embed-credentials")
    def embed_credentials() -> None:
        """Give stored PDFs issued before certificates carried a credential their credential."""
        from lms.certificates import services

        redone = services.embed_missing_credentials(services.IssueContext.from_config())
        db.session.commit()
        click.echo(f"{redone} certificate PDF(s) rendered again with their credential")

    @certificates.command("rotate-key")
    def rotate_key() -> None:
        """Sign credentials with a new key from now on; the old keys stay published."""
        from lms.certificates import services

        kid = services.rotate_key()
        db.session.commit()
        click.echo(f"signing key {kid}: in use; earlier keys retired and still published")
