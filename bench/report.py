"""Figures with their targets: printed as they come, then summed up as a table and JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

PASS, FAIL, INFO, SKIP = "PASS", "FAIL", "INFO", "SKIP"


@dataclass(frozen=True)
class Figure:
    """One measured figure: what, its value, the target it is held to and the verdict."""

    step: str
    name: str
    value: str
    target: str
    status: str
    command: str


@dataclass
class Report:
    """Collects the figures and notes of a run and prints each one at once."""

    command: str
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(
        self,
        step: str,
        name: str,
        value: str,
        target: str = "",
        passed: bool | None = None,
        command: str | None = None,
    ) -> None:
        """Record a figure; ``passed`` None means information only (no target)."""
        status = INFO if passed is None else (PASS if passed else FAIL)
        number = step.split()[0]
        figure = Figure(
            step, name, value, target, status, command or f'make bench BENCH_ARGS="--only {number}"'
        )
        self.figures.append(figure)
        target_text = f"  (target {target})" if target else ""
        print(f"  [{status}] {name}: {value}{target_text}", flush=True)

    def skip(self, step: str, name: str, why: str) -> None:
        number = step.split()[0]
        command = f'make bench BENCH_ARGS="--only {number}"'
        self.figures.append(Figure(step, name, why, "", SKIP, command))
        print(f"  [{SKIP}] {name}: {why}", flush=True)

    def note(self, text: str) -> None:
        self.notes.append(text)
        print(f"  note: {text}", flush=True)

    def failed(self) -> list[Figure]:
        return [f for f in self.figures if f.status == FAIL]

    def summary(self) -> str:
        """The figures as a Markdown table (pasted into docs/performance.md)."""
        lines = ["| step | figure | value | target | result |", "|---|---|---|---|---|"]
        for f in self.figures:
            value = f.value.replace("|", "/")
            lines.append(f"| {f.step} | {f.name.strip()} | {value} | {f.target} | {f.status} |")
        return "\n".join(lines)

    def write(self, folder: Path, machine: dict[str, str]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        body = {
            "machine": machine,
            "figures": [asdict(f) for f in self.figures],
            "notes": self.notes,
        }
        (folder / "results.json").write_text(json.dumps(body, indent=2) + "\n")
        described = "\n".join(f"- {key}: {value}" for key, value in machine.items())
        notes = "\n".join(f"- {n}" for n in self.notes)
        (folder / "results.md").write_text(
            f"{described}\n\n{self.summary()}\n\nNotes:\n\n{notes}\n"
        )
