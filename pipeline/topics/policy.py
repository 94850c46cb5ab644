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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MIN_DOCUMENTS_FOR_FINDINGS = 100


@dataclass(frozen=True)
class CorpusPolicy:
    fit_indices: list[int]  # documents the model is fitted on
    placed_indices: list[int]  # documents whose mixtures are inferred by that model
    exploratory: bool
    sentence: str


def corpus_policy(
    token_lists: Sequence[Sequence[str]],
    placed: Sequence[int] = (),
    min_documents: int = MIN_DOCUMENTS_FOR_FINDINGS,
) -> CorpusPolicy:
    """Decide from the documents that have words; ``placed`` = the case and its cited works."""
    n = len(token_lists)
    placed_set = set(placed)
    if not placed_set <= set(range(n)):
        raise ValueError(
            f"placed indices {sorted(placed_set - set(range(n)))} out of range 0-{n - 1}"
        )
    wider = [i for i in range(n) if i not in placed_set and token_lists[i]]
    usable = sum(1 for tokens in token_lists if tokens)
    if len(wider) >= min_documents:
        fit, to_place = wider, sorted(placed_set)
        if to_place:
            sentence = (
                f"Topics were fitted on the {len(wider):,} documents of the wider corpus; the "
                f"{len(to_place)} works of the study registry (the case and its cited works) "
                "were placed in that space (their topic mixtures inferred by the fitted model), "
                "not used to build it, so they are compared against the wider literature's "
                "topics rather than topics they shaped."
            )
        else:
            sentence = f"Topics were fitted on all {len(wider):,} documents with text."
        return CorpusPolicy(fit, to_place, False, sentence)
    fit = [i for i in range(n) if token_lists[i]]
    beyond = f" ({len(wider)} beyond the case and its cited works)" if placed_set else ""
    sentence = (
        f"Only {usable} documents with text{beyond}: too few for topic modelling to mean much "
        f"(at least {min_documents} are needed). The topics below are exploratory, not findings; "
        "add documents or follow journals to widen the corpus."
    )
    return CorpusPolicy(fit, [], True, sentence)
