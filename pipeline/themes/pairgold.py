"""Hand-coded actor-role pairs (corpus/labels/pairs_gold.csv) and how well the text's pairs match.

The file is keyed like gold.csv, by document id and the sha256 of the text the coder read, never
the text: a pair coding is valid only for that text. ``pairs`` holds ``actor>role`` items
separated by spaces ("actor.ngo>role.implementer actor.regional_government>role.funder"); empty
means the coder found no actor named in a role. The rules are in corpus/labels/GUIDE.md, "Pairs".

Run ``python -m pipeline.themes.pairgold score`` for precision, recall and F1 of the lexicon's
pairs against the hand codings (registry works always; SINTA documents when ../shared is there),
``... sample N`` to print N more SINTA documents to code (ids and texts on the terminal only).
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline.documents import Document
from pipeline.themes.codebook import Codebook, load_codebook
from pipeline.themes.lexicon import LexiconCoder
from pipeline.themes.pairs import agreement, f1
from pipeline.themes.texts import REPO, all_documents, registry_documents, text_hash

PAIRS_GOLD = REPO / "corpus" / "labels" / "pairs_gold.csv"
COLUMNS = ["id", "source", "key", "text_sha256", "pairs", "coder", "note"]
# Codings made after the pair cues were last changed, to measure them on texts they were not
# tuned on: their note starts with this.
HELD_OUT = "held-out"


class PairGoldError(ValueError):
    """A row of the pair codings is unusable; the message names the row and the reason."""


@dataclass(frozen=True)
class PairLabel:
    id: str
    source: str
    key: str
    text_sha256: str
    pairs: frozenset[tuple[str, str]]
    coder: str = ""
    note: str = ""


def read_pair_gold(
    path: Path = PAIRS_GOLD, codebook: Codebook | None = None
) -> dict[str, PairLabel]:
    """The pair codings by document id; unknown actors or roles stop with the row named."""
    families = {t.id: t.family for t in codebook.themes} if codebook else None
    out: dict[str, PairLabel] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            pairs = set()
            for item in (row.get("pairs") or "").split():
                actor, sep, role = item.partition(">")
                bad = not sep or (
                    families is not None
                    and (families.get(actor) != "actor" or families.get(role) != "role")
                )
                if bad:
                    raise PairGoldError(f"{path}:{line}: {item!r} is not an actor>role pair")
                pairs.add((actor, role))
            doc_id = row["id"].strip()
            if doc_id in out:
                raise PairGoldError(f"{path}:{line}: document {doc_id} is coded twice")
            out[doc_id] = PairLabel(
                doc_id,
                row.get("source", ""),
                row.get("key", ""),
                row.get("text_sha256", ""),
                frozenset(pairs),
                row.get("coder", ""),
                row.get("note", ""),
            )
    return out


@dataclass
class PairScore:
    documents: int
    tp: int
    fp: int
    fn: int
    misses: list[tuple[str, str, set, set]]  # (id, key, found not coded, coded not found)
    stale: list[str]  # ids whose text changed since they were coded

    @property
    def figures(self) -> tuple[float, float, float]:
        return f1(self.tp, self.fp, self.fn)


def score(
    gold: Mapping[str, PairLabel], docs: Mapping[str, Document], coder: LexiconCoder
) -> PairScore:
    """Micro precision/recall of the lexicon's pairs against the hand codings present in ``docs``
    (a coding whose text changed is left out and listed)."""
    result = PairScore(0, 0, 0, 0, [], [])
    for doc_id, label in gold.items():
        doc = docs.get(doc_id)
        if doc is None:
            continue
        if text_hash(doc) != label.text_sha256:
            result.stale.append(doc_id)
            continue
        found = {p.key for p in coder.code(doc).pairs}
        tp, fp, fn = agreement(found, set(label.pairs))
        result.documents += 1
        result.tp, result.fp, result.fn = result.tp + tp, result.fp + fp, result.fn + fn
        if fp or fn:
            result.misses.append((doc_id, label.key, found - label.pairs, label.pairs - found))
    return result


def _print_score(name: str, result: PairScore) -> None:
    precision, recall, score_f1 = result.figures
    print(
        f"{name}: {result.documents} documents, {result.tp + result.fn} hand-coded pairs: "
        f"precision {precision:.3f}, recall {recall:.3f}, F1 {score_f1:.3f} "
        f"(tp {result.tp}, fp {result.fp}, fn {result.fn})"
    )
    for doc_id, key, extra, missing in result.misses:
        print(f"  {key or doc_id}: text only {sorted(extra)}; hand only {sorted(missing)}")
    if result.stale:
        print(f"  {len(result.stale)} codings skipped: their text changed ({result.stale[:5]})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m pipeline.themes.pairgold")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("score", help="precision/recall of the text's pairs against pairs_gold.csv")
    sample = sub.add_parser("sample", help="print SINTA documents naming an actor and a role")
    sample.add_argument("n", type=int)
    sample.add_argument("--seed", type=int, default=15)
    args = parser.parse_args(argv)
    codebook = load_codebook(REPO / "corpus" / "codebook.toml")
    coder = LexiconCoder(codebook)
    gold = read_pair_gold(PAIRS_GOLD, codebook)
    if args.command == "score":
        registry = {d.id: d for d in registry_documents()}
        _print_score("registry", score(gold, registry, coder))
        try:
            docs = all_documents()
        except OSError as exc:
            print(f"SINTA documents not scored: {exc}")
            return
        sinta = {i: d for i, d in docs.items() if i not in registry}
        development = {i: g for i, g in gold.items() if not g.note.startswith(HELD_OUT)}
        held_out = {i: g for i, g in gold.items() if g.note.startswith(HELD_OUT)}
        _print_score("SINTA, development", score(development, sinta, coder))
        _print_score("SINTA, held out", score(held_out, sinta, coder))
        _print_score("all", score(gold, docs, coder))
        return
    docs = all_documents()
    candidates = []
    for doc in docs.values():
        if doc.source == "registry" or doc.id in gold or doc.title_only:
            continue
        coding = coder.code(doc)
        families = {codebook.theme(t).family for t in coding.hits}
        if {"actor", "role"} <= families:
            candidates.append(doc)
    random.Random(args.seed).shuffle(candidates)
    for doc in candidates[: args.n]:
        print(f"=== {doc.id} {text_hash(doc)}\n{doc.text}\n")


if __name__ == "__main__":
    main()
