"""Every local link, image and stylesheet of the site resolves, no link is root-absolute (it would break under
https://<user>.github.io/<repo>/), nothing is loaded from another host (fonts, scripts, stylesheets, images),
and the site has the .nojekyll that keeps GitHub Pages from running Jekyll over it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from report.commands.check.artefacts import iter_elements, local
from report.commands.check.checklist import Item, item

RESOURCE_ATTRS = {"img": "src", "script": "src", "iframe": "src", "source": "src", "object": "data",
                  "embed": "src", "audio": "src", "video": "src", "track": "src"}


@dataclass(frozen=True)
class Reference:
    source: str  # where it was found, e.g. "index.html <img>" or "css/site.css"
    url: str
    resource: bool  # loaded by the page (True) or only followed by the reader (an <a href>)


def html_references(root, name: str) -> list[Reference]:
    refs = []
    for el in iter_elements(root):
        tag = local(el.tag)
        if tag in RESOURCE_ATTRS and el.get(RESOURCE_ATTRS[tag]):
            refs.append(Reference(f"{name} <{tag}>", el.get(RESOURCE_ATTRS[tag]), True))
        if tag in ("img", "source") and el.get("srcset"):
            for candidate in el.get("srcset").split(","):
                refs.append(Reference(f"{name} <{tag} srcset>", candidate.split()[0], True))
        if tag == "link" and el.get("href"):
            rels = set((el.get("rel") or "").lower().split())
            refs.append(Reference(f"{name} <link rel={el.get('rel')}>", el.get("href"),
                                  bool(rels & {"stylesheet", "icon", "preload", "prefetch", "manifest", "modulepreload"})))
        if tag == "a" and el.get("href"):
            refs.append(Reference(f"{name} <a>", el.get("href"), False))
        if tag == "style" and el.text:
            refs += css_references(el.text, f"{name} <style>")
        if el.get("style"):
            refs += css_references(el.get("style"), f"{name} style=")
    return refs


def css_references(css: str, source: str) -> list[Reference]:
    urls = re.findall(r"""url\(\s*['"]?([^'")\s]+)['"]?\s*\)""", css)
    urls += re.findall(r"""@import\s+['"]([^'"]+)['"]""", css)
    return [Reference(source, u, True) for u in urls]


def check_links(site: Path, root, index_name: str = "index.html") -> Item:
    """Local references resolve; nothing loads from another host; no root-absolute paths."""
    ids = {el.get("id") for el in iter_elements(root) if el.get("id")}
    refs = html_references(root, index_name)
    for css in sorted(site.rglob("*.css")):
        refs += [Reference(css.relative_to(site).as_posix(), r.url, True)
                 for r in css_references(css.read_text(encoding="utf-8"), "")]
    problems = []
    for ref in refs:
        url = ref.url.strip()
        parts = urlsplit(url)
        if parts.scheme == "data" or parts.scheme in ("mailto", "tel"):
            continue
        if parts.scheme in ("http", "https") or url.startswith("//"):
            if ref.resource:
                problems.append(f"{ref.source}: loads {url} from another host (the site must be self-contained)")
            continue
        if parts.scheme:
            problems.append(f"{ref.source}: unsupported URL {url}")
            continue
        if url.startswith("/"):
            problems.append(f"{ref.source}: root-absolute {url} breaks under https://<user>.github.io/<repo>/")
            continue
        if not parts.path:
            if parts.fragment and unquote(parts.fragment) not in ids:
                problems.append(f"{ref.source}: #{parts.fragment} names no element")
            continue
        base = site / (Path(ref.source.split(" ")[0]).parent if ref.source.endswith(".css") else Path("."))
        target = (base / unquote(parts.path)).resolve()
        if not target.is_relative_to(site.resolve()):
            problems.append(f"{ref.source}: {url} points outside the site")
        elif not target.exists():
            problems.append(f"{ref.source}: {url} does not exist")
    return item("links and resources are local and resolve", problems, f"{len(refs)} references")


def check_nojekyll(site: Path) -> Item:
    nojekyll = site / ".nojekyll"
    return item(".nojekyll in the site", [] if nojekyll.exists() else [f"{nojekyll} is missing"])
