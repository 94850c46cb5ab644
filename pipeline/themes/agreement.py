"""Inter-coder agreement on the gold codings: the second coder's sample, Cohen's kappa, resolutions.

Why per-theme binary kappa averaged per family: a document may carry several themes, so
agreement is a yes/no question per theme; averaging within a family (dimensions, actors, ...)
gives the number a methods section reports, and the per-theme values show where the codebook's
definitions need work. Themes neither coder used in the sample have no defined kappa and are
left out of the averages (said as such), not counted as perfect.

Command line (paths default to the repository's corpus/labels and ../shared/data):

    python -m pipeline.themes.agreement make-sample     # write sample_for_second_coder.txt
    python -m pipeline.themes.agreement sheet           # blank second_coder.csv to fill in
    python -m pipeline.themes.agreement show-sample     # print the sample's texts for the coder
    python -m pipeline.themes.agreement kappa           # kappa per family + disagreements.csv
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import cohen_kappa_score

from pipeline.themes.codebook import Codebook, load_codebook
from pipeline.themes.labels import Label, LabelsError, atomic_write, read_labels, write_labels

REPO = Path(__file__).resolve().parents[2]
LABELS = REPO / "corpus" / "labels"
SAMPLE_SIZE = 60
SAMPLE_SEED = 20261106
UNCODED = "?"


def binary_kappa(a: Sequence[bool] | np.ndarray, b: Sequence[bool] | np.ndarray) -> float | None:
    """Cohen's kappa of two yes/no codings: 1.0 where both gave the same single answer throughout
    (sklearn would return nan), None for no documents."""
    a, b = np.asarray(a, dtype=bool), np.asarray(b, dtype=bool)
    if len(a) == 0:
        return None
    if (a == b).all() and len(set(a.tolist())) == 1:
        return 1.0
    value = cohen_kappa_score(a, b)
    return None if np.isnan(value) else float(value)


@dataclass(frozen=True)
class Agreement:
    documents: int
    theme_kappa: Mapping[str, float | None]
    family_kappa: Mapping[str, float | None]
    disagreements: tuple[tuple[str, str, bool, bool], ...]  # id, theme, first, second
    percent_agreement: float


def compare(
    first: Mapping[str, Label], second: Mapping[str, Label], codebook: Codebook
) -> Agreement:
    """Agreement on the documents both coders coded (second-coder rows left as '?' are skipped)."""
    ids = sorted(i for i in second if i in first and UNCODED not in second[i].codes)
    theme_kappa: dict[str, float | None] = {}
    disagreements = []
    agree = total = 0
    for theme in codebook.ids:
        a = [theme in first[i].codes for i in ids]
        b = [theme in second[i].codes for i in ids]
        used = any(a) or any(b)
        theme_kappa[theme] = binary_kappa(a, b) if used else None
        for doc_id, x, y in zip(ids, a, b, strict=True):
            total += 1
            agree += x == y
            if x != y:
                disagreements.append((doc_id, theme, x, y))
    family_kappa: dict[str, float | None] = {}
    for family in codebook.families:
        values = [theme_kappa[t.id] for t in codebook.family(family)]
        defined = [v for v in values if v is not None]
        family_kappa[family] = float(np.mean(defined)) if defined else None
    return Agreement(
        documents=len(ids),
        theme_kappa=theme_kappa,
        family_kappa=family_kappa,
        disagreements=tuple(disagreements),
        percent_agreement=agree / total if total else 0.0,
    )


def draw_sample(
    gold: Mapping[str, Label], n: int = SAMPLE_SIZE, seed: int = SAMPLE_SEED
) -> list[str]:
    """A fixed-seed random draw stratified by each document's rarest code.

    Rare themes would rarely appear in a simple random sample of 60, leaving their kappa
    undefined; stratifying on the rarest code a document carries (documents without codes form
    their own stratum) gives each theme used in the gold set a share, at least one document.
    """
    frequency = Counter(code for label in gold.values() for code in label.codes)
    strata: dict[str, list[str]] = {}
    for doc_id in sorted(gold):
        codes = gold[doc_id].codes
        key = min(codes, key=lambda c: (frequency[c], c)) if codes else "(none)"
        strata.setdefault(key, []).append(doc_id)
    rng = random.Random(seed)
    total = len(gold)
    picked: dict[str, list[str]] = {}
    for key in sorted(strata, key=lambda k: (len(strata[k]), k)):
        members = strata[key]
        take = max(1, round(n * len(members) / total))
        picked[key] = rng.sample(members, min(take, len(members)))
    while (
        sum(map(len, picked.values())) > n
    ):  # rounding up small strata overshoots: trim the largest
        largest = max(picked, key=lambda k: (len(picked[k]), k))
        picked[largest].pop(rng.randrange(len(picked[largest])))
    chosen = [d for members in picked.values() for d in members]
    rest = sorted(set(gold) - set(chosen))
    while len(chosen) < min(n, len(gold)):
        chosen.append(rest.pop(rng.randrange(len(rest))))
    return sorted(chosen)


def read_sample(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.split()[0] for line in lines if line.strip() and not line.startswith("#")]


def read_resolutions(path: Path, codebook: Codebook) -> list[tuple[str, str, bool, str]]:
    """(id, theme, decision, reason) rows; decision 1/0 (or yes/no). Errors name the line."""
    if not path.exists():
        return []
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    rows = []
    for row in reader:
        line = reader.line_num
        theme = (row.get("theme") or "").strip()
        if theme not in codebook.ids:
            raise LabelsError(f"{path}: line {line}: unknown theme {theme!r}")
        decision = (row.get("decision") or "").strip().lower()
        if decision not in {"1", "0", "yes", "no"}:
            raise LabelsError(f"{path}: line {line}: decision must be 1 or 0, not {decision!r}")
        rows.append(((row.get("id") or "").strip(), theme, decision in {"1", "yes"}, row["reason"]))
    return rows


def apply_resolutions(
    gold: Mapping[str, Label], resolutions: Sequence[tuple[str, str, bool, str]]
) -> dict[str, Label]:
    """The gold codings with the resolved decisions applied (the final codings)."""
    out = dict(gold)
    for doc_id, theme, decision, _reason in resolutions:
        label = out.get(doc_id)
        if label is None:
            continue
        codes = label.codes | {theme} if decision else label.codes - {theme}
        out[doc_id] = Label(**{**label.__dict__, "codes": frozenset(codes)})
    return out


# -- command line ---------------------------------------------------------------------------------


def _cmd_make_sample(args: argparse.Namespace) -> int:
    gold = read_labels(args.labels / "gold.csv")
    ids = draw_sample(gold, args.n, args.seed)
    header = (
        f"# {len(ids)} gold documents for the second coder: fixed-seed ({args.seed}) random draw\n"
        "# stratified by each document's rarest code (pipeline.themes.agreement.draw_sample).\n"
    )
    body = "".join(f"{i} {gold[i].source} {gold[i].key}".rstrip() + "\n" for i in ids)
    atomic_write(args.labels / "sample_for_second_coder.txt", header + body)
    print(f"wrote {len(ids)} ids to {args.labels / 'sample_for_second_coder.txt'}")
    return 0


def _cmd_sheet(args: argparse.Namespace) -> int:
    gold = read_labels(args.labels / "gold.csv")
    ids = read_sample(args.labels / "sample_for_second_coder.txt")
    out = args.labels / "second_coder.csv"
    if out.exists() and not args.force:
        print(f"{out} exists; --force to overwrite", file=sys.stderr)
        return 1
    rows = [Label(**{**gold[i].__dict__, "codes": frozenset({UNCODED}), "coder": "B"}) for i in ids]
    write_labels(out, rows)
    print(f"wrote {len(rows)} rows to {out}: replace each '?' in codes with the theme ids")
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    from pipeline.themes.texts import all_documents, text_hash

    docs = all_documents(args.shared)
    for doc_id in read_sample(args.labels / "sample_for_second_coder.txt"):
        doc = docs.get(doc_id)
        if doc is None:
            print(f"=== {doc_id}: NOT FOUND in the shared data\n")
            continue
        print(f"=== {doc_id}  [{doc.source} {doc.key}]  sha256 {text_hash(doc)[:12]}")
        print(f"Journal: {doc.venue}\n")
        print(doc.text.strip() + "\n")
    return 0


def _cmd_kappa(args: argparse.Namespace) -> int:
    codebook = load_codebook(args.codebook)
    first = read_labels(args.labels / "gold.csv")
    second = read_labels(args.labels / "second_coder.csv")
    if not second:
        print(f"no second coder file at {args.labels / 'second_coder.csv'}", file=sys.stderr)
        return 1
    changed = [i for i in second if i in first and second[i].text_sha256 != first[i].text_sha256]
    if changed:
        print(f"warning: {len(changed)} document(s) coded on a different text: {changed[:5]}")
    result = compare(first, second, codebook)
    print(f"documents coded by both: {result.documents}")
    print(f"percent agreement over all (document, theme) pairs: {result.percent_agreement:.3f}")
    for family, value in result.family_kappa.items():
        shown = "undefined (no theme of the family used)" if value is None else f"{value:.3f}"
        print(f"kappa {family:14s} {shown}")
    for theme, value in result.theme_kappa.items():
        print(f"  {theme:36s} {'-' if value is None else f'{value:.3f}'}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "theme", "first_coder", "second_coder"])
    for doc_id, theme, a, b in result.disagreements:
        writer.writerow([doc_id, theme, int(a), int(b)])
    atomic_write(args.labels / "disagreements.csv", buffer.getvalue())
    print(
        f"{len(result.disagreements)} disagreements written to {args.labels / 'disagreements.csv'}"
    )
    print("resolve them in resolutions.csv (id, theme, decision 1/0, reason)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.themes.agreement")
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--codebook", type=Path, default=REPO / "corpus" / "codebook.toml")
    parser.add_argument("--shared", type=Path, default=None, help="../shared/data by default")
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("make-sample", help="draw the second coder's sample")
    make.add_argument("--n", type=int, default=SAMPLE_SIZE)
    make.add_argument("--seed", type=int, default=SAMPLE_SEED)
    sheet = sub.add_parser("sheet", help="write a blank second_coder.csv for the sample")
    sheet.add_argument("--force", action="store_true")
    sub.add_parser("show-sample", help="print the sample's texts (from ../shared) by id")
    sub.add_parser("kappa", help="kappa per family; writes disagreements.csv")
    args = parser.parse_args(argv)
    handlers = {
        "make-sample": _cmd_make_sample,
        "sheet": _cmd_sheet,
        "show-sample": _cmd_show,
        "kappa": _cmd_kappa,
    }
    return handlers[args.command](args)


if __name__ == "__main__":
    raise SystemExit(main())
