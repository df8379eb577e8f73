"""Results written whole or not at all, each folder with a manifest of what made it.

A user's previous result must survive any interruption. A file is written under a
temporary name in its own folder and renamed into place (``os.replace`` is atomic on
one file system). A folder of results (``report --out``, ``balance --out``...) is
written into a temporary sibling folder, its manifest last, then swapped in whole:
the old folder is renamed aside, the new one renamed into place, the old one removed.
A kill leaves the previous complete folder or the new complete one (between the two
renames, the previous one under ``NAME.previous-PID``). A folder that holds files
outproduce did not write (no manifest, e.g. ``--out .``) is never swapped: the new
files are moved in one by one, each atomically, the manifest last.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

from outproduce.errors import InputError

MANIFEST = "outproduce-manifest.json"
#: Libraries whose versions can change numbers; recorded in every manifest.
DEPENDENCIES = ("numpy", "scipy", "pandas", "xarray", "pydantic", "matplotlib", "plotly")


def to_json(document: Any, indent: int | None = 2) -> str:
    """Strict JSON: NaN (a value that does not apply) becomes null; infinity is an error."""
    return json.dumps(_finite(document, "$"), indent=indent, ensure_ascii=False, allow_nan=False)


def _finite(value: Any, path: str) -> Any:
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            raise InputError(
                "the result holds an infinite number; expected finite results (an input "
                "drives a value out of range)",
                field=path,
            )
        return value
    if isinstance(value, dict):
        return {k: _finite(v, f"{path}.{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v, f"{path}[{i}]") for i, v in enumerate(value)]
    return value


def write_atomic(path: Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(temporary_path)`` then rename it to ``path``; nothing half-written stays."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # The suffix stays last: writers choose the format by it (.png, .nc, .csv).
    temporary = path.with_name(f".{path.stem}.partial-{os.getpid()}{path.suffix}")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def write_text_atomic(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def manifest(attrs: dict[str, Any], started: dt.datetime, files: list[Path]) -> dict[str, Any]:
    """What made a result, to cite or re-run it.

    Scenario, hash, data and package versions, seed, samples, the command line, start
    and end times, dependency versions and the files written.
    """
    versions = {}
    for name in DEPENDENCIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        key: attrs.get(key)
        for key in ("scenario", "scenario_hash", "data_version", "package_version", "seed")
    } | {
        "samples": attrs.get("samples"),
        "command": " ".join(["outproduce", *sys.argv[1:]]),
        "started": started.isoformat(timespec="seconds"),
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "dependencies": versions,
        "files": sorted(p.name for p in files),
    }


@contextmanager
def result_folder(target: Path) -> Iterator[tuple[Path, Callable[[dict[str, Any]], None]]]:
    """Yield a temporary folder for results and a function recording the manifest.

    On success the folder replaces ``target`` whole (see the module's doc).
    """
    target = Path(target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    _recover(target)
    work = target.parent / f".{target.name or 'results'}.partial-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    started = dt.datetime.now(dt.UTC)
    recorded: dict[str, Any] = {}

    def record(attrs: dict[str, Any]) -> None:
        recorded.update(attrs)

    try:
        yield work, record
        files = [p for p in work.iterdir() if p.is_file()]
        write_text_atomic(work / MANIFEST, to_json(manifest(recorded, started, files)))
        _swap_in(work, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def _recover(target: Path) -> None:
    """Clean up after killed runs.

    Their scratch folders go; a previous result caught between the two renames of a
    swap is put back where it was.
    """
    for scratch in target.parent.glob(f".{target.name}.partial-*"):
        pid = scratch.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(scratch, ignore_errors=True)
    for aside in target.parent.glob(f"{target.name}.previous-*"):
        pid = aside.name.rsplit("-", 1)[-1]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        if target.exists():
            shutil.rmtree(aside, ignore_errors=True)
        else:
            os.replace(aside, target)


def _ours(folder: Path) -> bool:
    """True if the folder is empty or holds only what its manifest lists (and itself)."""
    names = {p.name for p in folder.iterdir()}
    if not names:
        return True
    if MANIFEST not in names:
        return False
    try:
        listed = set(json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return names <= listed | {MANIFEST}


def _swap_in(work: Path, target: Path) -> None:
    target = target.resolve()
    if not target.exists():
        os.replace(work, target)
        return
    if not target.is_dir():
        raise InputError(
            "exists and is not a folder; expected a folder for results",
            file=str(target),
            field="--out",
        )
    if _ours(target) and target != Path.cwd().resolve() and target.parent != target:
        aside = target.with_name(f"{target.name}.previous-{os.getpid()}")
        os.replace(target, aside)
        os.replace(work, target)
        shutil.rmtree(aside, ignore_errors=True)
        return
    # A folder with other files (or the working folder): never replaced; each result
    # file is moved in atomically, the manifest last.
    for path in sorted(work.iterdir(), key=lambda p: p.name == MANIFEST):
        os.replace(path, target / path.name)


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a result folder (an InputError if there is none)."""
    path = Path(folder) / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InputError(
            f"no readable {MANIFEST}; expected a folder written by outproduce",
            file=str(folder),
        ) from None


def find_results(root: Path, depth: int = 2) -> list[Path]:
    """Result folders (with a manifest) at or below ``root``, up to ``depth`` levels."""
    found = []
    frontier = [Path(root)]
    for _ in range(depth + 1):
        next_level = []
        for folder in frontier:
            if (folder / MANIFEST).is_file():
                found.append(folder)
            try:
                next_level += [p for p in folder.iterdir() if p.is_dir()]
            except OSError:
                continue
        frontier = next_level
    return sorted(found)
