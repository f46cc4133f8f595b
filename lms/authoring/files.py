"""Reading a package's files from a folder or a zip, within limits, refusing hostile entries.

Pure: returns the files as {relative posix path: bytes} plus located problems.
"""

from __future__ import annotations

import io
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from lms.authoring.problems import Problem


@dataclass(frozen=True)
class Limits:
    """How much a package may hold; configurable per installation."""

    max_files: int = 5000
    max_unzipped_bytes: int = 1024 * 1024 * 1024
    max_file_bytes: int = 200 * 1024 * 1024


def _clean_member_name(name: str) -> str | None:
    """The safe relative path of a zip member, or None when it escapes the package."""
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    parts = [part for part in PurePosixPath(name).parts if part not in ("", ".")]
    if any(part == ".." for part in parts):
        return None
    return "/".join(parts)


def _strip_common_root(files: dict[str, bytes]) -> dict[str, bytes]:
    """A zip may hold the package folder itself or its contents; both read the same."""
    if "course.yaml" in files or "imsmanifest.xml" in files or not files:
        return files
    roots = {path.split("/", 1)[0] for path in files}
    if len(roots) == 1 and all("/" in path for path in files):
        root = roots.pop()
        return {path[len(root) + 1 :]: data for path, data in files.items()}
    return files


def read_zip(source: IO[bytes] | bytes, limits: Limits) -> tuple[dict[str, bytes], list[Problem]]:
    """Every regular file in a zip, checked against the limits before anything is inflated."""
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError):
        return {}, [Problem("(upload)", 0, 0, "this file is not a zip archive")]
    problems: list[Problem] = []
    files: dict[str, bytes] = {}
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if len(members) > limits.max_files:
            return {}, [
                Problem(
                    "(upload)",
                    0,
                    0,
                    f"the zip holds {len(members)} files; the limit is {limits.max_files}",
                )
            ]
        declared = sum(info.file_size for info in members)
        if declared > limits.max_unzipped_bytes:
            return {}, [
                Problem(
                    "(upload)",
                    0,
                    0,
                    f"the zip would unpack to {declared} bytes; the limit is "
                    f"{limits.max_unzipped_bytes}",
                )
            ]
        total = 0
        for info in members:
            path = _clean_member_name(info.filename)
            mode = (info.external_attr >> 16) & 0xFFFF
            if path is None:
                problems.append(
                    Problem(info.filename, 0, 0, "this path points outside the package")
                )
                continue
            if mode and not (stat.S_ISREG(mode) or mode & 0o170000 == 0):
                problems.append(Problem(path, 0, 0, "links and special files are not allowed"))
                continue
            try:
                with archive.open(info) as member:
                    data = member.read(limits.max_file_bytes + 1)
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
                problems.append(Problem(path, 0, 0, "this file in the zip is damaged"))
                continue
            total += len(data)
            if len(data) > limits.max_file_bytes or total > limits.max_unzipped_bytes:
                return {}, [Problem(path, 0, 0, "the zip unpacks to more than the size limit")]
            if path in files:
                problems.append(Problem(path, 0, 0, "this file appears twice in the zip"))
            files[path] = data
    return _strip_common_root(files), problems


def read_folder(root: Path, limits: Limits) -> tuple[dict[str, bytes], list[Problem]]:
    """Every regular file below a folder (hidden files skipped), refusing links."""
    problems: list[Problem] = []
    files: dict[str, bytes] = {}
    total = 0
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        if path.is_symlink():
            problems.append(Problem(relative, 0, 0, "links are not allowed in a package"))
            continue
        if not path.is_file():
            continue
        if len(files) >= limits.max_files:
            return {}, [Problem("(folder)", 0, 0, f"more than {limits.max_files} files")]
        data = path.read_bytes()
        total += len(data)
        if total > limits.max_unzipped_bytes:
            return {}, [Problem("(folder)", 0, 0, "the package is larger than the size limit")]
        files[relative] = data
    return files, problems
