"""`gongshi serve`: build, serve site/ on 127.0.0.1, rebuild when a source file changes, and
reload open pages. A failed rebuild prints its report and keeps serving the last good site.

With `--api`, `GET /api/search?q=…&type=…&body=…&region=…&year=…&limit=…` answers from the
staff search index as JSON, for deployments that run a server beside the static site."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import json
import threading
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from rich.console import Console

from generator import build as pipeline
from generator.ledger import LEDGER_FILE
from generator.portal import Portal
from generator.problems import ContentError, Report
from generator.statefile import signature
from generator.warm import WarmBuilds

RELOAD_PATH = "/__gongshi__/version"
# Polls the build number and reloads the page when it changes (preview only, never published).
RELOAD_SCRIPT = (
    "<script>(function(){var v=null;setInterval(function(){fetch('" + RELOAD_PATH + "')"
    ".then(function(r){return r.text()}).then(function(t){if(v!==null&&t!==v){location.reload()}"
    "v=t}).catch(function(){})},1000)})();</script>"
)


class Watch:
    """Changes to what a build reads, seen from the moment `ready` is set, so that serve
    starts watching before its first build and no edit made meanwhile is lost: content/
    and site_config/, watched by the system (inotify: looking at 114,000 files' times took
    2.4 s), and mkdocs.yml and the ledger, looked at every second. Changes seen while a
    rebuild runs are gathered for the next."""

    def __init__(self, project: pipeline.Project, stop: threading.Event) -> None:
        self.ready = threading.Event()
        self._stop = stop
        self._seen = threading.Condition()
        self._pending: set[str] | None = None  # None: nothing seen since the last `next`
        self._failed: BaseException | None = None
        threading.Thread(target=self._watch, args=(project,), daemon=True).start()

    def _watch(self, project: pipeline.Project) -> None:
        import watchfiles

        content = project.content.resolve()
        folders = [folder for folder in (content, project.root / "site_config")
                   if folder.is_dir()]
        files = [project.root / "mkdocs.yml", project.root / LEDGER_FILE]
        stamps = [signature(path) for path in files]
        default = watchfiles.DefaultFilter()

        def wanted(change: watchfiles.Change, path: str) -> bool:
            # Every change in content/ counts: the loader itself skips hidden files only.
            return path.startswith(f"{content}/") or default(change, path)

        try:
            # The first answer comes after a second without changes, once watching.
            for changed in watchfiles.watch(*folders, stop_event=self._stop, rust_timeout=1000,
                                            yield_on_timeout=True, debounce=400,
                                            watch_filter=wanted):
                self.ready.set()
                now = [signature(path) for path in files]
                if changed or now != stamps:
                    stamps = now
                    with self._seen:
                        self._pending = (self._pending or set()) | {
                            path for _, path in changed if path.startswith(f"{content}/")}
                        self._seen.notify()
        except BaseException as exc:
            self._failed = exc
        finally:
            self._stop.set()
            self.ready.set()
            with self._seen:
                self._seen.notify()

    def __iter__(self) -> Iterator[set[str]]:
        """After each change, the content files and folders changed since the last one (an
        empty set when only files beside content/ changed), until stopped."""
        while True:
            with self._seen:
                while self._pending is None and not self._stop.is_set():
                    self._seen.wait(timeout=1)
                changed, self._pending = self._pending, None
            if self._failed is not None:
                raise self._failed
            if changed is None:
                return
            yield changed


class _State:
    def __init__(self) -> None:
        self.version = 0


API_PATH = "/api/search"


def api_search(project_root: Path, query: str) -> tuple[int, dict[str, object]]:
    """The JSON answer to GET /api/search?<query>: (HTTP status, body)."""
    import search

    params = {key: values[-1] for key, values in parse_qs(query).items()}
    index = search.open_index(project_root)
    if index is None:
        return 503, {"error": "no search index yet: run gongshi build"}
    text = params.get("q", "").strip()
    if not text:
        return 400, {"error": "missing q: /api/search?q=…"}
    try:
        year = int(params.get("year") or 0)
        limit = max(1, min(100, int(params.get("limit") or 20)))
    except ValueError:
        return 400, {"error": "year and limit are whole numbers"}
    kind = params.get("type", "")
    filters = search.Filters(kind=kind if kind in search.KINDS else "",
                             type="" if kind in search.KINDS else kind,
                             body=params.get("body", ""), region=params.get("region", ""),
                             year=year)
    hits = index.search(text, filters, limit)
    return 200, {"query": text, "count": len(hits), "results": [asdict(h) for h in hits]}


def _handler(site: Path, state: _State, api_root: Path | None = None,
             ) -> type[http.server.SimpleHTTPRequestHandler]:
    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if api_root is not None and parts.path == API_PATH:
                status, answer = api_search(api_root, parts.query)
                body = json.dumps(answer, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if self.path == RELOAD_PATH:
                body = str(state.version).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            target = Path(self.translate_path(self.path))
            if target.is_dir():
                target = target / "index.html"
            if target.suffix == ".html" and target.is_file():
                html = target.read_text(encoding="utf-8").replace(
                    "</body>", RELOAD_SCRIPT + "</body>")
                body = html.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            super().do_GET()

        def log_message(self, format: str, *args: object) -> None:
            pass

    return functools.partial(Handler, directory=str(site))  # type: ignore[return-value]


def _rebuild(project: pipeline.Project, as_of: dt.date | None, console: Console,
             api: bool = False, loaded: tuple[Portal, Report] | None = None) -> bool:
    from generator.cli import print_report

    try:
        report = pipeline.build(project, as_of or pipeline.today(), staff_index=api,
                                loaded=loaded)
    except ContentError as exc:
        print_report(exc.report, strict=False)
        console.print("[red]Not rebuilt; still serving the last good site.[/red]")
        return False
    except Exception as exc:
        console.print(f"[red]The site could not be built: {exc}[/red]")
        return False
    if len(report):
        print_report(report, strict=False)
    return True


def _warm_rebuild(builds: WarmBuilds, as_of: dt.date | None, console: Console,
                  api: bool = False, changed: set[str] | None = None) -> bool:
    """A rebuild in a child of this process, which keeps the records and the build state
    between rebuilds (generator/warm.py); then this process reads what changed meanwhile."""
    def work(portal: Portal, report: Report) -> bool:
        try:
            return _rebuild(builds.project, as_of, console, api, (portal, report))
        finally:
            console.file.flush()  # the child leaves without flushing what it buffered

    console.file.flush()  # else the child would write it too
    try:
        return builds.build(work, changed)
    finally:
        builds.refresh()


def serve(project: pipeline.Project, as_of: dt.date | None, port: int, console: Console,
          stop: threading.Event | None = None, api: bool = False) -> None:
    state = _State()
    stop = stop or threading.Event()
    watch = Watch(project, stop)
    watch.ready.wait()
    builds = WarmBuilds(project, as_of)
    _warm_rebuild(builds, as_of, console, api)
    project.site.mkdir(exist_ok=True)
    handler = _handler(project.site, state, project.root if api else None)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    console.print(f"Serving on http://127.0.0.1:{server.server_address[1]}/ (Ctrl+C stops)")
    if api:
        console.print(f"Search API: http://127.0.0.1:{server.server_address[1]}{API_PATH}?q=…")
    try:
        for changed in watch:
            console.print("Change seen; rebuilding…")
            if _warm_rebuild(builds, as_of, console, api, changed):
                state.version += 1
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.shutdown()
