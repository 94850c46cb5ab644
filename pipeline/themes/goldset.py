"""The gold-set evaluation corpus assembled in one call, for the benchmark, the tests and the CLI.

The SINTA abstracts and the registry (``texts.py``), their tokens (the same Preprocessor the
analysis uses) with the lexicon's hits appended as features, the lexicon's codings, the journals
as CV groups, and the human codings that still match their texts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.documents import Document
from pipeline.text.preprocess import Preprocessor
from pipeline.themes.codebook import Codebook, load_codebook
from pipeline.themes.coding import load_human_labels
from pipeline.themes.evaluation import GOLD_WEIGHT, Evaluation, evaluate
from pipeline.themes.labels import Label
from pipeline.themes.lexicon import Coding, LexiconCoder
from pipeline.themes.model import with_lexicon_features
from pipeline.themes.texts import REPO, all_documents, journal


@dataclass
class GoldSet:
    codebook: Codebook
    docs: list[Document]
    codings: list[Coding]
    tokens: list[list[str]]  # stems and concepts + lexicon features
    groups: list[str]
    gold: dict[str, Label]
    problems: list[str]

    @property
    def lexicon_themes(self) -> list[set[str]]:
        return [c.themes(self.codebook.min_hits) for c in self.codings]

    def evaluate(
        self,
        *,
        seed: int = 0,
        n_splits: int = 5,
        gold_weight: float = GOLD_WEIGHT,
        lexicon_training: bool = True,
    ) -> Evaluation:
        return evaluate(
            self.tokens,
            [d.id for d in self.docs],
            self.groups,
            self.lexicon_themes,
            self.gold,
            self.codebook,
            seed=seed,
            n_splits=n_splits,
            gold_weight=gold_weight,
            lexicon_training=lexicon_training,
        )


def load_goldset(
    shared: Path | None = None,
    *,
    codebook_path: Path = REPO / "corpus" / "codebook.toml",
    labels_dir: Path = REPO / "corpus" / "labels",
    gold_only: bool = False,
) -> GoldSet:
    """``gold_only``: keep just the hand-coded documents (seconds instead of a minute)."""
    codebook = load_codebook(codebook_path)
    by_id = all_documents(shared)
    check = load_human_labels(labels_dir, by_id, codebook)
    docs = [d for d in by_id.values() if not gold_only or d.id in check.valid]
    coder = LexiconCoder(codebook)
    codings = [coder.code(d) for d in docs]
    pre = Preprocessor()
    tokens = [
        with_lexicon_features(pre.document_tokens(d), c.hits)
        for d, c in zip(docs, codings, strict=True)
    ]
    return GoldSet(
        codebook, docs, codings, tokens, [journal(d) for d in docs], check.valid, check.problems
    )
