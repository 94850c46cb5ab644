"""A document's text, language by language, to the tokens the models read.

Each part is stemmed in its own language: the title and full text in the document's language,
each abstract in the language it is stored under; an abstract stored under "und", or holding two
languages ("ABSTRAK ... ABSTRACT ..."), is split into segments first (segments.py), and parts in
other languages (Javanese, Arabic) are kept unstemmed. Terms of the bilingual thesaurus become
concept tokens ("c:community_empowerment") so both languages land on one vocabulary. Stop words
of both languages are removed everywhere, since Indonesian abstracts quote English terms and the
reverse; abbreviations (BUMDes, LSM) never are.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from pipeline.documents import Document
from pipeline.text import resources
from pipeline.text.phrases import DELIMITER, apply_phrases
from pipeline.text.segments import is_mixed, split_segments
from pipeline.text.stemming import Stemmer, StemmerConfig
from pipeline.text.stopwords import stopwords
from pipeline.text.thesaurus import Thesaurus, default_thesaurus
from pipeline.text.tokens import words

STEMMED_LANGUAGES = frozenset({"id", "en"})


class Preprocessor:
    """Turns documents into token lists, sharing one memo and one surface-form table per run.

    ``thesaurus``: True for the bundled one, a Thesaurus, or False for stems only.
    ``phrases``: a frozen phrase model from phrases.learn_phrases, applied last (optional).
    """

    def __init__(
        self,
        stemmer: Stemmer | None = None,
        *,
        thesaurus: Thesaurus | bool = True,
        segment: bool = True,
        phrases: Any = None,
    ) -> None:
        self.stemmer = stemmer or Stemmer()
        if thesaurus is True:
            thesaurus = default_thesaurus()
        self.thesaurus: Thesaurus | None = thesaurus or None
        self.segment = segment
        self.phrases = phrases
        self._stop = stopwords("*") - set(resources.abbreviations())
        if self.thesaurus:
            self.stemmer.labels.update(self.thesaurus.labels())

    # -- text to tokens -----------------------------------------------------------------------

    def tokens(self, text: str, language: str) -> list[str]:
        """Tokens of text known to be in one language (other languages: unstemmed words)."""
        if language not in STEMMED_LANGUAGES:
            language = "other"
        found = list(words(text))
        if not found:
            return []
        stemmer, stop = self.stemmer, self._stop
        stems = stemmer.stem_all(found, language)
        kept: list[str] = []
        out: list[str] = []
        if self.thesaurus is None or language == "other":
            for word, stem in zip(found, stems, strict=True):
                if word not in stop:
                    kept.append(word)
                    out.append(stem)
        else:
            index = self.thesaurus.index(language, stemmer.lookup)
            i, n = 0, len(stems)
            while i < n:
                entries = index.get(stems[i])
                if entries:
                    for key, concept in entries:
                        end = i + len(key)
                        if end <= n and (len(key) == 1 or tuple(stems[i:end]) == key):
                            out.append(concept)
                            stemmer.add_surface(concept, " ".join(found[i:end]))
                            i = end
                            break
                    else:
                        entries = None
                if not entries:
                    word = found[i]
                    if word not in stop:
                        kept.append(word)
                        out.append(stems[i])
                    i += 1
        stemmer.count(kept, language)
        return apply_phrases(self.phrases, out) if self.phrases is not None else out

    def text_tokens(self, text: str, language: str = "und") -> list[str]:
        """Tokens of a field: segmented by language when stored as "und" or when mixed."""
        if self.segment and (language not in STEMMED_LANGUAGES or is_mixed(text)):
            out: list[str] = []
            for segment in split_segments(text, default=language):
                out += self.tokens(segment.text, segment.language)
            return out
        return self.tokens(text, language)

    def document_tokens(self, doc: Document) -> list[str]:
        language = doc.language
        if language == "und" and self.segment:
            language = _title_language(doc)
        tokens = self.tokens(doc.title, language)
        tokens += self.tokens(" ".join(doc.keywords), language)
        for abstract_language, abstract in sorted(doc.abstracts.items()):
            if abstract_language == "und" and not self.segment:
                abstract_language = language
            tokens += self.text_tokens(abstract, abstract_language)
        if doc.full_text:
            tokens += self.text_tokens(doc.full_text, language)
        return tokens

    def stream(self, docs: Iterable[Document]) -> Iterator[list[str]]:
        for doc in docs:
            yield self.document_tokens(doc)

    # -- what a reader sees -------------------------------------------------------------------

    def surface(self, token: str) -> str:
        """A readable label: concepts by their bilingual label, stems by their commonest word,
        learned phrases part by part."""
        if DELIMITER in token:
            return " ".join(self.stemmer.surface(part) for part in token.split(DELIMITER))
        return self.stemmer.surface(token)

    # -- many documents -------------------------------------------------------------------------

    def map_parallel(
        self, docs: Iterable[Document | str], workers: int = 2, chunksize: int = 200
    ) -> Iterator[list[str]]:
        """Token lists of ``docs`` (Documents, or plain texts of unknown language) in input order,
        computed by ``workers`` processes, chunk by chunk, streaming.

        For corpora of 100,000+ documents. Each worker keeps its own memo; the counts behind
        surface forms come back with each chunk and are merged here, so ``surface`` and the
        stemming audit are the same as after a serial run.
        """
        if workers <= 1:
            for doc in docs:
                yield self._one(doc)
            return
        config = (self.stemmer.config, self.thesaurus, self.segment, self.phrases)
        context = multiprocessing.get_context()
        with context.Pool(workers, initializer=_init_worker, initargs=(config,)) as pool:
            for tokens, memo, counts, extra in pool.imap(_work, _chunks(docs, chunksize)):
                self.stemmer.merge(memo, counts, extra)
                yield from tokens

    def _one(self, doc: Document | str) -> list[str]:
        return self.text_tokens(doc) if isinstance(doc, str) else self.document_tokens(doc)


def preprocess_parallel(
    texts: Iterable[Document | str], workers: int = 2, preprocessor: Preprocessor | None = None
) -> list[list[str]]:
    """All token lists at once (see Preprocessor.map_parallel)."""
    return list((preprocessor or Preprocessor()).map_parallel(texts, workers=workers))


def _title_language(doc: Document) -> str:
    from pipeline.text.language import detect_language

    return detect_language(f"{doc.title}. {' '.join(doc.keywords)}")


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


_WORKER: Preprocessor | None = None


def _init_worker(config: tuple[StemmerConfig, Thesaurus | None, bool, Any]) -> None:
    global _WORKER
    stemmer_config, thesaurus, segment, phrases = config
    _WORKER = Preprocessor(
        Stemmer(stemmer_config), thesaurus=thesaurus or False, segment=segment, phrases=phrases
    )


def _work(
    chunk: list[Document | str],
) -> tuple[list[list[str]], dict[str, dict[str, str]], dict[str, Counter[str]], Any]:
    assert _WORKER is not None, "worker not initialised"
    tokens = [_WORKER._one(doc) for doc in chunk]
    return (tokens, *_WORKER.stemmer.take_counts())
