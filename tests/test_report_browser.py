"""The report and the topic explorer in a real browser: offline, no console error, escaped text.

The static tests of test_report.py read the HTML; these load it in headless Chromium (see
tests/browser.py), so they also catch what only a browser shows: a request the page makes, a
script error, markup that the parser builds out of a hostile abstract.
"""

from __future__ import annotations

import csv
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.analysis import Analysis
from pipeline.report.explorer import view_from_matrices, write_explorer
from tests.browser import Browser, Page, find_chromium
from tests.reporting import write_hostile_report

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
HOSTILE_WORD = "</script><script>alert(1)</script>"
# Runs before any script of the page: counts alert/confirm/prompt instead of showing a dialog.
COUNT_DIALOGS = """
window.__dialogs = 0;
window.alert = window.confirm = window.prompt = function () { window.__dialogs += 1; };
"""


@pytest.fixture(scope="module")
def analysed(tmp_path_factory) -> tuple[Path, Analysis]:
    """A report written by the real pipeline, with a hostile cited work (as in test_report)."""
    root = tmp_path_factory.mktemp("project")
    return write_hostile_report(root, f"{SCRIPT} {IMG}", "Pemerintah desa bermitra dengan LSM.", [])


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    chromium = find_chromium()
    instance = Browser(chromium)
    try:
        yield instance
    finally:
        instance.close()


@pytest.fixture(scope="module")
def report_page(analysed, browser) -> Page:
    folder, _ = analysed
    return browser.open(folder / "index.html", before_load=COUNT_DIALOGS)


@pytest.fixture(scope="module")
def explorer_page(analysed, browser, tmp_path_factory) -> Page:
    _, analysis = analysed
    topics = analysis.topics
    view = view_from_matrices(
        topics.model.topic_word(), topics.doc_topics, topics.dictionary, analysis.tokens
    )
    # The corpus's most frequent word gets the hostile surface form, so some topic lists it.
    hostile_stem = view.vocab[int(view.term_frequency.argmax())]
    path = write_explorer(
        tmp_path_factory.mktemp("explorer") / "explorer.html",
        view,
        lambda stem: HOSTILE_WORD if stem == hostile_stem else stem,
        topic_names=topics.ids or None,
        doc_labels=[d.key for d in analysis.documents],
    )
    return browser.open(path, before_load=COUNT_DIALOGS)


def only_the_file_itself(page: Page) -> list[str]:
    return [url for url in page.log.requests if url != page.url and not url.startswith("data:")]


def set_lambda(page: Page, value: float) -> None:
    """Move the relevance slider as a user would (an input event), to ``value``."""
    page.evaluate(
        "(() => { const s = document.getElementById('lambda');"
        f" s.value = '{value:.2f}'; s.dispatchEvent(new Event('input')); }})()"
    )


def listed_words(page: Page) -> list[str]:
    return page.evaluate(
        "Array.from(document.querySelectorAll('#terms .word')).map(e => e.textContent)"
    )


class TestReport:
    def test_no_request_leaves_the_file(self, report_page):
        assert report_page.url in report_page.log.requests
        assert only_the_file_itself(report_page) == []

    def test_console_shows_no_error(self, report_page):
        report_page.collect()
        assert report_page.log.errors == []

    def test_all_fifteen_cited_works_are_shown(self, report_page, analysed):
        folder, _ = analysed
        with (folder / "similarity.csv").open(encoding="utf-8") as handle:
            keys = [row["key"] for row in csv.DictReader(handle)]
        assert len(keys) == 15
        assert report_page.evaluate("document.querySelectorAll('[id^=\"work-\"]').length") == 15
        shown = report_page.evaluate(
            "Array.from(document.querySelectorAll('[id^=\"work-\"]')).map(e => [e.id, e.innerText])"
        )
        texts = dict(shown)
        for key in keys:
            assert key in texts[f"work-{key}"]

    def test_hostile_abstract_is_shown_as_text(self, report_page):
        body = report_page.evaluate("document.body.innerText")
        assert SCRIPT in body
        assert "<img src=x onerror=alert(1)>" in body
        assert report_page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
        sources = report_page.evaluate("Array.from(document.images).map(i => i.src.slice(0, 5))")
        assert sources and set(sources) == {"data:"}
        assert report_page.evaluate("document.scripts.length") == 0
        assert report_page.evaluate("window.__dialogs") == 0
        assert report_page.log.dialogs == []

    def test_screenshot_is_a_png_of_the_page(self, report_page, tmp_path):
        png = report_page.screenshot(tmp_path / "report.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk comes first
        assert width >= 800 and height >= 2000  # a long page, captured beyond the viewport
        assert len(png) > 50_000


class TestExplorer:
    def test_no_request_and_no_error(self, explorer_page):
        explorer_page.collect()
        assert only_the_file_itself(explorer_page) == []
        assert explorer_page.log.errors == []

    def test_topics_drawn_and_words_listed(self, explorer_page, analysed):
        _, analysis = analysed
        k = analysis.topics.k
        assert explorer_page.evaluate("document.querySelectorAll('#map circle').length") == k
        assert explorer_page.evaluate("document.querySelectorAll('#terms .row').length") > 0
        explorer_page.evaluate("document.getElementById('next').click()")
        heading = explorer_page.evaluate("document.getElementById('terms-title').textContent")
        first = (analysis.topics.ids or ["T1"])[0]
        assert heading.startswith("Top ") and f" of {first}" in heading
        docs = explorer_page.evaluate("document.querySelectorAll('#docs li').length")
        assert docs == min(10, len(analysis.documents))

    def test_slider_changes_the_ranking_for_the_selected_topic(self, explorer_page):
        """For a selected topic whose most frequent and most specific words differ (with two
        topics on 16 works, one topic's two lists can coincide), the slider reorders the list."""
        changed = []
        for _ in range(explorer_page.evaluate("document.querySelectorAll('#map circle').length")):
            set_lambda(explorer_page, 1.0)
            frequent = listed_words(explorer_page)
            set_lambda(explorer_page, 0.0)
            specific = listed_words(explorer_page)
            assert frequent and specific
            changed.append(frequent != specific)
            explorer_page.evaluate("document.getElementById('next').click()")
        assert any(changed)
        explorer_page.collect()
        assert explorer_page.log.errors == []

    def test_hostile_word_stays_a_word(self, explorer_page):
        explorer_page.evaluate("document.getElementById('clear').click()")
        set_lambda(explorer_page, 1.0)
        for _ in range(explorer_page.evaluate("document.querySelectorAll('#map circle').length")):
            explorer_page.evaluate("document.getElementById('next').click()")
            if HOSTILE_WORD in listed_words(explorer_page):
                break
        else:
            pytest.fail("the hostile word was never listed")
        assert explorer_page.evaluate("document.scripts.length") == 2  # data + code, nothing more
        assert explorer_page.evaluate("window.__dialogs") == 0


class TestHarnessSeesProblems:
    """The checks above could pass vacuously if the harness saw nothing; here it must see all."""

    def test_requests_errors_exceptions_and_dialogs_are_logged(self, browser, tmp_path):
        page_file = tmp_path / "bad.html"
        page_file.write_text(
            "<!DOCTYPE html><title>bad</title>"
            '<img src="http://127.0.0.1:9/pixel.png">'  # port 9 (discard): refused at once
            "<script>console.error('boom'); alert('hi'); undefinedFunction();</script>",
            encoding="utf-8",
        )
        page = browser.open(page_file, before_load=COUNT_DIALOGS)
        page.collect()
        assert only_the_file_itself(page) == ["http://127.0.0.1:9/pixel.png"]
        assert any("console.error: boom" in e for e in page.log.errors)
        assert any("undefinedFunction" in e for e in page.log.errors)
        assert page.evaluate("window.__dialogs") == 1
