"""The engine's layout: no import loops, and module names that say what they are on their own."""

from __future__ import annotations

import importlib
import uuid

from report.pipeline.import_walk import modules_under
from tests.engine.imports import cycles, import_graph


def test_no_module_of_report_imports_itself_around_a_loop():
    graph = import_graph()
    assert "report.pipeline.run" in graph and graph["report.pipeline.run"]  # the walk found the engine's imports
    assert cycles(graph) == []


def test_the_cycle_finder_sees_a_loop_of_three_through_a_lazy_import(tmp_path, monkeypatch):
    name = f"looped_{uuid.uuid4().hex[:8]}"
    package = tmp_path / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text(f"from {name} import b\n")
    (package / "b.py").write_text(f"import {name}.c\n")
    (package / "c.py").write_text(f"def later():\n    from {name}.a import thing\n")
    (package / "d.py").write_text(f"from {name} import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    assert cycles(import_graph(name)) == [[f"{name}.a", f"{name}.b", f"{name}.c"]]


def test_no_two_modules_of_report_share_a_file_name():
    """A module's name says what it is without its folder: no second experiment.py or context.py."""
    by_name: dict[str, list[str]] = {}
    for name, path in modules_under("report").items():
        if path.name != "__init__.py":
            by_name.setdefault(path.name, []).append(name)
    assert len(by_name) > 50  # the walk found the engine
    assert {file: names for file, names in by_name.items() if len(names) > 1} == {}
