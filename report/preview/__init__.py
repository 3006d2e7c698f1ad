"""``make-report preview``: serve build/site/, render again when an input changes, reload the open pages.

    from report.preview import PreviewOptions, serve
    serve(BuildPaths.resolve(), PreviewOptions(port=8000))

The parts, one job each: :mod:`~report.preview.builder` renders (reusing what did not change) and
keeps the last state; :mod:`~report.preview.watcher` hears of changed files;
:mod:`~report.preview.channel` tells the open pages; :mod:`~report.preview.server` serves the site
and the reload script; :mod:`~report.preview.problems` turns a failed render into file, line and
message. See docs/preview.md.
"""

from __future__ import annotations

import queue
import threading
import webbrowser
from dataclasses import dataclass
from pathlib import Path

import click

from report.paths import BuildPaths
from report.preview import watcher
from report.preview.builder import Builder, State
from report.preview.channel import ReloadChannel
from report.preview.server import make_server, serve_in_thread

__all__ = ["PreviewOptions", "serve"]

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class PreviewOptions:
    # this machine only: the preview serves unpublished work and needs no password
    host: str = "127.0.0.1"
    port: int = 0  # 0: a free port the system picks, so two previews (or a busy 8000) never clash
    open_browser: bool = False
    pdf: bool = False  # write the PDF after every change too; else when the page's PDF link is followed


def _describe(state: State, changed: set[Path] | None, paths: BuildPaths) -> str:
    what = ""
    if changed:
        names = sorted(p.relative_to(paths.project).as_posix() if p.is_relative_to(paths.project) else str(p)
                       for p in changed)
        what = f" after {', '.join(names[:3])}{' ...' if len(names) > 3 else ''} changed"
    if state.problem:
        where = f"{state.problem.where}: " if state.problem.where else ""
        return f"render failed{what}: {where}{state.problem.message}"
    return f"rendered in {state.seconds:.2f} s{what}"


def host_warning(host: str) -> str | None:
    """What to say before serving on ``host``: nothing for this machine's own address."""
    if host in LOOPBACK:
        return None
    return (f"warning: serving on {host}: anyone who can reach this machine can read the report and its "
            "results while the preview runs; the default, 127.0.0.1, keeps it to this machine")


def serve(paths: BuildPaths, options: PreviewOptions) -> None:
    """Render, serve and watch until Ctrl-C."""
    if warning := host_warning(options.host):
        click.echo(warning, err=True)
    builder = Builder(paths, pdf=options.pdf)
    state = builder.build()
    click.echo(_describe(state, None, paths), err=True)
    channel = ReloadChannel()
    channel.publish(state)
    server = make_server(options.host, options.port, paths.site, builder, channel)
    host = f"[{options.host}]" if ":" in options.host else options.host
    url = f"http://{host}:{server.server_port}/"
    serve_in_thread(server)
    click.echo(f"previewing {paths.site} at {url} (Ctrl-C stops)")
    if options.open_browser:
        webbrowser.open(url)

    changes: queue.Queue[set[Path]] = queue.Queue()
    stop = threading.Event()
    watcher.start(paths, stop, changes.put)
    try:
        while True:
            batch = changes.get()
            while not changes.empty():  # what arrived during the last build goes into this one
                batch |= changes.get_nowait()
            if any(p.is_relative_to(paths.results) or p == paths.meta for p in batch):
                builder.results_changed()
            state = builder.build(batch)
            channel.publish(state)
            click.echo(_describe(state, batch, paths), err=True)
    except KeyboardInterrupt:
        click.echo("preview stopped", err=True)
    finally:
        stop.set()
        channel.close()
        server.shutdown()
        server.server_close()
