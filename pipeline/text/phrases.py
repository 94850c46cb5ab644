"""Learned phrases (gensim Phrases) for the multi-word terms the thesaurus does not cover.

The thesaurus covers the concepts we know; collocations specific to a corpus ("kelompok sadar",
"bank sampah" before anyone adds it) are found statistically. Optional, and deterministic: gensim
counts in input order and we freeze the model, so the same token stream gives the same phrases.
Joined tokens use "+" (not gensim's "_", which concept ids contain), so a display label can be
rebuilt part by part.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

DELIMITER = "+"


def learn_phrases(
    token_lists: Iterable[list[str]], min_count: int = 5, threshold: float = 10.0
) -> Any:
    """A frozen gensim phrase model (bigrams) learned from a stream of token lists."""
    from gensim.models.phrases import Phrases

    model = Phrases(
        token_lists,
        min_count=min_count,
        threshold=threshold,
        delimiter=DELIMITER,
        connector_words=frozenset(),
    )
    return model.freeze()


def apply_phrases(model: Any, tokens: list[str]) -> list[str]:
    """Tokens with learned bigrams joined ("bank", "sampah" -> "bank+sampah")."""
    return list(model[tokens])


def apply_phrases_all(model: Any, token_lists: Iterable[list[str]]) -> Iterator[list[str]]:
    for tokens in token_lists:
        yield apply_phrases(model, tokens)


def is_phrase(token: str) -> bool:
    return DELIMITER in token
