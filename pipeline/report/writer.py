"""Render ReportContent as index.html (self-contained), report.md and CSV tables.

Every string that came from a document is untrusted (harvested abstracts can hold markup): the
HTML goes through Jinja2 with autoescape on, the Markdown escapes HTML and table pipes, and CSV
cells that a spreadsheet would run as a formula are defused.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from pipeline.report.content import ReportContent
from pipeline.report.i18n import STRINGS

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
DOCUMENTS_FILE = "documents.csv"


def mark_terms(sentence: str, terms: tuple[str, ...]) -> Markup:
    """The sentence escaped, with each indicator term wrapped in <mark>."""
    stems = sorted({t.rstrip("*") for t in terms if t.strip("*")}, key=len, reverse=True)
    if not stems:
        return escape(sentence)
    pattern = re.compile(
        # a phrase's words may stand apart by a hyphen or several spaces in the sentence
        r"\b(" + "|".join(r"[\s-]+".join(map(re.escape, s.split())) for s in stems) + r")\w*",
        re.IGNORECASE | re.UNICODE,
    )
    out: list[Markup] = []
    last = 0
    for match in pattern.finditer(sentence):
        out.append(escape(sentence[last : match.start()]))
        out.append(Markup("<mark>") + escape(match.group()) + Markup("</mark>"))
        last = match.end()
    out.append(escape(sentence[last:]))
    return Markup("").join(out)


def _fmt(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{float(value):.3f}"  # type: ignore[arg-type]


def render_html(content: ReportContent) -> str:
    env = Environment(
        loader=PackageLoader("pipeline.report", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
    )
    env.filters["label"] = lambda theme: content.theme_labels.get(theme, theme)
    template = env.get_template("index.html.j2")
    return template.render(
        c=content, c_docs=content.documents, mark=mark_terms, fmt=_fmt, strings=STRINGS
    )


def md_escape(text: object) -> str:
    """Text safe inside Markdown (and inside a Markdown table cell)."""
    value = "" if text is None else str(text)
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("|", "\\|").replace("\n", " ")


def render_markdown(content: ReportContent) -> str:
    lines = [f"# {md_escape(content.title)}", "", f"Run `{content.run_id}`", "", "## Summary", ""]
    lines += [f"- {md_escape(s)}" for s in content.summary]
    lines += ["", "## The cited works compared with the case", ""]
    lines += [f"- {md_escape(t)}" for t in content.explanations.values()]
    lines += [
        "",
        "| Rank | Work | Year | TF-IDF cosine | Topic distance | Theme overlap | Combined "
        "| Tied with |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for w in content.works:
        x = w.comparison
        if not x.ranked:
            continue
        rank = x.rank_range + (" (tied)" if x.tied_with else "")
        lines.append(
            f"| {rank} | {md_escape(x.key)} | {x.year or ''} | {x.tfidf_cosine:.3f} | "
            f"{x.topic_hellinger:.3f} ({x.topic_hellinger_low:.2f}-{x.topic_hellinger_high:.2f})"
            f" | {x.theme_jaccard:.3f} | {x.combined:.3f} ({x.combined_low:.2f}-"
            f"{x.combined_high:.2f}) | {md_escape(', '.join(x.tied_with))} |"
        )
    titled = [w.comparison for w in content.works if w.comparison.title_only]
    if titled:
        lines += [
            "",
            "### Works known only by their title",
            "",
            "Not ranked with the works above: a title is too short for a topic distance, so "
            "these works are compared on shared words and coded themes only.",
            "",
            "| Work | Year | TF-IDF cosine | Theme overlap |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {md_escape(x.key)} | {x.year or ''} | {x.tfidf_cosine:.3f} | "
            f"{x.theme_jaccard:.3f} |"
            for x in titled
        ]
    lines += ["", "## Each cited work", ""]
    for w in content.works:
        d = w.document
        lines += [
            f"### {md_escape(w.comparison.key)}: {md_escape(d.title)}",
            "",
            f"{md_escape(', '.join(d.authors))} ({d.year}). {md_escape(d.venue)}",
            "",
            md_escape(w.reading),
            "",
        ]
        for theme, sentence, _terms in w.evidence:
            lines.append(f"- *{md_escape(theme)}*: {md_escape(sentence)}")
        lines.append("")
    lines += _cited_in_corpus_lines(content.tables["cited_in_corpus"])
    lines += [
        "## Topics",
        "",
        "| Topic | Label (by relevance) | Share in the corpus | Share in the case |",
        "|---|---|---|---|",
    ]
    for row in content.tables["topics"].itertuples():
        lines.append(
            f"| {row.topic} | {md_escape(row.label)} | {row.share_in_corpus:.3f} "
            f"| {row.share_in_case:.3f} |"
        )
    if content.topic_changes:
        lines += ["", "### Since the last run", ""]
        lines += [f"- {md_escape(s)}" for s in content.topic_changes]
    lines += ["", "## Methods and limits", ""]
    lines += [f"- {md_escape(s)}" for s in content.limits]
    return "\n".join(lines) + "\n"


def _cited_in_corpus_lines(table: pd.DataFrame) -> list[str]:
    """The section on which cited works the corpus holds: the count, the rule, the table."""
    english = STRINGS["cited_count"][0].format(found=int(table["found"].sum()), total=len(table))
    lines = [f"## {STRINGS['cited_found'][0]}", "", english, "", STRINGS["cited_rule"][0], ""]
    lines += ["| Work | Title | Found as | Confidence | Why |", "|---|---|---|---|---|"]
    for row in table.itertuples():
        found = f"{row.found_as} ({row.found_in})" if row.found else "not found"
        lines.append(
            f"| {md_escape(row.key)} | {md_escape(row.title)} | {md_escape(found)} | "
            f"{row.confidence:.2f} | {md_escape(row.reason)} |"
        )
    return [*lines, ""]


def _defuse(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_tables(tables: dict[str, pd.DataFrame], folder: Path) -> None:
    for name, table in tables.items():
        safe = table.copy()
        for column in safe.columns:
            if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
                safe[column] = safe[column].map(_defuse)
        safe.to_csv(folder / f"{name}.csv", index=False)


def write_rows(path: Path, columns: list[str], rows: Iterable[dict[str, object]]) -> int:
    """Stream ``rows`` into a CSV, one at a time (formula-like cells defused); returns the count."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: _defuse(value) for key, value in row.items()})
            count += 1
    return count


def write_report(content: ReportContent, folder: Path) -> None:
    """Write all report files into ``folder`` (the caller makes the folder appear atomically)."""
    (folder / "index.html").write_text(render_html(content), encoding="utf-8")
    (folder / "report.md").write_text(render_markdown(content), encoding="utf-8")
    write_tables(content.tables, folder)
    if content.document_rows is not None:
        write_rows(folder / DOCUMENTS_FILE, content.document_columns, content.document_rows())
