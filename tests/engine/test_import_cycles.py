"""No two modules of the engine import each other, directly or around a loop."""

from __future__ import annotations

from tests.engine.imports import cycles, import_graph


def test_no_module_of_report_imports_itself_around_a_loop():
    graph = import_graph()
    assert "report.pipeline.run" in graph and graph["report.pipeline.run"]  # the walk found the engine's imports
    assert cycles(graph) == []


def test_the_cycle_finder_sees_a_loop_of_three_and_a_lazy_import(tmp_path):
    package = tmp_path / "report"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from report import b\n")
    (package / "b.py").write_text("import report.c\n")
    (package / "c.py").write_text("def later():\n    from report.a import thing\n")
    (package / "d.py").write_text("from report import a\n")
    assert cycles(import_graph(tmp_path)) == [["report.a", "report.b", "report.c"]]
