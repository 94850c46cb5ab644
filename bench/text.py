"""Text benchmark: the whole preprocessing of the SINTA abstracts against plain Sastrawi.

The baseline is what a tutorial does: PySastrawi's stemmer called on every token, one by one, no
memo. It is timed in the same run on a random sample of the corpus's tokens and extrapolated per
token to the whole corpus (stemming all of them takes minutes). Against it: our whole
preprocessing (mojibake repair, language segments of every abstract, tokens, stop words,
stemming with protected terms, the thesaurus) of all 3,660 abstracts, from a cold memo. Then peak
memory, and the parallel path on a synthetic corpus (sentences of the real abstracts shuffled
into new documents) with 1 and 2 worker processes. Quality numbers follow (UniMorph lemma
accuracy per configuration, cross-lingual P@1 with and without the thesaurus).

Run: ``python -m bench.text`` (needs ../shared/data; the data is read in place).
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from pipeline.analysis import prepare
from pipeline.documents import Document
from pipeline.text.preprocess import Preprocessor
from pipeline.text.quality import (
    BILINGUAL_FILE,
    bilingual_halves,
    cross_lingual_retrieval,
    lemma_accuracies,
    read_sinta,
    read_unimorph,
)
from pipeline.text.tokens import sentences, words

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
SINTA = SHARED / "sinta-abstracts"
UNIMORPH = SHARED / "unimorph-ind" / "ind"


def _documents(rows: list[tuple[str, str]]) -> list[Document]:
    return [
        Document(source="sinta", identifier=str(i), title=t, abstracts={"und": a})
        for i, (t, a) in enumerate(rows)
    ]


def baseline(tokens: list[str], sample_size: int, seed: int = 0) -> dict[str, Any]:
    """Plain PySastrawi, every token, no memo: seconds per token on a random sample."""
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    plain = StemmerFactory().create_stemmer().delegatedStemmer  # the stemmer without its cache
    sample = random.Random(seed).sample(tokens, min(sample_size, len(tokens)))
    started = time.perf_counter()
    for token in sample:
        plain.stem(token)
    seconds = time.perf_counter() - started
    per_token = seconds / len(sample)
    return {"sample": len(sample), "per_token_s": per_token, "whole_s": per_token * len(tokens)}


def ours(docs: list[Document]) -> dict[str, Any]:
    pre = Preprocessor()
    started = time.perf_counter()
    out = [pre.document_tokens(d) for d in docs]
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "tokens_out": sum(map(len, out)),
        "distinct": pre.stemmer.distinct_words,
        "concepts": sum(t.startswith("c:") for doc in out for t in doc),
    }


def with_cache(docs: list[Document], earlier: list[Document]) -> dict[str, Any]:
    """Our whole preprocessing of ``docs`` when an earlier run over ``earlier`` left its stem
    cache (loading the cache is timed too)."""
    with tempfile.TemporaryDirectory() as folder:
        prepare(earlier, stem_cache=Path(folder))
        pre = Preprocessor()
        started = time.perf_counter()
        preloaded = pre.use_stem_cache(Path(folder))
        out = [pre.document_tokens(d) for d in docs]
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "preloaded": preloaded, "tokens_out": sum(map(len, out))}


def peak_memory(docs: list[Document]) -> float:
    """MB of Python allocations at the peak of a whole (cold) preprocessing run."""
    tracemalloc.start()
    pre = Preprocessor()
    for doc in docs:
        pre.document_tokens(doc)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def synthetic(rows: list[tuple[str, str]], n_docs: int, seed: int = 0) -> list[str]:
    """New abstracts of 6-12 sentences drawn from the real ones: the real vocabulary (Zipf), new
    documents, deterministic."""
    rng = random.Random(seed)
    pool = [s for _, abstract in rows for s in sentences(abstract)]
    return [" ".join(rng.choices(pool, k=rng.randint(6, 12))) for _ in range(n_docs)]


def parallel(texts: list[str], workers: int) -> tuple[float, list[list[str]]]:
    pre = Preprocessor()
    started = time.perf_counter()
    out = list(pre.map_parallel(texts, workers=workers, chunksize=250))
    return time.perf_counter() - started, out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.text", description=__doc__)
    parser.add_argument("--sample", type=int, default=30_000, help="baseline token sample")
    parser.add_argument("--synthetic", type=int, default=30_000, help="documents, parallel part")
    parser.add_argument("--no-quality", action="store_true")
    parser.add_argument("--quality-only", action="store_true", help="lemma and cross-lingual")
    args = parser.parse_args(argv if argv is not None else [])  # bench's runner passes none
    if not SINTA.is_dir():
        print(f"bench.text: needs {SINTA} (the ../shared data beside the project)")
        return 2
    if args.quality_only:
        quality()
        return 0
    rows = read_sinta(SINTA)
    docs = _documents(rows)
    tokens = [w for title, abstract in rows for w in words(f"{title}\n\n{abstract}")]
    print(f"SINTA abstracts: {len(docs)} documents (deduplicated by title), {len(tokens):,} tokens")

    base = baseline(tokens, args.sample)
    ours_r = ours(docs)
    ratio = base["whole_s"] / ours_r["seconds"]
    print(
        f"  plain PySastrawi, every token, no memo: {1 / base['per_token_s']:9,.0f} tokens/s "
        f"(sample of {base['sample']:,}) -> {base['whole_s']:7.1f} s for the corpus (extrapolated)"
    )
    print(
        f"  our whole preprocessing (cold memo):     {len(tokens) / ours_r['seconds']:9,.0f} "
        f"tokens/s -> {ours_r['seconds']:7.1f} s   = {ratio:.1f}x faster (target >= 10x)"
    )
    print(
        f"    {ours_r['distinct']:,} distinct words stemmed, {ours_r['tokens_out']:,} tokens out, "
        f"{ours_r['concepts']:,} of them concepts"
    )
    for label, earlier in (
        ("same corpus again", docs),
        ("refresh, 10% new", docs[: len(docs) * 9 // 10]),
    ):
        warm = with_cache(docs, earlier)
        print(
            f"  with the stem cache of an earlier run ({label}): "
            f"{len(tokens) / warm['seconds']:9,.0f} tokens/s -> {warm['seconds']:7.1f} s   = "
            f"{base['whole_s'] / warm['seconds']:.1f}x faster ({warm['preloaded']:,} stems loaded)"
        )
    print(f"  peak memory: {peak_memory(docs):.1f} MB traced (Python allocations of a whole run)")

    texts = synthetic(rows, args.synthetic)
    n_tokens = sum(1 for t in texts for _ in words(t))
    serial_s, serial_out = parallel(texts, 1)
    two_s, two_out = parallel(texts, 2)
    same = "identical" if serial_out == two_out else "DIFFERENT"
    print(
        f"  parallel path, synthetic corpus of {len(texts):,} documents ({n_tokens:,} tokens; "
        "sentences of the real abstracts reshuffled):"
    )
    print(f"    1 process   {serial_s:7.1f} s  {n_tokens / serial_s:9,.0f} tokens/s")
    print(
        f"    2 workers   {two_s:7.1f} s  {n_tokens / two_s:9,.0f} tokens/s  "
        f"speed-up {serial_s / two_s:.2f}x; output {same} and in input order"
    )
    print(f"  peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB (parent)")

    if not args.no_quality:
        quality()
    return 0


def quality() -> None:
    pairs = read_unimorph(UNIMORPH)
    print(f"UniMorph Indonesian: exact lemma for {len(pairs):,} distinct (lemma, form) pairs")
    for score in lemma_accuracies(pairs):
        print(f"  {score.config:45s} {100 * score.accuracy:6.2f}%  ({score.correct:,})")
    cross_lingual()


def cross_lingual() -> None:
    """Retrieving each bilingual abstract's other half: stems, + thesaurus, + bridge (held out).

    The bridge is learned as a run learns it, from the bilingual abstracts of the whole SINTA
    corpus (halves of 10 words or more), five times, each time without the fifth of the measured
    abstracts that are then the queries."""
    rows = read_sinta(SINTA, [BILINGUAL_FILE])
    halves = bilingual_halves(abstract for _, abstract in rows)
    pool = bilingual_halves((abstract for _, abstract in read_sinta(SINTA)), min_words=10)
    scores = [
        cross_lingual_retrieval(halves, Preprocessor(thesaurus=False), "stems only"),
        cross_lingual_retrieval(halves, Preprocessor(), "+ thesaurus (before the bridge)"),
        cross_lingual_retrieval(halves, Preprocessor(), "+ thesaurus + bridge", bridge_pool=pool),
    ]
    print(
        f"Cross-lingual retrieval over {len(halves)} bilingual abstracts of {BILINGUAL_FILE} "
        f"({2 * len(halves)} halves; bridge learned from {len(pool)} bilingual abstracts of "
        "all three files, 5 folds held out):"
    )
    for score in scores:
        print(f"  {score.name:34s} P@1 {score.p_at_1:.3f}  MRR {score.mrr:.3f}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
