"""Putting a built site in place of the published one (the last stage of a build, "deploy"
here so as not to be confused with `gongshi publish`, which records versions in the ledger).

A build renders into a staging folder next to the site. The first build, or one that
changed much of the site, completes the staging folder (files that did not change are
hard-linked from the published site) and swaps it in with two renames. A build that changed
a few files moves just those into the published site and deletes what is gone, after
writing down in a journal what it is about to do: a build killed meanwhile is finished by
the next one before it starts, so the site is never left half-changed for longer than that,
and a failed build never touches it at all.

Builds of one project take turns (`locked`): two at once would otherwise publish each
other's half-made files.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import statefile
from generator.render.reuse import Manifest, Stored, bytes_key, identity

LOCK_FILE = Path(".gongshi") / "build.lock"
JOURNAL_FILE = Path(".gongshi") / "publish-journal.pickle"
TRASH = Path(".gongshi") / "trash"
"""Where a replaced site goes to be deleted after the build (`discard`)."""
TRASH_LOCK = "trash.lock"
"""Held by the process that empties the trash (`_delete_later`), beside it."""

IN_PLACE_UP_TO = 0.05
"""The share of the site's files a build may change in place; above it, a whole new folder is
swapped in, so that readers never see a mix of old and new for long."""


@contextmanager
def locked(project_root: Path) -> Iterator[None]:
    """Hold the project's build lock (waiting for another build to finish); on entry, finish
    what a killed build left half-published and remove its staging folders."""
    path = project_root / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            recover(project_root)
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def staging_folder(target: Path) -> Path:
    """A fresh folder beside the site, on the same file system, to build into."""
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{target.name}-new-", dir=target.parent))


def remove_leftovers(target: Path, project_root: Path | None = None) -> None:
    """Staging and old folders of builds that were killed (a journal's is finished first),
    and replaced sites whose deletion was cut short (`discard`)."""
    if project_root is not None and (project_root / TRASH).is_dir() \
            and any((project_root / TRASH).iterdir()):
        _delete_later(project_root / TRASH)
    if not target.parent.is_dir():
        return
    for leftover in target.parent.glob(f".{target.name}-new-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in target.parent.glob(f".{target.name}-old-*"):
        shutil.rmtree(leftover, ignore_errors=True)


@dataclass(frozen=True)
class _Journal:
    """What an in-place deployment is about to do."""

    staging: str
    target: str
    deleted: list[str]
    manifest: Stored
    """The new site's manifest, its part files written (`Manifest.store`)."""


def publish(project_root: Path, staging: Path, target: Path, built: Mapping[str, bytes],
            previous: Manifest | None, others: Iterable[str] | None = None,
            inputs: Mapping[str, Any] | None = None,
            wrote: Iterable[str] | None = None) -> None:
    """Put the site built in `staging` in place at `target`.

    `built` keys the files the renderer wrote or left as published; every other file in
    staging (mkdocs' pages and assets, the search index, the sitemap) is keyed here by its
    bytes, and dropped when the published one has the same. Without `previous` (the
    published site's manifest), staging holds the whole site. `others` names those other
    files, when their makers know them: else staging is searched for them (a walk of
    200,000 files in 130,000 folders took 3.3 s). `inputs` is kept in the site's manifest
    (`Reuse.inputs`). `wrote`, when known: the only files of `built` whose key may not be
    the published one's (a rebuild after one change need not compare 200,000 keys)."""
    try:
        keys, count, changed = _keyed(staging, built,
                                      previous.keys if previous is not None else {}, others, wrote)
        deleted = sorted(previous.keys.keys() - keys.keys()) if previous is not None else []
        in_place = previous is not None and \
            count + len(deleted) <= IN_PLACE_UP_TO * max(len(keys), 1)
        if in_place:
            # From here on the journal needs the staging folder: a failure leaves both for
            # the next build to finish.
            manifest = Manifest(str(target), (), keys, dict(inputs or {})).store(
                project_root, previous, durable=True, changed=changed)
            journal = _Journal(str(staging), str(target), deleted, manifest)
            statefile.dump(project_root / JOURNAL_FILE, journal, durable=True)
        else:
            if previous is not None:
                _link_unchanged(target, staging, keys)
            swap_in(staging, target, project_root / TRASH)
    except BaseException:
        if staging.exists() and not (project_root / JOURNAL_FILE).exists():
            shutil.rmtree(staging, ignore_errors=True)
        raise
    if in_place:
        _finish(project_root, journal)
    else:
        Manifest(str(target), identity(target), keys, dict(inputs or {})).write(
            project_root, previous, changed)


def _keyed(staging: Path, built: Mapping[str, bytes], old: Mapping[str, bytes],
           others: Iterable[str] | None,
           wrote: Iterable[str] | None = None
           ) -> tuple[dict[str, bytes], int, list[str] | None]:
    """The key of every file of the new site, how many files of staging are new or changed
    (those that are not are removed from it) and, with `wrote` (the only files of `built`
    that may be), which (else None)."""
    keys = dict(built)
    # The renderer wrote a file to staging where its key is not the published one's.
    changed = None if wrote is None else [rel for rel in wrote if old.get(rel) != keys[rel]]
    count = len(changed) if changed is not None else \
        sum(1 for rel, key in built.items() if old.get(rel) != key)
    top = str(staging)
    for rel in (others if others is not None else _files(top)):
        if rel in keys:
            continue
        path = os.path.join(top, rel)
        with open(path, "rb") as handle:
            keys[rel] = bytes_key(handle.read())
        if old.get(rel) == keys[rel]:
            os.unlink(path)
            continue
        count += 1
        if changed is not None:
            changed.append(rel)
    return keys, count, changed


def _files(top: str) -> Iterator[str]:
    """Every file below `top`, by its path from there."""
    for folder, _, names in os.walk(top):
        # The folder's path below staging, as the site names it (200,000 relpath calls
        # took a second).
        under = os.path.relpath(folder, top).replace(os.sep, "/")
        prefix = "" if under == "." else under + "/"
        yield from (prefix + name for name in names)


def _link_unchanged(target: Path, staging: Path, keys: Mapping[str, bytes]) -> None:
    """Complete `staging` with the published files that did not change."""
    folders: set[str] = set()
    for rel in keys:
        new = staging / rel
        if new.exists():
            continue
        if str(new.parent) not in folders:
            new.parent.mkdir(parents=True, exist_ok=True)
            folders.add(str(new.parent))
        os.link(target / rel, new)


def _finish(project_root: Path, journal: _Journal) -> None:
    """Move the staged files into the site, delete what is gone, then record the site's new
    manifest: the same steps again, after a kill, finish the work."""
    staging, target = Path(journal.staging), Path(journal.target)
    if staging.is_dir():
        for folder, _, names in os.walk(staging):
            into = target / os.path.relpath(folder, staging)
            _make_folder(target, into)
            for name in names:
                if (into / name).is_dir() and not (into / name).is_symlink():
                    shutil.rmtree(into / name)  # a folder before, a file now
                os.replace(os.path.join(folder, name), into / name)
    for rel in journal.deleted:
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            (target / rel).unlink()
        _prune(target, (target / rel).parent)
    manifest = getattr(journal, "manifest", None)
    if manifest is None:  # a journal of older code holds the manifest's values
        manifest = Manifest(str(target), (), journal.keys,  # type: ignore[attr-defined]
                            getattr(journal, "inputs", {})).store(project_root)
    manifest.write(project_root, identity(target))
    (project_root / JOURNAL_FILE).unlink(missing_ok=True)
    shutil.rmtree(staging, ignore_errors=True)


def _make_folder(target: Path, folder: Path) -> None:
    """`folder` inside the site, replacing a file that stands where a folder must now be."""
    for parent in [*reversed(folder.relative_to(target).parents), folder.relative_to(target)]:
        path = target / parent
        if path.is_file() or path.is_symlink():
            path.unlink()
    folder.mkdir(parents=True, exist_ok=True)


def _prune(target: Path, folder: Path) -> None:
    """Remove folders left empty inside the site."""
    while folder != target and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def recover(project_root: Path) -> None:
    """Finish a publication a killed build left in its journal."""
    path = project_root / JOURNAL_FILE
    if not path.exists():
        return
    journal = statefile.load(path)
    if not isinstance(journal, _Journal):
        path.unlink()  # written atomically, so only a foreign file is unreadable
        return
    _finish(project_root, journal)


def swap_in(new: Path, target: Path, trash: Path | None = None) -> None:
    """Replace `target` by `new` with two renames; the old tree is removed only afterwards,
    and after the build when there is `trash` (`discard`)."""
    new.chmod(0o755)  # mkdtemp makes 0700 folders; a web server must read the site
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
        old.rmdir()
        target.rename(old)
        new.rename(target)
        discard(old, trash)
    else:
        new.rename(target)


def discard(old: Path, trash: Path | None) -> None:
    """Delete a replaced site. Deleting 200,000 files took 72 s at 100,000 decisions, after
    every build that made the site anew (a changed template): the build moves it into the
    project's `trash` and leaves it to a process of its own, which goes on after the build
    has returned. Where it cannot be moved there (the site is on another file system), it is
    deleted here."""
    if trash is not None:
        try:
            trash.mkdir(parents=True, exist_ok=True)
            old.rename(trash / old.name)
        except OSError:
            pass
        else:
            _delete_later(trash)
            return
    shutil.rmtree(old, ignore_errors=True)


def _delete_later(trash: Path) -> None:
    """Empty `trash` in a process of its own, which outlives the build (started by one that
    ends at once, so that the build leaves no child behind). It runs at the lowest priority,
    and alone: one started while another empties the folder leaves it to that one, which
    looks again for what was moved in meanwhile (two at once had slowed the next build by
    half at 100,000 decisions, on a disk that discards what is deleted)."""
    code = ("import fcntl, os, pathlib, shutil, sys\n"
            "if os.fork() == 0:\n"
            "    os.setsid()\n"
            "    os.nice(19)\n"
            "    trash = pathlib.Path(sys.argv[1])\n"
            "    done = None\n"
            "    while True:\n"
            "        with open(sys.argv[2], 'a') as lock:\n"
            "            try:\n"
            "                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
            "            except OSError:\n"
            "                os._exit(0)\n"
            "            while True:\n"
            "                paths = sorted(trash.iterdir()) if trash.is_dir() else []\n"
            "                if not paths or paths == done:\n"
            "                    break\n"
            "                done = paths\n"
            "                for path in paths:\n"
            "                    shutil.rmtree(path, ignore_errors=True)\n"
            "        if not trash.is_dir() or sorted(trash.iterdir()) in ([], done):\n"
            "            os._exit(0)\n")
    subprocess.run([sys.executable, "-c", code, str(trash), str(trash.with_name(TRASH_LOCK))],
                   stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
