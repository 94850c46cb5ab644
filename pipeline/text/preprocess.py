"""A document's text, language by language, to the stem tokens the models read.

Each part is stemmed in its own language: the title and full text in the document's language,
each abstract in the language it is stored under. Stop words of both languages are removed
everywhere, since Indonesian abstracts quote English terms and the reverse.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pipeline.documents import Document
from pipeline.text.stemming import Stemmer
from pipeline.text.stopwords import stopwords
from pipeline.text.tokens import words

STEMMED_LANGUAGES = frozenset({"id", "en"})


class Preprocessor:
    """Turns documents into stem lists, sharing one memo and one surface-form table per run."""

    def __init__(self, stemmer: Stemmer | None = None) -> None:
        self.stemmer = stemmer or Stemmer()
        self._stop = stopwords("*")

    def tokens(self, text: str, language: str) -> list[str]:
        if language not in STEMMED_LANGUAGES:
            language = "other"
        stem = self.stemmer.stem
        return [stem(w, language) for w in words(text) if w not in self._stop]

    def document_tokens(self, doc: Document) -> list[str]:
        tokens = self.tokens(doc.title, doc.language)
        tokens += self.tokens(" ".join(doc.keywords), doc.language)
        for language, abstract in sorted(doc.abstracts.items()):
            tokens += self.tokens(abstract, language if language != "und" else doc.language)
        if doc.full_text:
            tokens += self.tokens(doc.full_text, doc.language)
        return tokens

    def stream(self, docs: Iterable[Document]) -> Iterator[list[str]]:
        for doc in docs:
            yield self.document_tokens(doc)

    def surface(self, stem: str) -> str:
        return self.stemmer.surface(stem)
