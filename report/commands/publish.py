"""``make-report publish``: build/site/ -> one new commit on the gh-pages branch, then push.

Git plumbing only, so the working tree, the index and the checked-out branch
are never touched: the site is staged into a temporary index
(``GIT_INDEX_FILE`` + ``git --work-tree=build/site add``), written as a tree,
committed on top of the branch's current tip (local, or fetched from the
remote) with ``commit-tree``, and the branch moved with ``update-ref``. The
branch keeps its history: each publish is one commit whose parent is the
previous publish.

    from report.commands.publish import publish
    publish(BuildPaths.resolve(), PublishOptions(remote="origin", branch="gh-pages"))
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import click

from report.paths import BuildPaths

ZERO_SHA = "0" * 40


@dataclass(frozen=True)
class PublishOptions:
    remote: str = "origin"  # where GitHub Pages serves from
    branch: str = "gh-pages"  # the branch Pages is configured to serve ("Deploy from a branch")
    message: str | None = None  # subject line; the source commit is always added below it
    dry_run: bool = False  # list what would be published, write nothing
    push: bool = True  # False: only move the local branch
    check_fresh: bool = True  # refuse a site built from stale results


@dataclass(frozen=True)
class SiteFile:
    path: str  # relative to the site, with forward slashes
    size: int


@dataclass(frozen=True)
class PublishResult:
    files: tuple[SiteFile, ...]
    branch: str
    message: str
    parent: str | None  # the branch tip the commit builds on (None: a new branch)
    commit: str | None  # None on a dry run
    pushed: bool

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)


class Git:
    """Runs git in one repository; a failure becomes a ClickException naming the command."""

    def __init__(self, repo: Path, env: dict[str, str] | None = None) -> None:
        self.repo = repo
        self.env = env

    def run(self, *args: str, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess:
        full_env = {**os.environ, **(self.env or {}), **(env or {})}
        proc = subprocess.run(["git", "-C", str(self.repo), *args], capture_output=True, text=True, env=full_env)
        if check and proc.returncode != 0:
            detail = (proc.stderr or proc.stdout).strip()
            raise click.ClickException(f"`git {' '.join(args)}` failed: {detail}")
        return proc

    def out(self, *args: str, env: dict[str, str] | None = None) -> str:
        return self.run(*args, env=env).stdout.strip()

    def rev(self, ref: str) -> str | None:
        proc = self.run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
        return proc.stdout.strip() or None

    def is_ancestor(self, older: str, newer: str) -> bool:
        return self.run("merge-base", "--is-ancestor", older, newer, check=False).returncode == 0


def find_repo(paths: BuildPaths) -> Path:
    """The repository the build belongs to: the one holding the build folder, else the project's."""
    for start in (paths.build, paths.project):
        start = start if start.is_dir() else start.parent
        proc = subprocess.run(["git", "-C", str(start), "rev-parse", "--show-toplevel"], capture_output=True, text=True)
        if proc.returncode == 0:
            return Path(proc.stdout.strip())
    raise click.ClickException(f"{paths.build} is not inside a git repository: publishing needs one")


# --- what is published ---------------------------------------------------------------------------------------


def site_files(site: Path) -> tuple[SiteFile, ...]:
    files = [
        SiteFile(p.relative_to(site).as_posix(), p.stat().st_size)
        for p in sorted(site.rglob("*"))
        if p.is_file()
    ]
    return tuple(files)


def refuse_unpublishable(paths: BuildPaths, check_fresh: bool = True) -> None:
    """A ClickException when the site is missing, or was built from stale or newer results."""
    index = paths.site / "index.html"
    if not index.is_file():
        raise click.ClickException(f"no site to publish ({index} is missing): run `make-report render` first")
    if not (paths.site / ".nojekyll").is_file():
        raise click.ClickException(
            f"{paths.site / '.nojekyll'} is missing (GitHub Pages would run Jekyll): run `make-report render`"
        )
    if not check_fresh:
        return
    from report import registry
    from report.commands.fresh import as_built
    from report.render import shown

    site = shown.read(paths)  # the results the site shows, recorded by the render that built it
    if site is not None:
        names = list(site.results)
    else:
        names = list(registry.experiment_names(paths.project))
        names += [n for n in registry.study_names(paths.project) if (paths.results / n).is_dir()]  # studies only when built
    problems, results_mtime = [], 0.0
    for name in names:
        state = as_built(name, paths)  # with the number of seeds it was built with (--seeds N)
        if not state.fresh:
            why = f" ({state.why} changed)" if state.state == "stale" else (f": {state.why}" if state.reasons else "")
            problems.append(f"{name}: results are {state.state}{why}; run `make-report train {name}`")
        for f in (paths.results / name).glob("*.json"):
            results_mtime = max(results_mtime, f.stat().st_mtime)
    if problems:
        raise click.ClickException(
            "refusing to publish a site built from results that are not fresh:\n  "
            + "\n  ".join(problems)
            + "\nthen `make-report render` (or just `make-report all`), and publish again"
        )
    if results_mtime > index.stat().st_mtime:
        raise click.ClickException(
            f"the results are newer than the site ({index}): run `make-report render`, then publish again"
        )


# --- the commit ----------------------------------------------------------------------------------------------


def source_state(git: Git) -> tuple[str | None, bool]:
    head = git.rev("HEAD")
    dirty = bool(git.run("status", "--porcelain", "--untracked-files=no", check=False).stdout.strip())
    return head, dirty


def commit_message(subject: str | None, head: str | None, dirty: bool) -> str:
    short = head[:12] if head else "an uncommitted checkout"
    suffix = " (dirty)" if dirty else ""
    first = subject or f"Publish the report site built from {short}{suffix}"
    lines = [first, "", f"Source commit: {head or 'none'}", f"Working tree dirty: {'yes' if dirty else 'no'}"]
    return "\n".join(lines) + "\n"


def remote_exists(git: Git, remote: str) -> bool:
    return git.run("remote", "get-url", remote, check=False).returncode == 0


def remote_tip(git: Git, remote: str, branch: str, fetch: bool) -> str | None:
    """The remote branch's tip: fetched (into refs/remotes/) or, without fetching, read by ls-remote."""
    if not remote_exists(git, remote):
        return None
    if not fetch:
        line = git.out("ls-remote", remote, f"refs/heads/{branch}")
        return line.split()[0] if line else None
    listed = git.out("ls-remote", remote, f"refs/heads/{branch}")
    if not listed:
        return None
    git.run("fetch", "--quiet", "--no-tags", remote, f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}")
    return git.rev(f"refs/remotes/{remote}/{branch}")


def choose_parent(git: Git, local: str | None, remote: str | None, branch: str) -> str | None:
    """The newer of the local and the remote tip; refuses when they have diverged."""
    if local is None or remote is None or local == remote:
        return local or remote
    if git.is_ancestor(local, remote):
        return remote
    if git.is_ancestor(remote, local):
        return local
    raise click.ClickException(
        f"the local {branch} ({local[:12]}) and the remote one ({remote[:12]}) have diverged: "
        f"reset one of them (e.g. `git branch -f {branch} <remote>/{branch}`) and publish again"
    )


def _identity_env(git: Git) -> dict[str, str]:
    """commit-tree needs an author; fall back to make-report's own when git has none configured."""
    if git.run("var", "GIT_AUTHOR_IDENT", check=False).returncode == 0:
        return {}
    return {
        "GIT_AUTHOR_NAME": "make-report", "GIT_AUTHOR_EMAIL": "make-report@localhost",
        "GIT_COMMITTER_NAME": "make-report", "GIT_COMMITTER_EMAIL": "make-report@localhost",
    }


def site_tree(git: Git, site: Path) -> str:
    """Stage every file of ``site`` (dotfiles such as .nojekyll included) in a throw-away index; return its tree."""
    with tempfile.TemporaryDirectory(prefix="make-report-publish-") as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        git.run(
            "-c", "core.autocrlf=false", "-c", "core.safecrlf=false", f"--work-tree={site.resolve()}",
            "add", "--all", "--force", "--", ".", env=env,
        )
        return git.out("write-tree", env=env)


def publish(paths: BuildPaths, options: PublishOptions = PublishOptions(), echo=click.echo) -> PublishResult:
    refuse_unpublishable(paths, options.check_fresh)
    git = Git(find_repo(paths))
    files = site_files(paths.site)
    head, dirty = source_state(git)
    message = commit_message(options.message, head, dirty)
    ref = f"refs/heads/{options.branch}"
    if options.push and not remote_exists(git, options.remote):
        raise click.ClickException(
            f"no git remote {options.remote!r} in {git.repo}: add it (`git remote add {options.remote} URL`), "
            "pick another with --remote, or publish locally with --no-push"
        )
    local = git.rev(ref)
    remote = remote_tip(git, options.remote, options.branch, fetch=not options.dry_run) if options.push else None
    parent = choose_parent(git, local, remote, options.branch)

    if options.dry_run:
        _echo_plan(echo, files, options, parent, message)
        return PublishResult(files, options.branch, message, parent, None, False)

    tree = site_tree(git, paths.site)
    if parent is not None and git.out("rev-parse", f"{parent}^{{tree}}") == tree:
        commit = parent
        echo(f"the site is unchanged since {parent[:12]}: no new commit", err=True)
    else:
        parent_args = ("-p", parent) if parent else ()
        commit = _commit_tree(git, tree, parent_args, message)
        git.run("update-ref", "-m", "make-report publish", ref, commit, local or ZERO_SHA)
        echo(f"committed {len(files)} files ({_size(sum(f.size for f in files))}) to {options.branch} as "
             f"{commit[:12]}" + (f" (parent {parent[:12]})" if parent else " (a new branch)"), err=True)
    pushed = False
    if options.push:
        git.run("push", "--quiet", options.remote, f"{ref}:{ref}")
        pushed = True
        echo(f"pushed {options.branch} to {options.remote}", err=True)
    return PublishResult(files, options.branch, message, parent, commit, pushed)


def _commit_tree(git: Git, tree: str, parent_args: tuple[str, ...], message: str) -> str:
    env = {**os.environ, **_identity_env(git)}
    proc = subprocess.run(
        ["git", "-C", str(git.repo), "commit-tree", tree, *parent_args, "-F", "-"],
        input=message, capture_output=True, text=True, env=env,
    )
    if proc.returncode != 0:
        raise click.ClickException(f"`git commit-tree` failed: {proc.stderr.strip()}")
    return proc.stdout.strip()


def _size(n: int) -> str:
    for unit in ("B", "kB", "MB"):
        if n < 1000 or unit == "MB":
            return f"{n:,} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} MB"


def _echo_plan(echo, files, options: PublishOptions, parent: str | None, message: str) -> None:
    target = f"{options.remote}/{options.branch}" if options.push else f"{options.branch} (local only)"
    echo(f"dry run: would publish {len(files)} files ({_size(sum(f.size for f in files))}) to {target}")
    echo(f"parent: {parent[:12] if parent else 'none (a new branch)'}")
    echo("message:")
    for line in message.rstrip("\n").splitlines():
        echo(f"  {line}")
    echo("files:")
    width = max((len(f.path) for f in files), default=0)
    for f in files:
        echo(f"  {f.path:<{width}}  {f.size:>10,} B")
