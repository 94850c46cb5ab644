"""Gold codings: which themes a human coder gave a document, keyed by identity and text hash.

Why this shape: the coded texts are third-party abstracts, so a labels file holds no text at all,
only the document's id (``Document.id``: a hash of source and identifier), its source, the registry
key where there is one, and the sha256 of the exact text the coder read (``texts.text_hash``). A
changed text then voids its coding instead of silently training on a label for other words. One
row per coded document; ``codes`` lists its theme ids separated by spaces (an empty ``codes`` is a
real coding: "none of the themes"). Files are plain CSV so a researcher can read a diff of them.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.documents import Document
from pipeline.themes.codebook import Codebook
from pipeline.themes.texts import text_hash

COLUMNS = ("id", "source", "key", "text_sha256", "codes", "coder", "note")


class LabelsError(ValueError):
    """A labels file is unusable; the message names the file, the row and the reason."""


@dataclass(frozen=True)
class Label:
    id: str
    source: str
    text_sha256: str
    codes: frozenset[str]
    key: str = ""
    coder: str = ""
    note: str = ""

    def row(self) -> dict[str, str]:
        return {
            "id": self.id,
            "source": self.source,
            "key": self.key,
            "text_sha256": self.text_sha256,
            "codes": " ".join(sorted(self.codes)),
            "coder": self.coder,
            "note": self.note,
        }


@dataclass
class Check:
    """What validating labels against the texts found: usable labels and one line per problem."""

    valid: dict[str, Label] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def label_for(doc: Document, codes: Iterable[str], coder: str = "", note: str = "") -> Label:
    return Label(
        id=doc.id,
        source=doc.source,
        key=doc.key if doc.source == "registry" else "",
        text_sha256=text_hash(doc),
        codes=frozenset(codes),
        coder=coder,
        note=note,
    )


def read_labels(path: Path) -> dict[str, Label]:
    """Labels by document id; a missing file is an empty set (nothing coded yet)."""
    if not path.exists():
        return {}
    text = path.read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    missing = {"id", "text_sha256", "codes"} - set(reader.fieldnames or ())
    if missing:
        raise LabelsError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    labels: dict[str, Label] = {}
    for row in reader:
        line = reader.line_num
        doc_id = (row.get("id") or "").strip()
        if not doc_id:
            raise LabelsError(f"{path}: line {line}: no id")
        if doc_id in labels:
            raise LabelsError(f"{path}: line {line}: id {doc_id} appears twice")
        labels[doc_id] = Label(
            id=doc_id,
            source=(row.get("source") or "").strip(),
            key=(row.get("key") or "").strip(),
            text_sha256=(row.get("text_sha256") or "").strip(),
            codes=frozenset((row.get("codes") or "").split()),
            coder=(row.get("coder") or "").strip(),
            note=(row.get("note") or "").strip(),
        )
    return labels


def write_labels(path: Path, labels: Iterable[Label]) -> None:
    """Write sorted by id, atomically (temp file + rename): a crash never leaves half a file."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for label in sorted(labels, key=lambda lab: (lab.source != "registry", lab.key, lab.id)):
        writer.writerow(label.row())
    atomic_write(path, buffer.getvalue())


def atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def check_labels(
    labels: Mapping[str, Label], docs: Mapping[str, Document], codebook: Codebook
) -> Check:
    """Keep the labels whose document exists with the same text and whose codes are known."""
    known = set(codebook.ids)
    check = Check()
    for doc_id, label in labels.items():
        doc = docs.get(doc_id)
        if doc is None:
            check.problems.append(f"{doc_id}: no such document in the corpus")
            continue
        if text_hash(doc) != label.text_sha256:
            check.problems.append(f"{doc_id}: the text changed since it was coded; code it again")
            continue
        unknown = sorted(label.codes - known)
        if unknown:
            check.problems.append(f"{doc_id}: unknown theme(s) {', '.join(unknown)}")
            continue
        check.valid[doc_id] = label
    return check


def merge(*layers: Mapping[str, Label]) -> dict[str, Label]:
    """Later layers win per document (researcher codings over the gold file, resolutions last)."""
    merged: dict[str, Label] = {}
    for layer in layers:
        merged.update(layer)
    return merged
