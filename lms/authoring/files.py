"""Reading a package's files from a folder or a zip, within limits, refusing hostile entries.

Pure: returns the files as {relative posix path: bytes} plus located problems.
"""

from __future__ import annotations

import hashlib
import io
import stat
import zipfile
from collections.abc import Iterator, Mapping
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


def _common_root(paths: list[str]) -> str:
    """The one folder every path sits in ("" when there is none, or course.yaml is on top):
    a zip may hold the package folder itself or its contents; both read the same."""
    if not paths or "course.yaml" in paths or "imsmanifest.xml" in paths:
        return ""
    roots = {path.split("/", 1)[0] for path in paths}
    if len(roots) == 1 and all("/" in path for path in paths):
        return roots.pop() + "/"
    return ""


CHUNK = 1024 * 1024


class ZipFiles(Mapping[str, bytes]):
    """A package's files, read from the zip only when asked for, so a package with large
    videos is never held in memory whole. Each file's SHA-256 is known from the checking pass."""

    def __init__(
        self,
        archive: zipfile.ZipFile,
        members: dict[str, zipfile.ZipInfo],
        digests: dict[str, str],
    ) -> None:
        self._archive = archive
        self._members = members
        self._digests = digests

    def __getitem__(self, path: str) -> bytes:
        with self._archive.open(self._members[path]) as member:
            return member.read()

    def __iter__(self) -> Iterator[str]:
        return iter(self._members)

    def __len__(self) -> int:
        return len(self._members)

    def digest(self, path: str) -> str:
        return self._digests[path]


def read_zip(
    source: IO[bytes] | bytes, limits: Limits
) -> tuple[Mapping[str, bytes], list[Problem]]:
    """Every regular file in a zip, checked against the limits before anything is inflated,
    then each streamed once to hash it (which also finds damaged members)."""
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError):
        return {}, [Problem("(upload)", 0, 0, "this file is not a zip archive")]
    problems: list[Problem] = []
    members = [info for info in archive.infolist() if not info.is_dir()]
    if len(members) > limits.max_files:
        message = f"the zip holds {len(members)} files; the limit is {limits.max_files}"
        return {}, [Problem("(upload)", 0, 0, message)]
    declared = sum(info.file_size for info in members)
    if declared > limits.max_unzipped_bytes or any(
        info.file_size > limits.max_file_bytes for info in members
    ):
        limit = limits.max_unzipped_bytes
        message = f"the zip would unpack to {declared} bytes; the limit is {limit}"
        return {}, [Problem("(upload)", 0, 0, message)]
    kept: dict[str, zipfile.ZipInfo] = {}
    for info in members:
        path = _clean_member_name(info.filename)
        mode = (info.external_attr >> 16) & 0xFFFF
        if path is None:
            problems.append(Problem(info.filename, 0, 0, "this path points outside the package"))
        elif mode and not (stat.S_ISREG(mode) or mode & 0o170000 == 0):
            problems.append(Problem(path, 0, 0, "links and special files are not allowed"))
        elif path in kept:
            problems.append(Problem(path, 0, 0, "this file appears twice in the zip"))
        else:
            kept[path] = info
    root = _common_root(list(kept))
    kept = {path[len(root) :]: info for path, info in kept.items()}
    digests: dict[str, str] = {}
    for path, info in kept.items():
        digest = hashlib.sha256()
        try:
            # a member never yields more than its declared size, and its CRC is checked
            with archive.open(info) as member:
                while chunk := member.read(CHUNK):
                    digest.update(chunk)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
            problems.append(Problem(path, 0, 0, "this file in the zip is damaged"))
            continue
        digests[path] = digest.hexdigest()
    if problems:
        return {}, problems
    return ZipFiles(archive, kept, digests), []


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
