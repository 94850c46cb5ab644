"""Which cited works the gathered corpus also holds (a harvested record, an ingested PDF).

The registry describes each cited work; the wider corpus may hold the same work with its full
abstract or text. Each registry entry is turned into a reference and resolved against every
document that is not itself from the registry (DOI first, then title + year + first author), so
the report can say where a cited work was found, how sure the match is and why, and list the ones
not found.

At scale: ``references.resolve`` scores, with difflib, every document sharing a title word with
the reference, and in this literature nearly every title shares "desa", "masyarakat" or
"pemberdayaan" with a cited one: on 100,000 documents that was about 750,000 comparisons of a
few milliseconds each. ``find_cited_in_corpus`` gives ``resolve`` the same answer from far fewer
candidates, exactly: it bounds each candidate's score from above cheaply (see ``_TitleBounds``),
scores candidates in order of that bound, and stops once no remaining candidate could change the
answer (which depends only on the best candidate, and on the second when both are matches: the
"close second" ``resolve`` names). ``resolve`` then runs on the documents that could still
matter, so its reasons and tie-breaks are its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from pipeline.documents import Document, normalise_doi, normalise_title
from pipeline.ingest.references import MIN_CONFIDENCE, Reference, Resolution, resolve

# Characters of normalised titles, counted per bucket: a-z, 0-9, space, everything else in one
# bucket (merging characters can only raise the bound, so it stays an upper bound).
_BUCKETS = 38
_BUCKET = {**{chr(97 + i): i for i in range(26)}, **{str(d): 26 + d for d in range(10)}, " ": 36}
_EPSILON = 1e-4  # resolve rounds confidences to 4 places; bounds are widened by as much


def as_reference(doc: Document) -> Reference:
    authors = ", ".join(doc.authors)
    raw = f"{authors} ({doc.year or 'n.d.'}). {doc.title}. {doc.venue}".strip()
    return Reference(
        raw=raw,
        authors=doc.authors,
        year=doc.year,
        title=doc.title,
        venue=doc.venue,
        doi=doc.doi,
        kind="article" if doc.venue else "unknown",
    )


def find_cited_in_corpus(cited: Sequence[Document], corpus: Sequence[Document]) -> list[Resolution]:
    """One Resolution per cited work, against the non-registry documents only (the same answer
    as ``resolve`` against all of them; see the module docstring)."""
    # Matching reads titles, years, authors and DOIs only: the texts stay in the store.
    candidates = [replace(d, abstracts={}, full_text="") for d in corpus if d.source != "registry"]
    bounds = _TitleBounds(candidates)
    return [_resolve_pruned(as_reference(doc), candidates, bounds) for doc in cited]


def _counts(words: Sequence[str]) -> np.ndarray:
    """Character counts of ``words`` joined by single spaces, per bucket."""
    counts = np.zeros(_BUCKETS, dtype=np.int32)
    for word in words:
        for char in word:
            counts[_BUCKET.get(char, 37)] += 1
    counts[36] += max(0, len(words) - 1)
    return counts


class _TitleBounds:
    """Per candidate: its title's words, and the character counts behind an upper bound of
    ``references.title_similarity``.

    title_similarity(a, b) = (token_set_ratio + ordered ratio) / 2, each a difflib ratio (or the
    best of three); a ratio of strings x and y is at most 2 * (characters they have in common,
    as multisets) / (len(x) + len(y)), and at most 2 * min(len) / (len(x) + len(y)).
    """

    def __init__(self, docs: Sequence[Document]) -> None:
        self.words: list[frozenset[str]] = []
        self.titles: list[str] = []  # normalised
        self.postings: defaultdict[str, list[int]] = defaultdict(list)
        distinct_counts, all_counts = [], []
        self.always: set[int] = set()  # documents with a second title: never pruned
        for i, doc in enumerate(docs):
            title = normalise_title(doc.title)
            norm = title.split()
            distinct = frozenset(norm)
            self.words.append(distinct)
            self.titles.append(title)
            for word in distinct:
                self.postings[word].append(i)
            distinct_counts.append(_counts(sorted(distinct)))
            all_counts.append(_counts(norm))
            if doc.extra.get("title_as_published"):
                self.always.add(i)
                for word in normalise_title(str(doc.extra["title_as_published"])).split():
                    self.postings[word].append(i)
        self.distinct = np.array(distinct_counts).reshape(len(docs), _BUCKETS)
        self.all = np.array(all_counts).reshape(len(docs), _BUCKETS)

    def sharing(self, words: set[str]) -> list[int]:
        """Candidates sharing a title word with ``words`` (resolve's own first filter)."""
        found: set[int] = set()
        for word in words:
            found.update(self.postings.get(word, ()))
        return sorted(found)

    def upper(self, title: str, index: np.ndarray) -> np.ndarray:
        """An upper bound of title_similarity(title, candidate) for each candidate in ``index``."""
        words = normalise_title(title).split()
        ta = frozenset(words)
        a_distinct, a_all = _counts(sorted(ta)), _counts(words)
        len_a_distinct, len_a_all = int(a_distinct.sum()), int(a_all.sum())
        b_distinct, b_all = self.distinct[index], self.all[index]
        len_b_distinct, len_b_all = b_distinct.sum(axis=1), b_all.sum(axis=1)
        common = np.minimum(b_distinct, a_distinct).sum(axis=1)
        left_right = 2 * common / np.maximum(len_a_distinct + len_b_distinct, 1)
        ordered = 2 * np.minimum(b_all, a_all).sum(axis=1) / np.maximum(len_a_all + len_b_all, 1)
        # The pairs with the shared words: bounded by their lengths.
        shared_len = np.array(
            [
                sum(len(w) for w in shared) + max(0, len(shared) - 1)
                for shared in (ta & self.words[i] for i in index)
            ],
            dtype=float,
        )
        with_left = 2 * shared_len / np.maximum(shared_len + len_a_distinct, 1)
        with_right = 2 * shared_len / np.maximum(shared_len + len_b_distinct, 1)
        token_set = np.maximum(left_right, np.maximum(with_left, with_right))
        return np.minimum(1.0, (token_set + ordered) / 2)

    def tight(self, title: str, i: int) -> float:
        """A closer upper bound of title_similarity(title, candidate ``i``), at about a tenth of
        its cost: each difflib ratio bounded by the longest common subsequence of the very
        strings it compares (its matching blocks are a common subsequence)."""
        na, nb = normalise_title(title), self.titles[i]
        if not na or not nb:
            return 0.0
        if na == nb:
            return 1.0
        ta, tb = set(na.split()), set(nb.split())
        shared = " ".join(sorted(ta & tb))
        left = " ".join(filter(None, [shared, " ".join(sorted(ta - tb))]))
        right = " ".join(filter(None, [shared, " ".join(sorted(tb - ta))]))
        token_set = _lcs_ratio(left, right)
        if shared:
            token_set = max(token_set, _lcs_ratio(shared, left), _lcs_ratio(shared, right))
        ordered = _lcs_ratio(" ".join(sorted(na.split())), " ".join(sorted(nb.split())))
        return min(1.0, (token_set + ordered) / 2)


def _lcs_ratio(a: str, b: str) -> float:
    """2 * LCS(a, b) / (len(a) + len(b)): at least difflib's ratio of the two strings.

    The LCS by the bit-parallel algorithm of Allison & Dix (1986) / Hyyrö (2004): one pass over
    ``a`` with Python integers as bit vectors over ``b``."""
    if not a or not b:
        return 0.0
    masks: dict[str, int] = {}
    for position, char in enumerate(b):
        masks[char] = masks.get(char, 0) | (1 << position)
    full = (1 << len(b)) - 1
    v = full
    for char in a:
        u = v & masks.get(char, 0)
        v = ((v + u) | (v - u)) & full
    common = len(b) - v.bit_count()
    return 2 * common / (len(a) + len(b))


class _Factors:
    """What year and first author leave of a perfect title match, exactly as ``resolve`` scores
    them: ``resolve`` itself, on the reference and a candidate both titled "z" (title
    similarity 1), so the score is the factor alone and costs microseconds."""

    _TITLE = "z"

    def __init__(self, ref: Reference) -> None:
        self.ref = replace(ref, title=self._TITLE, doi="")
        self._cache: dict[tuple[object, ...], float] = {}

    def exact(self, doc: Document) -> float:
        return self._of(doc.year, doc.authors[:1])

    def best_for_year(self, year: int | None) -> float:
        """The highest factor any candidate of ``year`` can have: its first author the
        reference's own, or unknown."""
        return max(self._of(year, self.ref.authors[:1]), self._of(year, ()))

    def _of(self, year: int | None, authors: tuple[str, ...]) -> float:
        key = (year, authors)
        if key not in self._cache:
            proxy = Document(
                source="bound", identifier="bound", title=self._TITLE, year=year, authors=authors
            )
            self._cache[key] = resolve(self.ref, [proxy]).confidence + _EPSILON
        return self._cache[key]


def _resolve_pruned(ref: Reference, docs: Sequence[Document], bounds: _TitleBounds) -> Resolution:
    """``resolve(ref, docs)``, scoring only the candidates that could be among the best two."""
    if ref.doi:
        same = [d for d in docs if d.doi and normalise_doi(d.doi) == ref.doi]
        if same:
            return resolve(ref, same)  # resolve answers by DOI alone when one matches
    words = set(normalise_title(ref.title).split())
    index = bounds.sharing(words) if words else []
    if not index:
        return resolve(ref, [])  # the same "no title" or "no document shares a word" answer
    titles = bounds.upper(ref.title, np.array(index, dtype=int)).tolist()
    factors = _Factors(ref)
    # First bound: title bound x the best factor of the candidate's year; sorted by it.
    first = [
        1.0 if i in bounds.always else t * factors.best_for_year(docs[i].year)
        for i, t in zip(index, titles, strict=True)
    ]
    order = sorted(range(len(index)), key=lambda k: -first[k])
    scores: list[float] = []  # of the documents scored, best first
    scored: list[tuple[float, Document]] = []
    for k in order:
        threshold = _threshold(scores)
        if first[k] < threshold:
            break  # no candidate left can change the answer
        doc = docs[index[k]]
        if index[k] not in bounds.always:
            factor = factors.exact(doc)
            if titles[k] * factor < threshold or bounds.tight(ref.title, index[k]) * factor < (
                threshold
            ):
                continue
        score = resolve(ref, [doc]).confidence
        scored.append((score, doc))
        scores = sorted([*scores, score], reverse=True)[:2]
    # resolve rounds to 4 places: keep every document that could still matter.
    threshold = _threshold(scores)
    return resolve(ref, [doc for score, doc in scored if score + _EPSILON >= threshold])


def _threshold(scores: list[float]) -> float:
    """The score a candidate must be able to reach to change ``resolve``'s answer, given the
    best two scores found so far: beat the best; or, once the best is a match, be a match close
    behind it (the "close second" ``resolve`` names). Below the match threshold only the best
    candidate is named, so the second does not count there."""
    best = scores[0] - _EPSILON if scores else -1.0
    second = scores[1] - _EPSILON if len(scores) > 1 else -1.0
    return min(best, max(second, MIN_CONFIDENCE - _EPSILON))
