"""What keeps the pipeline within time and memory on large corpora, pinned: the shortcuts give
the answers of the exhaustive computations they replace, and the sampling policies say what
they did. (The measurements themselves are in BENCHMARKS.md, from ``python -m bench scale``.)"""

from __future__ import annotations

import random

from bench.synthetic import synthetic_documents
from pipeline.compare.citations import as_reference, find_cited_in_corpus
from pipeline.documents import Document
from pipeline.ingest.references import resolve


def _cited(n: int = 4) -> list[Document]:
    titles = [
        "Sinergitas Pemerintah Daerah dan Lembaga Pemberdayaan Masyarakat Desa",
        "Collaborative Governance Dalam Pemberdayaan Masyarakat Desa Bligo",
        "Peran Badan Usaha Milik Desa dalam Pemberdayaan Ekonomi Masyarakat",
        "Community Empowerment through Village Funds in Rural Indonesia",
    ]
    return [
        Document(
            source="registry",
            identifier=f"work{i}",
            title=title,
            authors=(f"Author{i} Surname",),
            year=2019 + i,
            extra={"key": f"work{i}", "role": "cited"},
        )
        for i, title in enumerate(titles[:n])
    ]


class TestCitedInCorpusAtScale:
    def test_pruned_search_gives_the_exhaustive_answer(self):
        """Copies with words dropped or reordered, other years and authors, and works with no
        copy at all: every resolution (document, confidence, reason) is the exhaustive one."""
        rng = random.Random(3)
        cited = _cited()
        corpus: list[Document] = [*cited, *synthetic_documents(150, seed=5)]
        for i, work in enumerate(cited[:3]):  # the last one has no copy in the corpus
            for j in range(4):
                words = work.title.split()
                if j == 1:
                    del words[rng.randrange(len(words))]
                if j == 2:
                    rng.shuffle(words)
                corpus.append(
                    work.with_changes(
                        source="oai:copies",
                        identifier=f"{i}-{j}",
                        title=" ".join(words),
                        year=(work.year or 2020) + (0, 1, -2, 0)[j],
                        authors=work.authors if j % 2 else ("Someone Else",),
                        extra={},
                    )
                )
        candidates = [d for d in corpus if d.source != "registry"]
        fast = find_cited_in_corpus(cited, corpus)
        slow = [resolve(as_reference(work), candidates) for work in cited]
        assert [(r.document, r.confidence, r.reason) for r in fast] == [
            (r.document, r.confidence, r.reason) for r in slow
        ]
        assert [r.resolved for r in fast] == [True, True, True, False]
        assert "no match: best candidate" in fast[-1].reason
