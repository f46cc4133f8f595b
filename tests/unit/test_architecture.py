"""Layering rules that keep the code easy to change, checked rather than hoped for."""

from __future__ import annotations

import ast
from pathlib import Path

LMS = Path(__file__).resolve().parents[2] / "lms"
PURE_MODULES = [
    "authoring/package.py", "authoring/files.py", "authoring/markup.py", "authoring/yamlsrc.py",
    "authoring/problems.py", "authoring/images.py", "quiz/questions.py", "quiz/quizdef.py",
    "quiz/grading.py", "quiz/gift.py", "quiz/analysis.py",
    "learn/progress.py", "certificates/render.py", "certificates/credential.py",
    "certificates/offline.py",
    "auth/passwords.py",
]  # fmt: skip
FORBIDDEN_IN_PURE = ("flask", "flask_sqlalchemy", "sqlalchemy", "lms.extensions", "lms.errors")


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_pure_modules_import_neither_flask_nor_the_database():
    for relative in PURE_MODULES:
        for name in _imports(LMS / relative):
            assert not name.startswith(FORBIDDEN_IN_PURE), f"{relative} imports {name}"
            if name.startswith("lms."):
                target = name.removeprefix("lms.").replace(".", "/") + ".py"
                assert target in PURE_MODULES, f"{relative} imports non-pure {name}"


def test_services_never_read_the_request_or_the_current_user():
    forbidden = {"current_user", "request", "session", "g"}
    for path in LMS.glob("*/services.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module in ("flask", "flask_login"):
                names = {alias.name for alias in node.names}
                assert not names & forbidden, (path, names & forbidden)


def test_nothing_calls_create_all_outside_tests():
    for path in LMS.rglob("*.py"):
        assert "create_all(" not in path.read_text(), path
