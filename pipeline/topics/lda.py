"""Topic models: gensim LDA with a fixed seed, K chosen from a small sweep by c_v coherence.

Topics are shown by surface forms (the most frequent word behind each stem), never by bare stems:
"pemberdayaan", not "daya". With few documents LDA finds little that means anything; the result
records the corpus size so the report can say so plainly instead of presenting such topics as
findings.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from gensim.corpora import Dictionary
from gensim.models import CoherenceModel, LdaModel

log = logging.getLogger(__name__)

# Below this many documents topics are exploratory at best; the report says so.
MIN_DOCUMENTS_FOR_FINDINGS = 100


@dataclass(frozen=True)
class TopicParams:
    k_values: tuple[int, ...] = (2, 3, 4, 5, 6, 8, 10, 12)
    passes: int = 10
    iterations: int = 100
    seed: int = 20240601
    top_n: int = 10
    no_below: int = 2
    no_above: float = 0.6


@dataclass
class TopicModelResult:
    model: LdaModel
    dictionary: Dictionary
    k: int
    coherence_by_k: dict[int, float]
    doc_topics: np.ndarray  # documents x K, rows sum to 1
    top_stems: list[list[str]]
    labels: list[list[str]] = field(default_factory=list)  # surface forms
    documents: int = 0
    vocabulary: int = 0

    @property
    def exploratory(self) -> bool:
        return self.documents < MIN_DOCUMENTS_FOR_FINDINGS


def candidate_ks(params: TopicParams, documents: int) -> list[int]:
    """K values worth trying: at most one topic per two documents, at least two topics."""
    ceiling = max(2, documents // 2)
    ks = sorted({k for k in params.k_values if 2 <= k <= ceiling})
    return ks or [2]


def build_dictionary(token_lists: Sequence[Sequence[str]], params: TopicParams) -> Dictionary:
    dictionary = Dictionary(token_lists)
    # On tiny corpora keep every word that occurs in two documents; on larger ones also drop
    # words present in most documents (they separate nothing).
    no_above = params.no_above if len(token_lists) >= 20 else 1.0
    no_below = params.no_below if len(token_lists) >= 10 else 1
    dictionary.filter_extremes(no_below=no_below, no_above=no_above, keep_n=50_000)
    dictionary.compactify()
    return dictionary


def fit_topics(
    token_lists: Sequence[Sequence[str]],
    surface: Callable[[str], str],
    params: TopicParams | None = None,
) -> TopicModelResult:
    """Sweep K, keep the model with the best c_v coherence (ties go to the smaller K)."""
    params = params or TopicParams()
    dictionary = build_dictionary(token_lists, params)
    bows = [dictionary.doc2bow(tokens) for tokens in token_lists]
    if len(dictionary) == 0 or not any(bows):
        raise ValueError("no words left to model after stop words and filtering")
    texts = [[t for t in tokens if t in dictionary.token2id] for tokens in token_lists]
    best: tuple[float, int, LdaModel] | None = None
    coherence_by_k: dict[int, float] = {}
    for k in candidate_ks(params, len(token_lists)):
        model = LdaModel(
            corpus=bows,
            id2word=dictionary,
            num_topics=k,
            passes=params.passes,
            iterations=params.iterations,
            random_state=params.seed,
            alpha="auto",
            eta="auto",
        )
        topics = [[w for w, _ in model.show_topic(t, topn=params.top_n)] for t in range(k)]
        score = CoherenceModel(
            topics=topics, texts=texts, dictionary=dictionary, coherence="c_v", processes=1
        ).get_coherence()
        score = float(score) if np.isfinite(score) else 0.0
        coherence_by_k[k] = score
        log.info("K=%d c_v=%.4f", k, score)
        if best is None or score > best[0] + 1e-9:
            best = (score, k, model)
    assert best is not None
    _, k, model = best
    doc_topics = topic_matrix(model, bows, k)
    top_stems = [[w for w, _ in model.show_topic(t, topn=params.top_n)] for t in range(k)]
    return TopicModelResult(
        model=model,
        dictionary=dictionary,
        k=k,
        coherence_by_k=coherence_by_k,
        doc_topics=doc_topics,
        top_stems=top_stems,
        labels=[[surface(s) for s in stems] for stems in top_stems],
        documents=len(token_lists),
        vocabulary=len(dictionary),
    )


def topic_matrix(model: LdaModel, bows: Sequence[list[tuple[int, int]]], k: int) -> np.ndarray:
    matrix = np.zeros((len(bows), k))
    for row, bow in enumerate(bows):
        for topic, weight in model.get_document_topics(bow, minimum_probability=0.0):
            matrix[row, topic] = weight
    sums = matrix.sum(axis=1, keepdims=True)
    sums[sums == 0] = 1.0
    return matrix / sums
