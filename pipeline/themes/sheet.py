"""Active labelling: rank uncoded documents by the classifier's doubt, write a coding sheet a
researcher fills in, import it back after checking every row.

Why uncertainty first: a document whose theme probabilities all sit near 0 or 1 teaches the
classifier little; one near 0.5 on several themes is where a human decision moves the model most.
Why check everything before writing: a sheet is filled by hand over days, while the corpus may
be re-harvested; a typo in a theme id or an abstract that changed since the sheet was written
must stop the import with the row named, never half-merge it. The merge itself is one atomic
write of ``researcher.csv`` (see labels.py), so the next run learns from all rows or from none.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.documents import Document
from pipeline.themes.codebook import Codebook
from pipeline.themes.labels import Label, atomic_write, label_for, read_labels, write_labels
from pipeline.themes.texts import text_hash

PROBABILITY_PREFIX = "p:"
NONE_CODE = "-"
SNIPPET_CHARS = 400


class SheetError(ValueError):
    """A coding sheet cannot be imported; the message lists every bad row by its line number."""


def uncertainty(probabilities: np.ndarray) -> np.ndarray:
    """Per document, the mean over themes of |p - 0.5|: small means the model is unsure."""
    return np.abs(np.asarray(probabilities) - 0.5).mean(axis=1)


def rank_uncertain(
    doc_ids: Sequence[str],
    probabilities: np.ndarray,
    exclude: set[str] | frozenset[str] = frozenset(),
    limit: int | None = None,
) -> list[tuple[str, float]]:
    """(document id, uncertainty score) of the not-yet-coded documents, most uncertain first."""
    scores = uncertainty(probabilities)
    order = sorted(
        (i for i, d in enumerate(doc_ids) if d not in exclude),
        key=lambda i: (scores[i], doc_ids[i]),
    )
    ranked = [(doc_ids[i], float(scores[i])) for i in order]
    return ranked[:limit] if limit is not None else ranked


def _snippet(doc: Document, chars: int) -> str:
    text = " ".join(doc.abstract.split()) or " ".join(doc.text.split())
    return text if len(text) <= chars else text[: chars - 1].rsplit(" ", 1)[0] + "…"


def write_sheet(
    path: Path,
    docs: Sequence[Document],
    probabilities: np.ndarray,
    themes: Sequence[str],
    snippet_chars: int = SNIPPET_CHARS,
) -> None:
    """One row per document with a probability hint per theme and an empty decision column."""
    header = ["id", "text_sha256", "title", "snippet"]
    header += [f"{PROBABILITY_PREFIX}{t}" for t in themes] + ["codes", "note"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for doc, row in zip(docs, np.asarray(probabilities), strict=True):
        hints = [f"{p:.2f}" for p in row]
        writer.writerow(
            [doc.id, text_hash(doc), doc.title, _snippet(doc, snippet_chars), *hints, "", ""]
        )
    atomic_write(path, buffer.getvalue())


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    skipped: int  # rows left with an empty decision
    labels_path: Path


def read_sheet(
    path: Path, docs: Mapping[str, Document], codebook: Codebook, coder: str = "researcher"
) -> tuple[list[Label], int]:
    """The sheet's decided rows as labels, and the number of undecided rows; SheetError lists
    every problem (unknown id, changed text, unknown theme) with its line number."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SheetError(f"{path}: cannot read the sheet: {exc}") from exc
    reader = csv.DictReader(io.StringIO(text))
    missing = {"id", "text_sha256", "codes"} - set(reader.fieldnames or ())
    if missing:
        raise SheetError(
            f"{path}: not a coding sheet: missing column(s) {', '.join(sorted(missing))}"
        )
    known = set(codebook.ids)
    labels: list[Label] = []
    problems: list[str] = []
    skipped = 0
    seen: set[str] = set()
    for row in reader:
        line = reader.line_num
        doc_id = (row.get("id") or "").strip()
        decision = (row.get("codes") or "").strip()
        if not decision:
            skipped += 1
            continue
        doc = docs.get(doc_id)
        if doc is None:
            problems.append(f"line {line}: id {doc_id!r} is not in the corpus")
            continue
        if doc_id in seen:
            problems.append(f"line {line}: id {doc_id} is coded twice in this sheet")
            continue
        seen.add(doc_id)
        if (row.get("text_sha256") or "").strip() != text_hash(doc):
            problems.append(
                f"line {line}: the text of {doc_id} ({doc.title[:60]!r}) changed since the sheet "
                "was written; write a new sheet for it"
            )
            continue
        codes = set() if decision == NONE_CODE else set(decision.replace(",", " ").split())
        unknown = sorted(codes - known)
        if unknown:
            problems.append(
                f"line {line}: unknown theme(s) {', '.join(unknown)} for {doc_id}; "
                "theme ids are listed in corpus/codebook.toml"
            )
            continue
        labels.append(label_for(doc, codes, coder=coder, note=(row.get("note") or "").strip()))
    if problems:
        raise SheetError(
            f"{path}: {len(problems)} problem(s), nothing imported:\n  " + "\n  ".join(problems)
        )
    return labels, skipped


def import_sheet(
    path: Path,
    docs: Mapping[str, Document],
    codebook: Codebook,
    labels_path: Path,
    coder: str = "researcher",
) -> ImportResult:
    """Validate the whole sheet, then merge its decisions into ``labels_path`` atomically."""
    labels, skipped = read_sheet(path, docs, codebook, coder)
    existing = read_labels(labels_path)
    updated = sum(label.id in existing for label in labels)
    merged = {**existing, **{label.id: label for label in labels}}
    write_labels(labels_path, merged.values())
    return ImportResult(len(labels) - updated, updated, skipped, labels_path)
