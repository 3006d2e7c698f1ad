"""Every <img>/<object> of the page resolves to a file and has a source (and an <img> its alt text), and every
SVG in figures/ is used by the page."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from report.commands.check.artefacts import iter_elements, local
from report.commands.check.checklist import Item, item


def check_figures(site: Path, root) -> Item:
    used, problems = set(), []
    images = [(local(el.tag), el) for el in iter_elements(root) if local(el.tag) in ("img", "object")]
    for tag, el in images:
        src = el.get("src" if tag == "img" else "data") or ""
        if src.startswith("data:"):
            continue
        path = (site / unquote(urlsplit(src).path)).resolve()
        used.add(path)
        if not src:
            problems.append(f"<{tag}> without a source")
        elif not path.is_file():
            problems.append(f"<{tag}> {src}: file missing")
        if tag == "img" and not (el.get("alt") or "").strip() and not src.startswith("data:"):
            problems.append(f"<img> {src}: no alt text")
    svgs = sorted((site / "figures").glob("*.svg"))
    for svg in svgs:
        if svg.resolve() not in used:
            problems.append(f"figures/{svg.name}: not used by the page")
    return item("figures present and referenced", problems, f"{len(svgs)} SVG files, {len(used)} referenced")
