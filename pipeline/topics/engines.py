"""Two LDA engines behind one small interface: gensim (variational Bayes) and tomotopy (Gibbs).

Everything downstream (the sweep over K, stability across seeds, labels, alignment across runs,
inference for new documents) talks to ``FittedTopicModel`` only, so the engine is one parameter.
Both engines see the same vocabulary: a gensim ``Dictionary`` built and filtered once, so their
topics, coherence and perplexity are measured over the same words.

Reproducibility is the point of several choices here:

- gensim's ``inference`` draws its starting point from the model's random state, so a document's
  mixture would depend on which documents were asked about before it (and on whether the model was
  just fitted or loaded from disk). We reset that state before every document: the same words
  always give the same mixture.
- tomotopy trains with one worker: with more, its own warning says results may differ under a
  fixed seed. Its inference is deterministic already, whatever the number of workers and the
  order or company of the documents (tested), so it uses two: on 100,000 documents inference is
  the largest part of the topic stage.
- tomotopy aborts the whole process (a C++ exception, not a Python one) when asked to make a
  document of no words, so empty documents never reach it; they get the prior, as in gensim.
"""

from __future__ import annotations

import json
import logging
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from gensim.corpora import Dictionary
from gensim.models import LdaModel

log = logging.getLogger(__name__)

Engine = Literal["gensim", "tomotopy"]
ENGINES: tuple[str, ...] = ("gensim", "tomotopy")

GENSIM_FILE = "lda.model"
TOMOTOPY_FILE = "lda.tomotopy"
DICTIONARY_FILE = "dictionary.gensim"
ENGINE_FILE = "engine.json"
INFER_CHUNK = 5_000  # documents inferred at a time (tomotopy)


@dataclass(frozen=True)
class EngineParams:
    """What an engine needs to fit one model; the sweep and stability stages vary k and seed."""

    engine: str = "gensim"
    passes: int = 10  # gensim: passes over the corpus
    iterations: int = 100  # gensim: E-step iterations per document
    gibbs_iterations: int = 200  # tomotopy: Gibbs sweeps over the corpus
    infer_iterations: int = 100  # tomotopy: Gibbs sweeps when inferring new documents
    infer_workers: int = 2  # tomotopy: threads for inference (same mixtures with any number)


class FittedTopicModel(ABC):
    """A fitted LDA model over ``dictionary``'s words, whatever the engine."""

    engine: str
    k: int
    dictionary: Dictionary
    seed: int

    @abstractmethod
    def topic_word(self) -> np.ndarray:
        """K x vocabulary matrix, rows sum to 1, columns in ``dictionary`` id order."""

    @abstractmethod
    def infer(self, token_lists: Sequence[Sequence[str]]) -> np.ndarray:
        """Documents x K topic mixtures (rows sum to 1); the same words give the same row."""

    @abstractmethod
    def held_out_log_perplexity(self, token_lists: Sequence[Sequence[str]]) -> float:
        """Per-word log-likelihood (bound) of unseen documents: higher is better."""

    @abstractmethod
    def _save_model(self, folder: Path) -> None: ...

    def top_words(self, n: int = 10) -> list[list[str]]:
        """Each topic's ``n`` most probable words (stems or concept tokens), best first."""
        matrix = self.topic_word()
        order = np.argsort(-matrix, axis=1, kind="stable")[:, :n]
        return [[self.dictionary[int(i)] for i in row] for row in order]

    def save(self, folder: Path) -> None:
        """Write the model, its dictionary and a note of which engine reads them back."""
        self._save_model(folder)
        self.dictionary.save(str(folder / DICTIONARY_FILE))
        note = {"engine": self.engine, "k": self.k, "seed": self.seed}
        (folder / ENGINE_FILE).write_text(json.dumps(note, indent=2), encoding="utf-8")


def _known(dictionary: Dictionary, tokens: Sequence[str]) -> list[str]:
    ids = dictionary.token2id
    return [t for t in tokens if t in ids]


class GensimTopicModel(FittedTopicModel):
    engine = "gensim"

    def __init__(self, lda: LdaModel, dictionary: Dictionary, seed: int) -> None:
        self.lda = lda
        self.dictionary = dictionary
        self.k = int(lda.num_topics)
        self.seed = seed

    def topic_word(self) -> np.ndarray:
        return np.asarray(self.lda.get_topics(), dtype=float)

    def _reset(self) -> None:
        self.lda.random_state = np.random.RandomState(self.seed)

    def infer(self, token_lists: Sequence[Sequence[str]]) -> np.ndarray:
        prior = np.asarray(self.lda.alpha, dtype=float)
        prior = prior / prior.sum()
        rows = np.empty((len(token_lists), self.k))
        for i, tokens in enumerate(token_lists):
            bow = self.dictionary.doc2bow(list(tokens))
            if not bow:
                rows[i] = prior
                continue
            self._reset()
            gamma, _ = self.lda.inference([bow])
            rows[i] = gamma[0] / gamma[0].sum()
        return rows

    def held_out_log_perplexity(self, token_lists: Sequence[Sequence[str]]) -> float:
        bows = [b for b in (self.dictionary.doc2bow(list(t)) for t in token_lists) if b]
        if not bows:
            return float("nan")
        self._reset()
        return float(self.lda.log_perplexity(bows))

    def _save_model(self, folder: Path) -> None:
        self.lda.save(str(folder / GENSIM_FILE))

    @classmethod
    def load(cls, folder: Path, dictionary: Dictionary, seed: int) -> GensimTopicModel:
        return cls(LdaModel.load(str(folder / GENSIM_FILE)), dictionary, seed)


class TomotopyTopicModel(FittedTopicModel):
    engine = "tomotopy"

    def __init__(
        self,
        mdl: Any,
        dictionary: Dictionary,
        seed: int,
        infer_iterations: int,
        infer_workers: int = EngineParams.infer_workers,
    ) -> None:
        self.mdl = mdl
        self.dictionary = dictionary
        self.k = int(mdl.k)
        self.seed = seed
        self.infer_iterations = infer_iterations
        self.infer_workers = infer_workers

    def topic_word(self) -> np.ndarray:
        # tomotopy keeps its own vocabulary order; map it onto the dictionary's ids. Words the
        # dictionary has but tomotopy never saw (possible only for documents of no words) get 0.
        matrix = np.zeros((self.k, len(self.dictionary)))
        columns = np.array([self.dictionary.token2id[w] for w in self.mdl.used_vocabs])
        for t in range(self.k):
            matrix[t, columns] = self.mdl.get_topic_word_dist(t)
        return matrix / matrix.sum(axis=1, keepdims=True)

    def _infer(self, token_lists: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray, int]:
        """Chunk by chunk, so 100,000 documents never exist as tomotopy documents at once (a
        document's mixture does not depend on the others inferred with it: tested)."""
        prior = np.asarray(self.mdl.alpha, dtype=float)
        rows = np.tile(prior / prior.sum(), (len(token_lists), 1))
        lls = np.zeros(len(token_lists))
        words_seen = 0
        for start in range(0, len(token_lists), INFER_CHUNK):
            known = [_known(self.dictionary, t) for t in token_lists[start : start + INFER_CHUNK]]
            words_seen += sum(len(w) for w in known)
            index = [i for i, words in enumerate(known) if words]
            if not index:
                continue
            docs = [self.mdl.make_doc(known[i]) for i in index]
            dists, doc_lls = self.mdl.infer(
                docs, iterations=self.infer_iterations, workers=self.infer_workers
            )
            for i, dist, ll in zip(index, dists, doc_lls, strict=True):
                rows[start + i] = np.asarray(dist, dtype=float) / float(np.sum(dist))
                lls[start + i] = ll
        return rows, lls, words_seen

    def infer(self, token_lists: Sequence[Sequence[str]]) -> np.ndarray:
        return self._infer(token_lists)[0]

    def held_out_log_perplexity(self, token_lists: Sequence[Sequence[str]]) -> float:
        _, lls, words = self._infer(token_lists)
        return float(lls.sum() / words) if words else float("nan")

    def _save_model(self, folder: Path) -> None:
        self.mdl.save(str(folder / TOMOTOPY_FILE), full=True)

    @classmethod
    def load(
        cls, folder: Path, dictionary: Dictionary, seed: int, infer_iterations: int = 100
    ) -> TomotopyTopicModel:
        tp = _tomotopy()
        return cls(
            tp.LDAModel.load(str(folder / TOMOTOPY_FILE)), dictionary, seed, infer_iterations
        )


def _tomotopy() -> Any:
    try:
        import tomotopy
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError(
            "engine 'tomotopy' needs the tomotopy package: .venv/bin/pip install tomotopy"
        ) from exc
    return tomotopy


def fit_model(
    token_lists: Sequence[Sequence[str]],
    dictionary: Dictionary,
    k: int,
    seed: int,
    params: EngineParams,
) -> FittedTopicModel:
    """Fit one LDA model with ``k`` topics; ``token_lists`` are filtered to ``dictionary``."""
    if params.engine == "gensim":
        bows = [dictionary.doc2bow(list(tokens)) for tokens in token_lists]
        lda = LdaModel(
            corpus=bows,
            id2word=dictionary,
            num_topics=k,
            passes=params.passes,
            iterations=params.iterations,
            random_state=seed,
            alpha="auto",
            eta="auto",
        )
        return GensimTopicModel(lda, dictionary, seed)
    if params.engine == "tomotopy":
        tp = _tomotopy()
        # alpha and eta as in Griffiths & Steyvers: 50/K would be too smooth for short abstracts,
        # so a small symmetric start, with alpha re-estimated every 10 sweeps (optim_interval).
        mdl = tp.LDAModel(k=k, alpha=0.1, eta=0.01, seed=seed)
        for tokens in token_lists:
            words = _known(dictionary, tokens)
            if words:
                mdl.add_doc(words)
        if len(mdl.docs) == 0:
            raise ValueError("no words left to model after stop words and filtering")
        mdl.train(params.gibbs_iterations, workers=1)
        return TomotopyTopicModel(
            mdl, dictionary, seed, params.infer_iterations, params.infer_workers
        )
    raise ValueError(f"unknown topic engine {params.engine!r}; expected one of {ENGINES}")


def load_model(folder: Path) -> FittedTopicModel:
    """Read a model saved by ``FittedTopicModel.save`` (the caller has verified its hashes).

    Folders from before the engine note hold a gensim model: they load as gensim, seed 0.
    """
    dictionary = Dictionary.load(str(folder / DICTIONARY_FILE))
    note_path = folder / ENGINE_FILE
    note = json.loads(note_path.read_text(encoding="utf-8")) if note_path.is_file() else {}
    engine, seed = note.get("engine", "gensim"), int(note.get("seed", 0))
    if engine == "gensim":
        return GensimTopicModel.load(folder, dictionary, seed)
    if engine == "tomotopy":
        return TomotopyTopicModel.load(folder, dictionary, seed)
    raise ValueError(f"{note_path}: unknown topic engine {engine!r}")
