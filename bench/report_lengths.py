"""How long the report is for a grader: PDF pages of the body and in all, words of the body's running text.

The body is the title page to the end of the last exercise (section 2.3); what follows (provenance,
appendices) is reference material. Targets (issue: a report a grader reads in one sitting): body at most
16 PDF pages, whole PDF at most 26, running text of the body under 4,500 words, no sentence over 40 words.

    python bench/report_lengths.py [--build-dir build]

Reads build/report.pdf (its outline) and build/site/index.html (its text, as Chromium lays it out: what a
reader sees, without scripts' or hidden elements' text). Prints a table and the longest sentences.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pypdf

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
TARGETS = {"body pages": 16, "PDF pages": 26, "body words": 4500, "longest sentence (words)": 40}

# the running text: paragraphs and list items of the exercises, not tables, figures or their captions
RUNNING_TEXT_JS = """() => {
  const parts = [...document.querySelectorAll('main section.exercise :is(p, li)')]
    .filter(el => !el.closest('table, figure, figcaption, nav, .math.display'))
    .filter(el => !el.querySelector('p, li'));
  return parts.map(el => el.innerText);
}"""


def pdf_lengths(pdf: Path) -> tuple[int, int, str]:
    """(body pages, all pages, the first heading after the body)."""
    reader = pypdf.PdfReader(pdf)
    top = [item for item in reader.outline if not isinstance(item, list)]
    exercises = [i for i, item in enumerate(top) if re.match(r"(\d|Exercise\b)", item.title.strip())]
    if not exercises:
        raise SystemExit(f"{pdf}: no exercise in the PDF's outline; is it a make-report PDF?")
    after = exercises[-1] + 1
    if after >= len(top):  # nothing after the exercises: the body is the whole PDF
        return len(reader.pages), len(reader.pages), "-"
    following = top[after]
    return reader.get_destination_page_number(following), len(reader.pages), following.title


def running_text(html: Path) -> list[str]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(html.resolve().as_uri())
        texts = page.evaluate(RUNNING_TEXT_JS)
        browser.close()
    return texts


def sentences(texts: list[str]) -> list[str]:
    # a full stop, question or exclamation mark followed by a space and a capital, a digit, an opening bracket or
    # quote (not "e.g. the", "0.87"): as tests/render/test_sentences.py counts them
    out = []
    for text in texts:
        out += [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9(‘“])", " ".join(text.split())) if s.strip()]
    return out


def words(text: str) -> int:
    return len(re.findall(r"\S+", text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", type=Path, default=Path("build"))
    parser.add_argument("--show", type=int, default=5, help="how many of the longest sentences to print")
    args = parser.parse_args()
    pdf, html = args.build_dir / "report.pdf", args.build_dir / "site" / "index.html"
    for path in (pdf, html):
        if not path.is_file():
            raise SystemExit(f"{path} is missing: run `make-report render` first")

    body_pages, all_pages, following = pdf_lengths(pdf)
    texts = running_text(html)
    said = sentences(texts)
    longest = sorted(said, key=words, reverse=True)
    measured = {
        "body pages": body_pages,
        "PDF pages": all_pages,
        "body words": sum(words(t) for t in texts),
        "longest sentence (words)": words(longest[0]) if longest else 0,
    }
    print(f"{'measure':<28}{'value':>8}{'target':>10}  met")
    for name, value in measured.items():
        target = TARGETS[name]
        print(f"{name:<28}{value:>8}{'<= ' + str(target):>10}  {'yes' if value <= target else 'NO'}")
    print(f"\nthe body ends before {following!r}; {len(said)} sentences in its running text, "
          f"{sum(words(s) > TARGETS['longest sentence (words)'] for s in said)} over "
          f"{TARGETS['longest sentence (words)']} words")
    for sentence in longest[: args.show]:
        print(f"  {words(sentence):>3} words: {sentence[:160]}{'...' if len(sentence) > 160 else ''}")


if __name__ == "__main__":
    main()
