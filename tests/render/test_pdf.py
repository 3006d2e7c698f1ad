"""The PDF as a marker opens it: text, contents, captions, metadata, bookmarks; and the offline fetcher."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from report.render import format as fmt
from report.render.pdf import FetchRefused, local_fetcher


@pytest.fixture(scope="module")
def pdf(rendered):
    paths, output, all_results = rendered
    reader = PdfReader(str(output.pdf))
    return reader, page_texts(output.pdf), output, all_results


def page_texts(pdf) -> list[str]:
    """Each page's text, whitespace collapsed: Poppler's pdftotext (a tenth of pypdf's time) ends each page
    with a form feed."""
    import subprocess

    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [" ".join(page.split()) for page in text.split("\f")[:-1]]


def test_pdf_written_and_copied_into_site(rendered):
    paths, output, _ = rendered
    assert output.pdf == paths.pdf and paths.pdf.is_file()
    assert (paths.site / "report.pdf").read_bytes() == paths.pdf.read_bytes()


def test_title_page_and_metadata(pdf):
    reader, pages, *_ = pdf
    assert "Assignment 3: Recurrent Neural Networks" in pages[0]
    assert "Ada Student" in pages[0] and "25 November 2026" in pages[0]
    assert "deep learning" in pages[0].lower()  # the course is set in capitals
    assert reader.metadata.title == "Assignment 3: Recurrent Neural Networks"
    assert reader.metadata.author == "Ada Student"


def test_contents_page_with_page_numbers(pdf):
    """The contents sit on the title page, under the title (a page saved for the body), with page numbers."""
    _, pages, *_ = pdf
    title_page = pages[0]
    assert "Assignment 3: Recurrent Neural Networks" in title_page and "Contents" in title_page
    toc = title_page[title_page.index("Contents"):]
    assert "Appendix C: Provenance" in toc
    # "1.4 Experiment: a simple RNN for IMDB sentiment . . . 7": a page number follows each entry
    for title in ("1.1 RNNs vs feedforward networks", "2.3 Experiment: an LSTM for Reuters newswire topics"):
        m = re.search(re.escape(title) + r"[ .]*?(\d+)", toc)
        assert m, title
        target = int(m.group(1))
        assert title.split(" ", 1)[1] in pages[target - 1]


def test_running_header_and_page_x_of_y(pdf):
    reader, pages, *_ = pdf
    n = len(reader.pages)
    assert f"page 2 of {n}" in pages[1]
    assert f"page {n} of {n}" in pages[-1]
    assert "page 1 of" not in pages[0]  # no header or footer on the title page


def test_figure_captions_numbered_like_the_site(pdf):
    _, pages, output, _ = pdf
    text = " ".join(pages)
    numbers = sorted({int(n) for n in re.findall(r"Figure (\d+): [A-Z]", text)})
    assert numbers == list(range(1, len(output.figures) + 1))
    tables = sorted({int(n) for n in re.findall(r"Table (\d+): [A-Z]", text)})
    assert tables == list(range(1, 8))


def test_numbers_as_in_the_prose(pdf):
    _, pages, _, all_results = pdf
    text = " ".join(pages)
    imdb, reuters = all_results["imdb_simplernn"], all_results["reuters_lstm"]
    assert f"Accuracy is {fmt.metric(imdb.test.accuracy)}" in text
    assert f"Accuracy is {fmt.metric(reuters.test.accuracy)}" in text
    assert fmt.metric(reuters.test.macro_f1) in text and fmt.metric(reuters.test.weighted_f1) in text
    # every topic of the long table, whichever page it landed on
    for name in reuters.data.class_names:
        assert name in text


def test_bookmarks_from_headings(pdf):
    reader, *_ = pdf

    def titles(outline):
        for item in outline:
            if isinstance(item, list):
                yield from titles(item)
            else:
                yield item.title

    marks = list(titles(reader.outline))
    assert "Contents" in marks
    assert any(m.startswith("1.4") and "IMDB" in m for m in marks)
    assert any(m.startswith("2.3") and "Reuters" in m for m in marks)


def test_figures_are_vectors(pdf):
    reader, pages, *_ = pdf
    text = " ".join(pages)
    # the SVGs' text stays text: axis labels are searchable in the PDF
    for label in ("Predicted class", "False positive rate", "Epoch"):
        assert label in text
    # the only rasters are colour-bar gradients, a few pixels wide
    for page in reader.pages:
        for image in page.images:
            assert min(image.image.size) <= 32, image.name


def test_fetcher_serves_only_local_files(tmp_path):
    inside = tmp_path / "site" / "figures" / "a.svg"
    inside.parent.mkdir(parents=True)
    inside.write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    outside = tmp_path / "secret.txt"
    outside.write_text("no", encoding="utf-8")
    fetch = local_fetcher(tmp_path / "site", tmp_path / "templates")
    assert fetch.fetch(inside.as_uri()).read().startswith(b"<svg")
    assert fetch.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    for url in ("http://example.com/x.png", "https://fonts.googleapis.com/css", "ftp://example.com/f",
                outside.as_uri(), (tmp_path / "site" / ".." / "secret.txt").as_uri(), "file://evil.example/etc/passwd"):
        with pytest.raises(FetchRefused):
            fetch.fetch(url)


def test_network_reference_in_template_fails_the_pdf(tmp_path, render_seed):
    import click

    from report.render import build
    from tests.conftest import render_meta, render_paths
    from tests.factories import write_both

    paths = render_paths(tmp_path, render_seed)
    write_both(paths.results)
    css = paths.templates / "css" / "print.css"
    css.write_text('@import url("https://example.com/x.css");\n' + css.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(click.ClickException, match="example.com"):
        build(paths, html=False, quiet=True, meta=render_meta())


@pytest.mark.parametrize("variant", ["pdf/ua-1", "pdf/a-3b"])
def test_pdf_variant_from_report_toml(tmp_path, variant, render_seed):
    from report.render import build
    from report.render.meta import load_meta
    from tests.conftest import ONE_SECTION, render_paths
    from tests.factories import write_both

    toml = tmp_path / "report.toml"
    toml.write_text(f'[report]\nauthor = "Ada Student"\npdf_variant = "{variant}"\n' + ONE_SECTION, encoding="utf-8")
    paths = render_paths(tmp_path, render_seed)
    write_both(paths.results)
    build(paths, html=False, quiet=True, meta=load_meta(toml))
    reader = PdfReader(paths.pdf)
    root = reader.trailer["/Root"]
    if variant == "pdf/ua-1":  # tagged: a structure tree screen readers follow
        assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    else:  # the PDF/A identification in the XMP metadata
        assert b"pdfaid:part" in root["/Metadata"].get_object().get_data()
    assert reader.metadata.title == "Assignment 3: Recurrent Neural Networks"
    assert "2.3" in "".join(page_texts(paths.pdf))


def test_unknown_pdf_variant_names_the_file_and_the_choices(tmp_path):
    import click

    from report.render.meta import load_meta

    toml = tmp_path / "report.toml"
    toml.write_text('[report]\npdf_variant = "pdf/z-9"\n', encoding="utf-8")
    with pytest.raises(click.ClickException, match=r"report.toml: \[report\] pdf_variant 'pdf/z-9'.*pdf/ua-1"):
        load_meta(toml)
