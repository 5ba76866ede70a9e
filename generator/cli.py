"""The `gongshi` command: a thin layer that parses arguments, calls the library and prints.

Exit codes: 0 success, 1 content problems (or a failed build), 2 usage errors.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import get_args as typing_args

import click
from rich.console import Console
from rich.markup import escape

from generator import build as pipeline
from generator import stages
from generator.problems import ContentError, Problem, Report
from generator.skeleton import SINGULAR, record_type, skeleton

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)


class AsOf(click.ParamType):  # type: ignore[type-arg]
    name = "YYYY-MM-DD"

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date; write it as YYYY-MM-DD", param, ctx)


project_option = click.option(
    "--project", "project_dir", type=click.Path(file_okay=False, path_type=Path), default=".",
    show_default=True, help="The project folder (holds content/, site_config/, mkdocs.yml).")
as_of_option = click.option(
    "--as-of", "as_of", type=AsOf(), default=None,
    help="Judge expiry and lateness as of this date (default: SOURCE_DATE_EPOCH or today).")
strict_option = click.option("--strict", is_flag=True, help="Treat warnings as errors (for CI).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gongshi")
def main() -> None:
    """Gongshi (公示): check enforcement records and build the disclosure site."""


def run() -> None:
    """The `gongshi` command as installed: `main`, which ends a build without taking its
    objects apart one by one (at 100,000 decisions that took 2.5–4 s after the site was
    published); the operating system frees the process's memory at once. Other commands
    end as usual."""
    try:
        main()
    except SystemExit as exc:
        if not _built:
            raise
        code = exc.code
        if code is not None and not isinstance(code, int):
            print(code, file=sys.stderr)
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code or 0)


_built = False
"""Whether this process ran a build, whose objects are left to the operating system (`run`)."""


def print_report(report: Report, strict: bool) -> None:
    by_file: dict[str, list[Problem]] = defaultdict(list)
    for problem in report:
        by_file[problem.file].append(problem)
    for file, problems in by_file.items():
        err.print(f"[bold]{escape(file)}[/bold]")
        for p in problems:
            blocking = p.severity == "error" or strict
            colour = "red" if blocking else "yellow"
            where = " · ".join(x for x in (p.record, p.field) if x)
            err.print(f"  [{colour}]{p.severity}[/{colour}] {escape(p.location())} "
                      f"[dim]{escape(where)}[/dim] [dim]({p.code})[/dim]")
            err.print(f"      {escape(p.message)}")
            if p.hint:
                err.print(f"      [green]fix:[/green] {escape(p.hint)}")
    errors, warnings = len(report.errors), len(report.warnings)
    summary = f"{errors} error(s), {warnings} warning(s)"
    if report.failed(strict):
        err.print(f"[red bold]✗ {summary}[/red bold]" + (" (--strict: warnings count as errors)"
                                                        if strict and warnings else ""))
    else:
        err.print(f"[green bold]✓ {summary}[/green bold]")


@main.command()
@project_option
@as_of_option
@strict_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json prints one machine-readable report on stdout.")
def check(project_dir: Path, as_of: dt.date | None, strict: bool, fmt: str) -> None:
    """Run every check over content/; exit 1 when there are errors."""
    project = pipeline.Project(project_dir)
    _, report = pipeline.check(project, as_of or pipeline.today())
    if fmt == "json":
        out.print(report.to_json(), markup=False, soft_wrap=True)
    else:
        print_report(report, strict)
    sys.exit(1 if report.failed(strict) else 0)


@main.command()
@project_option
@as_of_option
@strict_option
@click.option("--site", "site_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Where to write the site (default: <project>/site).")
@click.option("--search-index", "staff_index", is_flag=True,
              help="Also bring the staff search index (gongshi search) up to date now, "
                   "instead of at the first search.")
@click.option("--timings", is_flag=True, help="Print how long each stage of the build took.")
def build(project_dir: Path, as_of: dt.date | None, strict: bool, site_dir: Path | None,
          staff_index: bool, timings: bool) -> None:
    """Check, then build the site into site/; on any error the previous site/ stays as it was."""
    global _built
    _built = True
    project = pipeline.Project(project_dir)
    target = site_dir or project.site
    try:
        report = pipeline.build(project, as_of or pipeline.today(), strict, target, staff_index)
    except ContentError as exc:
        print_report(exc.report, strict)
        err.print(f"[red]Nothing was published: {escape(str(target))} is unchanged.[/red]")
        sys.exit(1)
    except Exception as exc:  # a render failure: report it plainly, keep the old site
        err.print(f"[red bold]The site could not be built:[/red bold] {escape(str(exc))}")
        err.print(f"[red]Nothing was published: {escape(str(target))} is unchanged.[/red]")
        sys.exit(1)
    if len(report):
        print_report(report, strict)
    if timings:
        print_timings()
    err.print(f"[green]Built {escape(str(target))}[/green]")


def print_timings() -> None:
    for timing in stages.taken():
        err.print(f"{'  ' * timing.depth}{timing.name:<{32 - 2 * timing.depth}} "
                  f"{timing.seconds:8.2f} s")


@main.command()
@project_option
@as_of_option
@click.option("--year", type=click.IntRange(1949, 9999), required=True,
              help="The year to report on (by decision date).")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the report files (default: <project>/reports).")
def report(project_dir: Path, as_of: dt.date | None, year: int, output: Path | None) -> None:
    """Write the year's enforcement statistics (年度行政执法数据) as Markdown and CSV."""
    from generator.report import annual_report
    from generator.settings import SettingsError

    project = pipeline.Project(project_dir)
    try:
        result = annual_report(project, year, as_of or pipeline.today())
    except ContentError as exc:
        print_report(exc.report, False)
        err.print("[red]No report was written: fix the errors first.[/red]")
        sys.exit(1)
    except SettingsError as exc:
        err.print(f"[red]{escape(str(exc))}[/red]")
        sys.exit(1)
    folder = output or project.root / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    for suffix, text in (("md", result.markdown), ("csv", result.csv)):
        path = folder / f"annual-{year}.{suffix}"
        path.write_text(text, encoding="utf-8", newline="")
        err.print(f"Wrote {escape(str(path))}")


@main.command()
@project_option
@click.option("--date", "day", type=AsOf(), default=None,
              help="The publication date to record (default: SOURCE_DATE_EPOCH or today).")
def publish(project_dir: Path, day: dt.date | None) -> None:
    """Record every new or approved version in ledger.jsonl; commit it with the change."""
    project = pipeline.Project(project_dir)
    try:
        added, report = pipeline.publish(project, day or pipeline.today())
    except ContentError as exc:
        print_report(exc.report, strict=False)
        err.print("[red]Nothing was recorded: fix the errors first.[/red]")
        sys.exit(1)
    if len(report):
        print_report(report, strict=False)
    from generator.ledger import Ledger

    hashes = {(e.record, e.version): e.hash for e in Ledger.read(project.root).entries}
    for entry in added:
        # A withdrawal is a version with the content of the one before it.
        withdrawn = hashes.get((entry.record, entry.version - 1)) == entry.hash
        note = (f" ({'withdrawal' if withdrawn else 'correction'} {entry.correction})"
                if entry.correction else "")
        err.print(f"published {escape(entry.record)} version {entry.version}{escape(note)}")
    err.print(f"[green]{len(added)} version(s) recorded in ledger.jsonl; commit it with the "
              "records.[/green]")


@main.command()
@click.argument("record_ref", metavar="RECORD")
@click.option("--reason", required=True, help="The reason shown to the public.")
@click.option("--requested-by", "requested_by", required=True, metavar="OFFICER_ID",
              help="The officer asking for the correction.")
@click.option("--withdraw", is_flag=True, help="File a withdrawal (撤回) instead of a 更正.")
@click.option("--cause", type=click.Choice(["变更", "撤销", "确认违法", "确认无效", "公示期满", "其他"]),
              default=None, help="Why a withdrawal is made (with --withdraw).")
@click.option("--event-date", "event_date", type=AsOf(), default=None,
              help="The day of the event that caused a withdrawal (with --withdraw).")
@click.option("--date", "day", type=AsOf(), default=None, help="The request date (default today).")
@project_option
def correct(record_ref: str, reason: str, requested_by: str, withdraw: bool, cause: str | None,
            event_date: dt.date | None, day: dt.date | None, project_dir: Path) -> None:
    """File a correction (更正) or withdrawal (撤回) of RECORD (folder/id) for review."""
    from generator.corrections import CorrectionError, file_correction
    from generator.loader import load

    portal, _ = load(Path(project_dir) / "content")
    try:
        path = file_correction(portal, record_ref, reason, requested_by, day or pipeline.today(),
                               "撤回" if withdraw else "更正", cause, event_date)
    except CorrectionError as exc:
        err.print(f"[red]{escape(str(exc))}[/red]")
        sys.exit(1)
    err.print(f"Wrote {escape(str(path))}; a second person with the 公示审核人员 role reviews it "
              "with `gongshi review approve|reject`.")


@main.command(name="review")
@click.argument("decision", type=click.Choice(["approve", "reject"]))
@click.argument("correction_id", metavar="CORRECTION")
@click.option("--reviewer", required=True, metavar="OFFICER_ID",
              help="The reviewing officer: has the 公示审核人员 role, is not the requester.")
@click.option("--note", required=True, help="The review's note.")
@click.option("--date", "day", type=AsOf(), default=None, help="The review date (default today).")
@project_option
def review_command(decision: str, correction_id: str, reviewer: str, note: str,
                   day: dt.date | None, project_dir: Path) -> None:
    """Approve or reject a correction; approval records the hash of exactly this content."""
    from generator.corrections import CorrectionError, review
    from generator.loader import load

    portal, _ = load(Path(project_dir) / "content")
    try:
        path = review(portal, correction_id, decision == "approve", reviewer, note,
                      day or pipeline.today())
    except CorrectionError as exc:
        err.print(f"[red]{escape(str(exc))}[/red]")
        sys.exit(1)
    err.print(f"Recorded the review in {escape(str(path))}.")


@main.command()
@project_option
@as_of_option
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--api", is_flag=True, help="Also answer GET /api/search?q=… with JSON.")
def serve(project_dir: Path, as_of: dt.date | None, port: int, api: bool) -> None:
    """Preview the site on http://127.0.0.1:PORT, rebuilding when content or config changes."""
    from generator.preview import serve as run_preview

    run_preview(pipeline.Project(project_dir), as_of, port, err, api=api)


@main.command(name="search")
@click.argument("text", metavar="QUERY")
@click.option("--type", "kind", default="", metavar="TYPE",
              help="A record type (decisions, officers, 执法决定 …) or a decision type (行政处罚 …).")
@click.option("--body", default="", metavar="BODY_ID", help="Only this body's records.")
@click.option("--region", default="", metavar="CODE", help="Only this region (6-digit code).")
@click.option("--year", type=int, default=0, help="Only decisions of this year.")
@click.option("--limit", type=int, default=20, show_default=True)
@click.option("--rebuild", is_flag=True, help="Rebuild the index from content/ first.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@project_option
@as_of_option
def search_command(text: str, kind: str, body: str, region: str, year: int, limit: int,
                   rebuild: bool, fmt: str, project_dir: Path, as_of: dt.date | None) -> None:
    """Search the public records as the site shows them (Chinese without spaces works)."""
    import json
    from dataclasses import asdict

    import search
    from generator.model import PowerCategory
    from generator.render.site import build_site_index
    from generator.settings import load_settings

    project = pipeline.Project(project_dir)
    index = None if rebuild else search.current_index(project.root)
    if index is None:
        # As of the published site's date, unless told otherwise.
        built = search.last_build(project.root)
        as_of = as_of or (built[0] if built else pipeline.today())
        err.print("Bringing the search index up to date with the content…")
        portal, report, ledger = pipeline._checked(project, as_of)
        if report.failed() or ledger is None:
            print_report(report, strict=False)
            err.print("[red]The index was not built: fix the errors first.[/red]")
            sys.exit(1)
        site = build_site_index(portal, load_settings(project.root), as_of, ledger)
        index = search.build_index(project.root, site)
    kinds = {**{k: k for k in search.KINDS}, **{v: k for k, v in search.KINDS.items()}}
    categories = set(typing_args(PowerCategory))
    if kind and kind not in kinds and kind not in categories:
        raise click.BadParameter(f"{kind!r}: use one of {', '.join(search.KINDS)} or a "
                                 f"decision type ({'、'.join(sorted(categories))})",
                                 param_hint="--type")
    filters = search.Filters(kind=kinds.get(kind, "decisions" if kind in categories else ""),
                             body=body, region=region, year=year,
                             type=kind if kind in categories else "")
    hits = index.search(text, filters, limit)
    if fmt == "json":
        out.print(json.dumps([asdict(h) for h in hits], ensure_ascii=False, indent=1),
                  markup=False, soft_wrap=True)
        return
    if not hits:
        err.print(f"Nothing found for {escape(text)!s}.")
        sys.exit(1)
    # One line a hit, so it reads in a narrow terminal and greps well.
    for hit in hits:
        out.print(f"{search.KINDS.get(hit.kind, hit.kind)}  {hit.date or '-'}  "
                  f"{escape(hit.title)}  {escape(hit.url)}")


@main.command()
@click.argument("record_type_name", metavar="TYPE")
@click.argument("record_id", metavar="ID")
@project_option
def new(record_type_name: str, record_id: str, project_dir: Path) -> None:
    """Write a skeleton for a new record: TYPE is body, officer, law, power, procedure,
    benchmark, decision, correction, appeal or page; ID becomes its URL."""
    model = record_type(record_type_name)
    if model is None:
        raise click.UsageError(
            f"unknown record type {record_type_name!r}; use one of: {', '.join(SINGULAR)}")
    if not re.fullmatch(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?", record_id):
        raise click.UsageError(
            f"{record_id!r} is not a valid id: use lower-case letters, digits and hyphens")
    folder = Path(project_dir) / "content" / model.kind_name
    if model.kind_name == "decisions":
        folder = folder / str(pipeline.today().year)
    suffix = ".md" if model.kind_name == "pages" else ".yml"
    path = folder / f"{record_id}{suffix}"
    if path.exists():
        err.print(f"[red]{escape(str(path))} exists already; nothing was written.[/red]")
        sys.exit(1)
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(skeleton(model, record_id), encoding="utf-8")
    err.print(f"Wrote {escape(str(path))}: fill in the fields, then run `gongshi check`.")


@main.command()
@project_option
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the schema files (default: <project>/schema).")
def schema(project_dir: Path, output: Path | None) -> None:
    """Write the JSON Schema of every record type (for editors' autocompletion)."""
    from generator.reference import json_schemas

    folder = output or Path(project_dir) / "schema"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in json_schemas().items():
        (folder / name).write_text(text, encoding="utf-8")
        err.print(f"Wrote {escape(str(folder / name))}")


@main.command()
@project_option
def reference(project_dir: Path) -> None:
    """Regenerate schema/, docs/format.md and docs/examples/ from the model and demo content."""
    from generator.loader import load
    from generator.reference import write_all

    portal, _ = load(Path(project_dir) / "content")
    for path in write_all(Path(project_dir), portal, EXAMPLE_IDS):
        err.print(f"Wrote {escape(str(path))}")


# The demo records shown as annotated examples in docs/examples/.
EXAMPLE_IDS = {
    "bodies": "donghu-jczd", "officers": "dh-zhang-haitao", "laws": "labour-contract-law",
    "powers": "cf-overtime", "procedures": "penalty-ordinary", "benchmarks": "bm-overtime",
    "decisions": "donghu-2025-002", "corrections": "", "appeals": "xishan-2025-006-fy",
    "pages": "complaint",
}
