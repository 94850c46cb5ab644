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

import hashlib
import multiprocessing
import pickle
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from pipeline.documents import Document
from pipeline.text import resources, stemcache
from pipeline.text.bridge import MAX_SCAN, Bridge, learn_bridge
from pipeline.text.phrases import DELIMITER, apply_phrases
from pipeline.text.segments import TEXT, single_language, split_segments
from pipeline.text.stemming import CLITICS, Stemmer, StemmerConfig
from pipeline.text.stopwords import stopwords
from pipeline.text.thesaurus import Thesaurus, default_thesaurus
from pipeline.text.tokens import word_list

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
        bridge: Bridge | None = None,
    ) -> None:
        self.stemmer = stemmer or Stemmer()
        self.bridge = bridge or Bridge()  # English -> Indonesian tokens (bridge.py)
        if thesaurus is True:
            thesaurus = default_thesaurus()
        self.thesaurus: Thesaurus | None = thesaurus or None
        self.segment = segment
        self.phrases = phrases
        self._stop = stopwords("*") - set(resources.abbreviations())
        if self.thesaurus:
            self.stemmer.labels.update(self.thesaurus.labels())
        # Words the thesaurus reads apart from their stem (kecamatan is not camat): a key per form.
        self._forms = _with_clitics(resources.thesaurus_forms()) if self.thesaurus else {}
        self._settings: PreprocessSettings | None = None
        self._stem_cache: Path | None = None
        self._shared_tokens: dict[str, str] = {}  # see absorb

    # -- text to tokens -----------------------------------------------------------------------

    def tokens(self, text: str, language: str, count: bool = True) -> list[str]:
        """Tokens of text known to be in one language (other languages: unstemmed words).

        ``count=False`` for text read again after the corpus (a sentence to explain a code): its
        words must not count twice as surface forms, in the stemming audit or the labels."""
        if language not in STEMMED_LANGUAGES:
            language = "other"
        found = word_list(text)
        if not found:
            return []
        stemmer, stop = self.stemmer, self._stop
        stems = stemmer.stem_all(found, language)
        if self.thesaurus is None or language == "other":
            keep = [i for i, word in enumerate(found) if word not in stop]
            kept = [found[i] for i in keep]
            out = [stems[i] for i in keep]
        else:
            index = self.thesaurus.index(language, self.match_stem)
            forms = self._forms.get(language)
            keys = [forms.get(w, s) for w, s in zip(found, stems, strict=True)] if forms else stems
            kept, out = self._with_concepts(found, stems, index, count, keys)
        if language == "en" and self.bridge:
            out = self.bridge.translate(out)
        if count:
            stemmer.count(kept, language)
        return apply_phrases(self.phrases, out) if self.phrases is not None else out

    def match_stem(self, word: str, language: str) -> str:
        """What the thesaurus reads a word as: its key in thesaurus_forms.tsv, else its stem."""
        return self._forms.get(language, {}).get(word) or self.stemmer.lookup(word, language)

    def _with_concepts(
        self,
        found: list[str],
        stems: list[str],
        index: dict[str, list[Any]],
        count: bool,
        keys: list[str],
    ) -> tuple[list[str], list[str]]:
        """Concept tokens for thesaurus matches (longest first) of ``keys`` (the stems, or a
        word's thesaurus form), stems for the rest, stop words out. Only positions whose key
        starts some thesaurus key are examined one by one."""
        stop, kept, out, phrases = self._stop, [], [], []
        position, n = 0, len(stems)
        for i in [i for i, key in enumerate(keys) if key in index]:
            if i < position:
                continue  # inside the previous match
            found_match = _match_at(keys, i, index[keys[i]])
            if found_match is None:
                continue
            end, concept = found_match
            if end == i + 1 and found[i] in stop:
                continue  # a stop word is no concept: "sebuah" (a) stems to buah (fruit)
            between = [j for j in range(position, i) if found[j] not in stop]
            kept += [found[j] for j in between]
            out += [stems[j] for j in between]
            out.append(concept)
            phrases.append((concept, " ".join(found[i:end])))
            position = end
        between = [j for j in range(position, n) if found[j] not in stop]
        kept += [found[j] for j in between]
        out += [stems[j] for j in between]
        for concept, phrase in phrases if count else ():
            self.stemmer.add_surface(concept, phrase)
        return kept, out

    def text_tokens(self, text: str, language: str = "und", count: bool = True) -> list[str]:
        """Tokens of a field: segmented by language when stored as "und" or when mixed."""
        if not self.segment:
            return self.tokens(text, language, count)
        plain = single_language(text)
        if plain is not None:
            return self.tokens(text, language if language in STEMMED_LANGUAGES else plain, count)
        out: list[str] = []
        for segment in split_segments(text, default=language):
            out += self.tokens(segment.text, segment.language, count)
        return out

    def reread_tokens(self, text: str, language: str = "und") -> list[str]:
        """``text_tokens`` of text the corpus already counted (see ``tokens``)."""
        return self.text_tokens(text, language, count=False)

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

    def language_halves(self, doc: Document, min_tokens: int = 10) -> tuple[list, list] | None:
        """(Indonesian tokens, English tokens) of a document whose abstracts say the same in
        both languages, or None. Keyword lists are left out (they are often English in both
        halves); so are halves of fewer than ``min_tokens`` tokens. Nothing is counted as a
        surface form: the document's own pass does that."""
        parts: dict[str, list[str]] = {"id": [], "en": []}
        for language, abstract in doc.abstracts.items():
            plain = single_language(abstract)
            if plain is not None:
                lang = language if language in STEMMED_LANGUAGES else plain
                if lang in parts:
                    parts[lang] += self.tokens(abstract, lang, count=False)
                continue
            for segment in split_segments(abstract, default=language):
                if segment.kind == TEXT and segment.language in parts:
                    parts[segment.language] += self.tokens(
                        segment.text, segment.language, count=False
                    )
        if min(len(parts["id"]), len(parts["en"])) < min_tokens:
            return None
        return parts["id"], parts["en"]

    def learn_bridge(self, docs: Iterable[Document], max_scan: int = MAX_SCAN) -> Bridge:
        """Learn the English -> Indonesian bridge from the bilingual abstracts among the first
        ``max_scan`` of ``docs`` and use it from now on (bridge.py says why)."""
        self.bridge = Bridge()
        halves = (self.language_halves(doc) for doc in islice(docs, max_scan))
        self.bridge = learn_bridge(pair for pair in halves if pair is not None)
        self._settings = None
        return self.bridge

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
        surface forms come back with each chunk and are merged here (``absorb``), so ``surface``
        and the stemming audit are the same as after a serial run.
        """
        if workers <= 1:
            for doc in docs:
                yield self._one(doc)
            return
        # forkserver, not fork: a process that already runs threads (Prefect's, tomotopy's) can
        # fork a worker holding a lock no thread will release, and the pool then never answers
        # (seen in the test suite). The server forks clean workers from a thread-free process.
        context = multiprocessing.get_context("forkserver")
        with context.Pool(workers) as pool:
            work = ((self.settings(), chunk) for chunk in chunked(docs, chunksize))
            for chunk in pool.imap(preprocess_chunk, work):
                yield from self.absorb(chunk)

    def use_stem_cache(self, folder: Path) -> int:
        """Preload the stems earlier runs saved in ``folder`` (stemcache.py); workers built from
        ``settings()`` preload them too. Returns the number of words preloaded."""
        self._stem_cache = folder
        self._settings = None
        memo = stemcache.load(stemcache.cache_file(folder, self.stemmer.config))
        self.stemmer.preload(memo)
        return sum(len(stems) for stems in memo.values())

    def save_stem_cache(self) -> int:
        """Save every stem made so far for the next run (after ``use_stem_cache``)."""
        if self._stem_cache is None:
            return 0
        path = stemcache.cache_file(self._stem_cache, self.stemmer.config)
        return stemcache.save(path, self.stemmer.memo())

    def settings(self) -> PreprocessSettings:
        """What a worker elsewhere (a process, a Dask worker) needs to build the same
        Preprocessor: small, picklable, and the key of its per-process cache."""
        if self._settings is None:
            parts = (
                self.stemmer.config,
                self.thesaurus,
                self.segment,
                self.phrases,
                self._stem_cache,
                self.bridge,
            )
            fingerprint = hashlib.sha256(pickle.dumps(parts)).hexdigest()
            self._settings = PreprocessSettings(*parts, fingerprint=fingerprint)
        return self._settings

    def absorb(self, chunk: ChunkTokens) -> list[list[str]]:
        """Take in a chunk done elsewhere: its surface-form counts join ours; its tokens out."""
        self.stemmer.merge(chunk.memo, chunk.counts, chunk.extra)
        # Each chunk arrives with its own copy of every token string; keeping one object per
        # distinct token saves ~100 MB of duplicates on 100,000 documents.
        shared = self._shared_tokens
        return [[shared.setdefault(token, token) for token in doc] for doc in chunk.tokens]

    def _one(self, doc: Document | str) -> list[str]:
        return self.text_tokens(doc) if isinstance(doc, str) else self.document_tokens(doc)


@dataclass(frozen=True)
class PreprocessSettings:
    stemmer: StemmerConfig
    thesaurus: Thesaurus | None
    segment: bool
    phrases: Any
    stem_cache: Path | None  # a folder; on a machine without it, stemming starts from scratch
    bridge: Bridge
    fingerprint: str  # of the six above, taken once where they were built

    def build(self) -> Preprocessor:
        built = Preprocessor(
            Stemmer(self.stemmer),
            thesaurus=self.thesaurus or False,
            segment=self.segment,
            phrases=self.phrases,
            bridge=self.bridge,
        )
        if self.stem_cache is not None:
            built.use_stem_cache(self.stem_cache)
        return built


@dataclass
class ChunkTokens:
    """One chunk's token lists, with the stems and surface-form counts behind them."""

    tokens: list[list[str]]
    memo: dict[str, dict[str, str]]
    counts: dict[str, Counter[str]]
    extra: dict[str, Counter[str]]


def preprocess_chunk(job: tuple[PreprocessSettings, list[Document | str]]) -> ChunkTokens:
    """Token lists of one chunk, for a worker process or a Dask task.

    The Preprocessor (Sastrawi's dictionary, the thesaurus index, the memo) is built once per
    process and settings, then reused by every chunk that process is given.
    """
    settings, docs = job
    worker = _WORKERS.get(settings.fingerprint)
    if worker is None:
        worker = _WORKERS[settings.fingerprint] = settings.build()
    tokens = [worker._one(doc) for doc in docs]
    return ChunkTokens(tokens, *worker.stemmer.take_counts())


def chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Successive lists of ``size`` items (the last may be shorter)."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


_WORKERS: dict[str, Preprocessor] = {}


def preprocess_parallel(
    texts: Iterable[Document | str], workers: int = 2, preprocessor: Preprocessor | None = None
) -> list[list[str]]:
    """All token lists at once (see Preprocessor.map_parallel)."""
    return list((preprocessor or Preprocessor()).map_parallel(texts, workers=workers))


def _with_clitics(forms: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Each form also with the Indonesian clitics after it (kecamatannya), as the stemmer reads
    protected terms; one lookup per word then."""
    out = {}
    for language, table in forms.items():
        full = dict(table)
        if language == "id":
            for form, key in table.items():
                for clitic in CLITICS:
                    full.setdefault(form + clitic, key)
        out[language] = full
    return out


def _match_at(stems: list[str], i: int, entries: list[Any]) -> tuple[int, str] | None:
    """(end, concept) of the longest key starting at ``i``, or None."""
    for key, concept in entries:
        end = i + len(key)
        if end <= len(stems) and (len(key) == 1 or tuple(stems[i:end]) == key):
            return end, concept
    return None


def _title_language(doc: Document) -> str:
    from pipeline.text.language import detect_language

    return detect_language(f"{doc.title}. {' '.join(doc.keywords)}")
