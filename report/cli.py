"""The ``make-report`` command line: parse options, resolve paths, delegate."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from report import registry
from report.paths import DATA_ENV, PROJECT_FILE, BuildPaths


def path_options(func):
    """--project, --data-dir and --build-dir, shared by every command that reads or writes a build."""

    @click.option(
        "--project",
        "project_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help=f"The project folder (with {PROJECT_FILE} and templates/). Default: the nearest folder, "
             f"the working directory or one above it, that holds {PROJECT_FILE}.",
    )
    @click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help=f"Folder with the dataset archives. Default: ${DATA_ENV}, else data/ in the project.",
    )
    @click.option(
        "--build-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Where all output goes. Default: build/ in the project.",
    )
    @functools.wraps(func)
    def wrapper(*args, project_dir, data_dir, build_dir, **kwargs):
        paths = BuildPaths.resolve(data_dir, build_dir, project_dir)
        registry.use_project(paths.project)  # its experiments/ and studies/, here and in any worker started
        return func(*args, paths=paths, **kwargs)

    return wrapper


def train_options(func):
    """Options that shape a training run."""

    @click.option("--quick", is_flag=True, help="Smoke run: small stratified subsets, two epochs.")
    @click.option("--seed", type=int, default=None, help="Random seed (default: each experiment's own).")
    @click.option(
        "--set",
        "set_",
        multiple=True,
        metavar="FIELD=VALUE",
        help="Override a config field, e.g. --set epochs=3. Repeatable.",
    )
    @click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
    @click.option("--verbose", is_flag=True, help="Also show TensorFlow's C++ start-up log lines.")
    @click.option("--force", is_flag=True, help="Train even when the results are fresh.")
    @click.option("--seeds", type=click.IntRange(min=1), default=None,
                  help="Default 3 (1 with --quick). "
                       "Train each experiment with N seeds (seed, seed+1, ...): the report shows mean +- sd "
                       "and plots the run of median accuracy.")
    @functools.wraps(func)
    def wrapper(*args, quick, seed, set_, quiet, verbose, force, seeds, **kwargs):
        from report.pipeline.freshness import TrainOptions
        from report.pipeline.overrides import parse_pairs

        options = TrainOptions(quick=quick, seed=seed, overrides=parse_pairs(set_), quiet=quiet, force=force,
                               seeds=seeds, verbose=verbose)
        return func(*args, options=options, **kwargs)

    return wrapper


def cluster_options(func):
    """--jobs and --scheduler: where the training jobs run (report.pipeline.cluster). Apply below train_options."""

    @click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
                  help="Run the stale jobs (each experiment's seeds, each study) on a local Dask cluster of N "
                       "worker processes sharing the cores; 1 trains here, one by one. Needs make-report[cluster].")
    @click.option("--scheduler", metavar="ADDRESS", envvar="MAKE_REPORT_SCHEDULER", default=None,
                  help="Send the jobs to the workers of a running Dask scheduler (tcp://host:8786) instead. "
                       "Default: $MAKE_REPORT_SCHEDULER.")
    @functools.wraps(func)
    def wrapper(*args, options, jobs, scheduler, **kwargs):
        import dataclasses

        return func(*args, options=dataclasses.replace(options, jobs=jobs, scheduler=scheduler or None), **kwargs)

    return wrapper


def _check_names(names: tuple[str, ...]) -> list[str]:
    known = registry.all_names()
    for name in names:
        if name not in known:
            raise click.BadParameter(f"unknown experiment {name!r}; known: {', '.join(known)}", param_hint="NAME")
    return list(names) or known


def _experiments(names: tuple[str, ...]) -> list[str]:
    """The named experiments (all by default); studies have no committed expectations."""
    known = registry.experiment_names()
    for name in names:
        if name not in known:
            raise click.BadParameter(f"{name!r} is not an experiment; experiments: {', '.join(known)}",
                                     param_hint="NAME")
    return list(names) or known


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="make-report")
def cli():
    """Train the Assignment 3 experiments and build the report (HTML site and PDF).

    Example: make-report all
    """


@cli.command("list")
def list_():
    """List the experiments, then the studies, with their titles.

    Example: make-report list
    """
    for name in registry.all_names():
        module = registry.load(name)
        kind = "  (study)" if registry.is_study(name) else ""
        click.echo(f"{name:<20} {module.TITLE}{kind}")


@cli.command()
@click.argument("names", nargs=-1, metavar="[NAME]...")
@path_options
@train_options
@cluster_options
def train(names, paths, options):
    """Train experiments (all by default) whose results are not fresh,
    and write build/results/NAME/.

    Example: make-report train NAME --set epochs=3  (NAME: a file of experiments/ or studies/)
    """
    from report.pipeline.run import train as run_training

    run_training(_check_names(names), paths, options)


@cli.command()
@click.argument("names", nargs=-1, metavar="[NAME]...")
@path_options
@train_options
def status(names, paths, options):
    """Show whether each experiment's results are fresh, and why not.

    Example: make-report status
    """
    from report.commands.status import status_table

    click.echo(status_table(_check_names(names), paths, options))


@cli.command("all")
@click.option("--core", is_flag=True, help="Only the two experiments the assignment requires; no studies.")
@click.option("--html/--no-html", default=True, help="Write the HTML site (build/site/).")
@click.option("--pdf/--no-pdf", default=True, help="Write the PDF (build/report.pdf).")
@path_options
@train_options
@cluster_options
def all_(core, html, pdf, paths, options):
    """Train what is stale, then render the HTML site and the PDF.

    With nothing changed it trains nothing and only re-renders what changed.

    Example: MAKE_REPORT_DATA=/path/to/archives make-report all
    """
    from report.commands.build import build_all

    build_all(paths, options, html=html, pdf=pdf, core=core)


@cli.command()
@click.option("--html/--no-html", default=True, show_default=True, help="Write the site to build/site/.")
@click.option("--pdf/--no-pdf", default=True, show_default=True, help="Write build/report.pdf (and copy it into the site).")
@click.option("--quiet", "-q", is_flag=True, help="Do not list the files written.")
@click.option("--allow-stale", is_flag=True,
              help="Render results that no longer match the code, config or data, marked stale.")
@path_options
def render(html, pdf, quiet, allow_stale, paths):
    """Render the report from build/results/: HTML site and PDF. Never trains.

    Refuses results that are stale (see `make-report status`) unless --allow-stale.

    Example: make-report render --no-pdf
    """
    from report.commands.render import render_report

    output = render_report(paths, html=html, pdf=pdf, quiet=quiet, allow_stale=allow_stale)
    if not quiet:
        click.echo(f"rendered {len(output.files)} files in {output.seconds:.1f} s", err=True)


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="The port to serve on; 0 lets the system pick a free one (printed).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to serve on. Anything but this machine's own address warns: the preview has no password.")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the default browser.")
@click.option("--pdf", is_flag=True,
              help="Write the PDF after every change too (seconds each); without it the PDF is made when the page's "
                   "PDF link is followed.")
@path_options
def preview(port, host, open_browser, pdf, paths):
    """Serve build/site/ and render it again whenever an answer, a template, report.toml or a result changes.

    Open pages reload by themselves; a render error is shown in the page with its file and line,
    and the server keeps running. Stale results are shown marked stale, as with render --allow-stale.

    Example: make-report preview --open
    """
    from report.preview import PreviewOptions, serve

    serve(paths, PreviewOptions(host=host, port=port, open_browser=open_browser, pdf=pdf))


@cli.command()
@click.option("--remote", default="origin", show_default=True, help="The git remote to push the branch to.")
@click.option("--branch", default="gh-pages", show_default=True, help="The branch GitHub Pages serves.")
@click.option("--message", "-m", default=None, help="Commit subject (the source commit is always added).")
@click.option("--dry-run", is_flag=True, help="List the files, sizes, branch and message; write nothing.")
@click.option("--no-push", is_flag=True, help="Only commit to the local branch.")
@path_options
def publish(remote, branch, message, dry_run, no_push, paths):
    """Put build/site/ on the gh-pages branch as one new commit and push it.

    Never touches the working tree, the index or the current branch. Refuses
    when the site is missing or built from stale results.

    Example: make-report publish --dry-run
    """
    from report.commands.publish import PublishOptions
    from report.commands.publish import publish as run_publish

    run_publish(paths, PublishOptions(remote=remote, branch=branch, message=message, dry_run=dry_run,
                                      push=not no_push))


@cli.command()
@click.argument("names", nargs=-1, metavar="[NAME]...")
@path_options
def verify(names, paths):
    """Compare build/results with the committed expectations (experiments/expected/).

    For each experiment and seed: "reproduced" when the test predictions are the
    committed ones, else the differences, set against the seeds' spread, and the
    first stage that diverged. Exits 1 unless every seed was reproduced.

    Example: make-report verify
    """
    from report.commands.verify import verify as run_verify

    if not run_verify(_experiments(names), paths):
        raise SystemExit(1)


@cli.command()
@click.argument("names", nargs=-1, metavar="[NAME]...")
@path_options
def expect(names, paths):
    """Write experiments/expected/NAME.json from build/results (after a cold build).

    Each seed's test accuracy, macro F1, ROC AUC and stage hashes, with the
    results' key; commit the files with the change that moved them.

    Example: make-report all && make-report expect
    """
    from report.commands.verify import write_expectations

    write_expectations(_experiments(names), paths)


@cli.command()
@click.option("--no-validator", is_flag=True, help="Skip the Nu HTML Checker (it is reported as skipped).")
@click.option("--strict", is_flag=True, help="Fail on warnings too (such as the placeholder author): "
                                             "run this before handing in.")
@path_options
def check(no_validator, strict, paths):
    """Check the built site and PDF are fit to hand in; print a checklist.

    Sections, figures, numbers against results.json, links, PDF fonts and
    metadata, and the Nu HTML Checker. Exits 1 on any failure; warnings
    (marked !, such as the placeholder author of report.toml) fail only
    with --strict.

    Example: make-report check --strict
    """
    from report.commands.check import run_checks
    from report.commands.check.checklist import use_colour

    report = run_checks(paths, validator=not no_validator)
    click.echo(report.format(colour=use_colour(), strict=strict))
    if not report.passes(strict):
        raise SystemExit(1)
