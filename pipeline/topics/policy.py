"""What to fit the topic model on, and whether its topics may be presented as findings.

LDA on a few dozen abstracts returns topics whatever the data: word lists that look like themes
but would change with the seed or one more document. Below ``MIN_DOCUMENTS_FOR_FINDINGS``
documents (the 16 registry works alone, say) we still fit, so the report has something to show,
but mark the result exploratory and say so in a sentence.

When a wider corpus is there (harvested journals, dropped-in files), the model is fitted on it
alone and the case and its cited works are *placed* in that space: their mixtures are inferred by
the fitted model. We exclude them from the fit on purpose. The question the report asks is where
the case stands in the wider literature; topics shaped partly by the case itself would make that
comparison circular, and 16 works would pull little weight on thousands anyway. Inferred mixtures
are also exactly what a later document gets, so the case can be compared with works added later.

On a large corpus (more than ``max_fit_documents`` documents in the wider corpus) the models are
fitted on a seeded random sample of it: the sweep over K, the seeds for stability and the model
itself. Each fit costs time in proportion to the documents it sees, and a run makes eight or nine
of them; LDA's topics, which are word distributions, are already well estimated from ten thousand
abstracts (BENCHMARKS.md, "Scale", measured on a planted-theme corpus). Every document of the
corpus still gets its mixture from the fitted model, as the placed works do, so shares, cards and
neighbours cover the whole corpus; the sentence says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MIN_DOCUMENTS_FOR_FINDINGS = 100
MAX_FIT_DOCUMENTS = 10_000


@dataclass(frozen=True)
class CorpusPolicy:
    fit_indices: list[int]  # documents the models are fitted on (a sample of the corpus's, if any)
    placed_indices: list[int]  # registry works whose mixtures are inferred by that model
    exploratory: bool
    sentence: str
    corpus_indices: list[int]  # the documents the topics describe: shares, cards, neighbours

    @property
    def sampled(self) -> bool:
        return len(self.fit_indices) < len(self.corpus_indices)


def corpus_policy(
    token_lists: Sequence[Sequence[str]],
    placed: Sequence[int] = (),
    min_documents: int = MIN_DOCUMENTS_FOR_FINDINGS,
    max_fit_documents: int | None = None,
    seed: int = 0,
    outside: Sequence[int] = (),
) -> CorpusPolicy:
    """Decide from the documents that have words; ``placed`` = the case and its cited works;
    ``max_fit_documents``: above this many documents in the wider corpus, fit on a random sample
    of that size drawn with ``seed`` (None: never sample); ``outside``: documents outside the
    field (themes/relevance.py), neither fitted on nor described by the topics, when the field
    alone has enough documents (else the whole corpus is used, and the sentence says so)."""
    n = len(token_lists)
    placed_set = set(placed)
    if not placed_set <= set(range(n)):
        raise ValueError(
            f"placed indices {sorted(placed_set - set(range(n)))} out of range 0-{n - 1}"
        )
    if max_fit_documents is not None and max_fit_documents < min_documents:
        raise ValueError(
            f"max_fit_documents ({max_fit_documents}) is below min_documents ({min_documents}): "
            "a sample that small could never give findings"
        )
    wider = [i for i in range(n) if i not in placed_set and token_lists[i]]
    usable = sum(1 for tokens in token_lists if tokens)
    outside_set = set(outside) - placed_set
    field_note = ""
    if outside_set:
        in_field = [i for i in wider if i not in outside_set]
        if len(in_field) >= min_documents:
            field_note = (
                f" Only documents of this field were used: {len(outside_set):,} documents "
                "scored outside it (field relevance) were left out of the fit and of the topic "
                "shares."
            )
            wider = in_field
        else:
            field_note = (
                f" The field alone has {len(in_field)} documents beyond the case and its cited "
                f"works, fewer than {min_documents}, so the {len(outside_set):,} documents "
                "outside it were kept in the fit."
            )
    if len(wider) >= min_documents:
        to_place = sorted(placed_set)
        fit = wider
        if max_fit_documents is not None and len(wider) > max_fit_documents:
            chosen = np.random.default_rng(seed).choice(len(wider), max_fit_documents, False)
            fit = [wider[i] for i in sorted(chosen.tolist())]
        sentence = _sentence(len(fit), len(wider), len(to_place), seed) + field_note
        return CorpusPolicy(fit, to_place, False, sentence, wider)
    fit = [i for i in range(n) if token_lists[i]]
    beyond = f" ({len(wider)} beyond the case and its cited works)" if placed_set else ""
    sentence = (
        f"Only {usable} documents with text{beyond}: too few for topic modelling to mean much "
        f"(at least {min_documents} are needed). The topics below are exploratory, not findings; "
        "add documents or follow journals to widen the corpus."
    )
    return CorpusPolicy(fit, [], True, sentence, fit)


def _sentence(fitted: int, wider: int, placed: int, seed: int) -> str:
    if fitted < wider:
        head = (
            f"Topics were fitted on a random sample of {fitted:,} of the {wider:,} documents of "
            f"the wider corpus (seed {seed}; the sweep over K, the seeds for stability and the "
            "model itself all use that sample, which keeps the run within time and memory on "
            "one machine); every document of the corpus then got its topic mixture from the "
            "fitted model (inferred), so topic shares and representative documents cover all of "
            "them"
        )
        if placed:
            return head + (
                f", and the {placed} works of the study registry (the case and its cited works) "
                "were placed in that space the same way, not used to build it, so they are "
                "compared against the wider literature's topics rather than topics they shaped."
            )
        return head + "."
    if placed:
        return (
            f"Topics were fitted on the {wider:,} documents of the wider corpus; the "
            f"{placed} works of the study registry (the case and its cited works) "
            "were placed in that space (their topic mixtures inferred by the fitted model), "
            "not used to build it, so they are compared against the wider literature's "
            "topics rather than topics they shaped."
        )
    return f"Topics were fitted on all {wider:,} documents with text."
