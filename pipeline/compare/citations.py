"""Which cited works the gathered corpus also holds (a harvested record, an ingested PDF).

The registry describes each cited work; the wider corpus may hold the same work with its full
abstract or text. Each registry entry is turned into a reference and resolved against every
document that is not itself from the registry, by the rule of ``references.resolve``: a DOI match
is certain; otherwise the title must nearly equal the work's (similarity 0.96 or more), or agree
well (0.85 or more) with the same year or first author to confirm it, and a generic title (fewer
than two words left once stop words and the field's frequent title words are set aside, see
``ingest.generic_titles``) needs both a near-equal title and that confirmation. Then no document
may be the match of two cited works: the stronger match keeps it and the other is reported not
found, naming the work that kept it (``references.one_match_per_document``). So the report can
say where a cited work was found, how sure the match is and why, and for the ones not found which
candidate came closest and why it was rejected.

At scale: ``references.resolve`` scores, with difflib, every document sharing a title word with
the reference, and in this literature nearly every title shares "desa", "masyarakat" or
"pemberdayaan" with a cited one: on 100,000 documents that was about 750,000 comparisons of a
few milliseconds each. ``find_cited_in_corpus`` gives ``resolve`` the same answer from far fewer
candidates, exactly: it bounds each candidate's title similarity from above cheaply (see
``_TitleBounds``), scores candidates in order of that bound times the best factor their year
allows, and stops once no remaining candidate could change the answer. The answer depends on
the best two accepted candidates (the match, and a "close second" within 0.05 that ``resolve``
names) and, while no candidate is accepted, on the best candidate of all (the one a "not found"
names). A candidate can only be accepted if its title bound reaches what its year and author
require (``references.needed_title``), which prunes most of them. ``resolve`` then runs on the
documents that could still matter, so its reasons and tie-breaks are its own. (The pruned search
stays here rather than inside ``resolve``: it needs an index over the candidates, built once for
all cited works, which a one-reference function would have to build on every call.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from pipeline.documents import Document, normalise_doi, normalise_title
from pipeline.ingest.generic_titles import is_generic
from pipeline.ingest.references import (
    CLOSE_SECOND,
    MIN_CONFIDENCE,
    Agreement,
    Reference,
    Resolution,
    agreement,
    judge,
    needed_title,
    one_match_per_document,
    resolve,
)

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
    """One Resolution per cited work, against the non-registry documents only: ``resolve``'s
    answer for each (see the module docstring), then at most one cited work per document."""
    # Matching reads titles, years, authors and DOIs only: the texts stay in the store.
    candidates = [replace(d, abstracts={}, full_text="") for d in corpus if d.source != "registry"]
    bounds = _TitleBounds(candidates)
    found = [_resolve_pruned(as_reference(doc), candidates, bounds) for doc in cited]
    return one_match_per_document(found, [doc.key for doc in cited])


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
    """What year and first author leave of a candidate's title similarity (``agreement``,
    exactly as ``resolve`` weighs them), memoised per distinct (year, first author)."""

    def __init__(self, ref: Reference) -> None:
        self.ref = ref
        self._cache: dict[tuple[object, ...], Agreement] = {}

    def exact(self, doc: Document) -> Agreement:
        return self._of(doc.year, doc.authors[:1])

    def best_for_year(self, year: int | None) -> float:
        """The highest factor any candidate of ``year`` can have: its first author the
        reference's own, or unknown."""
        return max(self._of(year, self.ref.authors[:1]).factor, self._of(year, ()).factor)

    def _of(self, year: int | None, authors: tuple[str, ...]) -> Agreement:
        key = (year, authors)
        if key not in self._cache:
            self._cache[key] = agreement(self.ref, year, authors)
        return self._cache[key]


def _resolve_pruned(ref: Reference, docs: Sequence[Document], bounds: _TitleBounds) -> Resolution:
    """``resolve(ref, docs)``, scoring only the candidates that could change its answer."""
    if ref.doi:
        same = [d for d in docs if d.doi and normalise_doi(d.doi) == ref.doi]
        if same:
            return resolve(ref, same)  # resolve answers by DOI alone when one matches
    words = set(normalise_title(ref.title).split())
    index = bounds.sharing(words) if words else []
    if not index:
        return resolve(ref, [])  # the same "no title" or "no document shares a word" answer
    generic = is_generic(ref.title)
    titles = bounds.upper(ref.title, np.array(index, dtype=int)).tolist()
    factors = _Factors(ref)
    # First bound: title bound x the best factor of the candidate's year; sorted by it.
    first = [
        1.0 if i in bounds.always else t * factors.best_for_year(docs[i].year)
        for i, t in zip(index, titles, strict=True)
    ]
    order = sorted(range(len(index)), key=lambda k: -first[k])
    search = _Search()
    for k in order:
        if first[k] < search.threshold():
            break  # no candidate left can change the answer
        doc = docs[index[k]]
        if index[k] not in bounds.always:
            agreed = factors.exact(doc)
            need = needed_title(generic, agreed.confirmed)
            if not search.matters(titles[k], agreed.factor, need):
                continue
            if not search.matters(bounds.tight(ref.title, index[k]), agreed.factor, need):
                continue
        verdict = judge(ref, doc, generic)
        search.add(verdict.score, verdict.accepted, doc)
    return resolve(ref, search.kept())


class _Search:
    """The candidates scored so far, and the score another must be able to reach to matter:
    among accepted ones, to become the match or the close second behind it; while none is
    accepted, to become the best candidate of all (the one a "not found" names)."""

    def __init__(self) -> None:
        self.scored: list[tuple[float, bool, Document]] = []
        self.accepted: list[float] = []  # the best two accepted scores, best first
        self.best = -1.0  # the best score of all

    def add(self, score: float, accepted: bool, doc: Document) -> None:
        self.scored.append((score, accepted, doc))
        self.best = max(self.best, score)
        if accepted:
            self.accepted = sorted([*self.accepted, score], reverse=True)[:2]

    def accepted_threshold(self) -> float:
        """What an acceptable candidate must reach: the match threshold; once one is accepted,
        also within CLOSE_SECOND of it; once two are, also above the second."""
        threshold = MIN_CONFIDENCE
        if self.accepted:
            threshold = max(threshold, self.accepted[0] - CLOSE_SECOND)
        if len(self.accepted) > 1:
            threshold = max(threshold, self.accepted[1])
        return threshold - _EPSILON

    def threshold(self) -> float:
        """What any candidate must reach to matter at all."""
        if self.accepted:
            return self.accepted_threshold()
        return min(self.accepted_threshold(), self.best - _EPSILON)

    def matters(self, title: float, factor: float, need: float | None) -> bool:
        """Could a candidate with title similarity at most ``title``, this year and author
        ``factor`` and this title requirement (``needed_title``) change the answer?"""
        score = title * factor
        could_accept = need is not None and title >= need - _EPSILON
        if could_accept and score >= self.accepted_threshold():
            return True
        return not self.accepted and score >= self.best - _EPSILON

    def kept(self) -> list[Document]:
        """The documents scored that could still matter to ``resolve``'s answer."""
        if self.accepted:
            threshold = self.accepted_threshold()
            return [d for score, ok, d in self.scored if ok and score >= threshold]
        return [d for score, _, d in self.scored if score >= self.best - _EPSILON]
