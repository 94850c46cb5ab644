"""Reference strings -> structured records, and each record -> the document it names in the store.

Why by hand and not with a citation parser: the reference lists of Indonesian journals mix APA,
Chicago and house styles within one article ("dkk" for et al., "Vol 8 No 1", the year bare after
the authors, "Kota: Penerbit" for books), and the trained parsers (GROBID, anystyle) need a Java or
Ruby service. A few ordered rules cover these styles and fail soft: what a rule cannot place stays
in ``venue`` and the record's ``kind`` says ``unknown``, so a human can see what was not understood.

Resolution is deliberately conservative: a wrong match says a cited work is in the corpus when it
is not, which a researcher would repeat. A DOI match is certain. Otherwise a candidate is scored
by its title similarity (``title_similarity``: token-set and sorted-word ratios of normalised
titles, written with difflib so no C extension is needed) times a factor for the year and the
first author's surname (``agreement``: 1 when the same or confirming, less when unknown or
different), and it is taken as the referenced work only when

- its title nearly equals the reference's (similarity ``NEAR_EQUAL``, 0.96, or more: the same
  words but for a short word added, dropped or misspelt), or its title agrees well
  (``TITLE_AGREES``, 0.85, or more) and the same year or the same first author confirms it;
- for a generic title (``generic_titles.is_generic``: fewer than two words left once stop words
  and the field's frequent title words are set aside, such as "Model pemberdayaan masyarakat"),
  only a near-equal title confirmed by the same year or first author will do, since several
  papers carry such a title;
- and its score stays at ``MIN_CONFIDENCE`` (0.6) or more, so that a year and an author that
  both disagree veto even an equal title.

The match is the best-scoring accepted candidate. Every resolution carries its confidence and
the reason in words; a reference that matches nothing names its best candidate (by registry key,
or by title, venue and year: never by hash id), and says why it was rejected. References that
match nothing are listed, not dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

from pipeline.documents import Document, normalise_doi, normalise_title
from pipeline.ingest.generic_titles import distinctive_words, is_generic
from pipeline.store import Store

Kind = Literal["article", "book", "proceedings", "report", "unknown"]

# Confidence below which a best candidate is not taken as the referenced work.
MIN_CONFIDENCE = 0.6
# Title similarity at which two titles count as nearly equal (a match without more evidence).
NEAR_EQUAL = 0.96
# The least title similarity of a match that the same year or first author confirms.
TITLE_AGREES = 0.85
# A second accepted candidate this close behind the match is named in its reason.
CLOSE_SECOND = 0.05

_SPACES = re.compile(r"\s+")
_DASHES = re.compile(r"\s*[-‐‑‒–—]+\s*")
_DOI = re.compile(
    r"(?:https?://(?:dx\.)?doi\.org/|\bdoi:\s*)?(10\.\d{4,9}/[^\s\"<>]+)", re.IGNORECASE
)
_URL = re.compile(r"(?:Retrieved from|Diakses dari|Available at|Tersedia di)?\s*https?://\S+", re.I)
_ET_AL = re.compile(r"(?:,\s*|\s+)(?:dkk|dll|et\.?\s*al|and others)\b\.?", re.IGNORECASE)
# The year right after the authors: "(2023)", "(2023a).", "(n.d.)" or bare "2022." (Chicago
# author-date and Indonesian house styles). Bare years need the full stop, so that a title
# starting with a year is not taken for one.
_YEAR_AFTER_AUTHORS = re.compile(
    r"(?:\(\s*(?P<paren>(?:1[5-9]|20)\d\d|n\.\s?d\.|t\.\s?t\.|tanpa tahun)[a-z]?\s*\)\s*[.,:]?"
    r"|(?<=[.,])\s*(?P<bare>(?:1[5-9]|20)\d\d)[a-z]?\s*\.)",
    re.IGNORECASE,
)
_ANY_YEAR = re.compile(r"(?<!\d)((?:1[5-9]|20)\d\d)(?!\d)")
_QUOTED = re.compile(r"^\s*[\"“”'‘](?P<title>.+?)[\"“”'’]\s*[.,]?\s*")
_INITIALS = re.compile(r"^(?:[A-Z][a-z]?\.?\s*-?\s*)+$")
_PAGES = r"[A-Za-z]?\d+(?:\s*[-‐‑‒–—]+\s*[A-Za-z]?\d+)?"
_APA_JOURNAL = re.compile(
    rf"^(?P<venue>.+?),\s*(?P<volume>\d+[A-Za-z]?)\s*(?:\((?P<issue>[^)]*)\))?"
    rf"(?:\s*[,:]\s*(?:pp?\.\s*|hlm\.\s*|hal\.\s*)?(?P<pages>{_PAGES}))?$"
)
_CHICAGO_JOURNAL = re.compile(
    rf"^(?P<venue>.+?)\s+(?P<volume>\d+)(?:,\s*no\.\s*(?P<issue>\w+))?"
    rf"(?:\s*\((?P<when>[^)]*)\))?(?:\s*:\s*(?P<pages>{_PAGES}))?$",
    re.IGNORECASE,
)
_VOL_NO = re.compile(
    r"^(?P<venue>.*?)[,\s]*\b(?:Vol(?:ume)?|Jilid)\b\.?\s*(?P<volume>[\w]+)"
    r"(?:[,\s]*\b(?:No|Nomor|Issue|Edisi)\b\.?\s*(?P<issue>[\w/]+))?(?P<tail>.*)$",
    re.IGNORECASE,
)
_PAGES_IN_TAIL = re.compile(
    rf"(?:\b(?:pp?|hlm|hal(?:aman)?|pages?)\b\.?\s*|[,:]\s*)(?P<pages>{_PAGES})\b", re.IGNORECASE
)
# "(Vol. 1)", "(pp. 10-18)", "(Vol. 2, pp. 110-118)", "(hlm. 5-9)" after a proceedings title.
_PAREN_VOLUME_PAGES = re.compile(
    r"\((?:(?:Vol(?:ume)?|Jilid)\.?\s*(?P<volume>\w+))?\s*,?\s*"
    rf"(?:(?:pp?|hlm|hal)\.?\s*(?P<pages>{_PAGES}))?\)",
    re.IGNORECASE,
)
_PLACE_PUBLISHER = re.compile(
    r"^(?P<place>[A-Z][\w'.-]*(?:[ ,][A-Z][\w'.-]*){0,3}):\s*(?P<pub>.+)$"
)
_PROCEEDINGS = re.compile(
    r"\b(?:prosiding|proceedings?|seminar|conference|konferensi|symposium|simposium|"
    r"semnas|workshop|lokakarya)\b",
    re.IGNORECASE,
)
_REPORT = re.compile(
    r"\b(?:laporan|report|working paper|discussion paper|policy brief|project|proyek|"
    r"skripsi|tesis|thesis|disertasi|dissertation|kertas kerja)\b",
    re.IGNORECASE,
)
_PUBLISHER = re.compile(
    r"\b(?:press|publishing|publisher|publishers|penerbit|pustaka|books?|media|gramedia|"
    r"alfabeta|kencana|prenada|rajawali|refika|erlangga|deepublish|routledge|sage|springer|"
    r"elsevier|wiley)\b",
    re.IGNORECASE,
)
_JOURNAL = re.compile(
    r"\b(?:jurnal|journal|review|studies|quarterly|bulletin|buletin|majalah|acta|"
    r"transactions|letters|e-journal|ejournal)\b",
    re.IGNORECASE,
)
_NAME_TOKEN = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


class ReferenceError(ValueError):
    """A reference string that cannot be read at all; the message quotes it."""


@dataclass(frozen=True)
class Reference:
    """One entry of a reference list, as far as its style lets us read it.

    ``authors`` keep the order and form of the reference ("Lestari, Aprilia", "Yunus Saifuddin");
    ``et_al`` says the list was cut short ("dkk", "et al."). Empty strings mean "not given".
    """

    raw: str
    authors: tuple[str, ...] = ()
    et_al: bool = False
    year: int | None = None
    title: str = ""
    venue: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    publisher: str = ""
    place: str = ""
    doi: str = ""
    url: str = ""
    kind: Kind = "unknown"

    @property
    def first_author_surname(self) -> str:
        """The family name of the first author: before the comma, else the first word.

        Indonesian names often have no family name; the first word is what reference lists and
        citation keys (yunus2017 for "Yunus Saifuddin") use in its place.
        """
        if not self.authors:
            return ""
        first = self.authors[0]
        head = first.split(",", 1)[0] if "," in first else first.split()[0]
        return head.strip(" .")


@dataclass(frozen=True)
class Resolution:
    """What a reference was matched to in the store, how sure we are and why."""

    reference: Reference
    document: Document | None
    confidence: float
    reason: str
    # The best candidate weighed: the match itself, or the document rejected (None: none).
    candidate: Document | None = None

    @property
    def resolved(self) -> bool:
        return self.document is not None

    @property
    def key(self) -> str | None:
        """The registry key (or stable id) of the matched document."""
        return self.document.key if self.document is not None else None


# -- parsing ---------------------------------------------------------------------------------


def parse_reference(text: str) -> Reference:
    """Read one reference string; raises ReferenceError only when it holds no words at all."""
    raw = _SPACES.sub(" ", text).strip()
    if not re.search(r"[^\W\d_]", raw):
        raise ReferenceError(f"reference {text!r}: no words to read")
    rest = raw
    doi = ""
    if match := _DOI.search(rest):
        doi = normalise_doi(match.group(1).rstrip(".,;)"))
        rest = (rest[: match.start()] + rest[match.end() :]).strip()
    url = ""
    if match := _URL.search(rest):
        url = match.group().split()[-1].rstrip(".,;)")
        rest = (rest[: match.start()] + rest[match.end() :]).strip()

    author_part, year, title, tail = _split_head(rest)
    authors, et_al = parse_authors(author_part)
    fields = _parse_tail(tail, title)
    if year is None and (when := _ANY_YEAR.search(fields.pop("when", "") or "")):
        year = int(when.group(1))
    fields.pop("when", None)
    return Reference(
        raw=raw,
        authors=authors,
        et_al=et_al,
        year=year,
        title=title,
        doi=doi,
        url=url,
        **fields,  # type: ignore[arg-type]
    )


def parse_references(lines: Iterable[str]) -> list[Reference]:
    """Parse each non-blank line; blank lines are skipped, unreadable ones raise naming the line."""
    out = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            out.append(parse_reference(line))
        except ReferenceError as exc:
            raise ReferenceError(f"line {number}: {exc}") from exc
    return out


def _split_head(text: str) -> tuple[str, int | None, str, str]:
    """(authors, year, title, what follows the title)."""
    match = _YEAR_AFTER_AUTHORS.search(text)
    quote = re.search(r"[\"“]", text)
    # The year belongs to the head only when what precedes it could be a list of names (no
    # quoted title before it, as in Chicago notes style, where the year follows the venue).
    if match and match.start() <= 160 and not (quote and quote.start() < match.start()):
        authors = text[: match.start()]
        found = match.group("paren") or match.group("bare")
        year = int(found) if found and found.isdigit() else None
        title, tail = _split_title(text[match.end() :])
        return authors, year, title, tail
    # Chicago notes-bibliography: Author. "Title." Venue 5, no. 2 (2019): 1-9.
    if quote:
        title, tail = _split_title(text[quote.start() :])
        return text[: quote.start()], None, title, tail
    # No year and no quotes: "Author. Title. Rest" is the best guess left.
    parts = _split_sentences(text, limit=2)
    if len(parts) == 3:
        return parts[0], None, parts[1], parts[2]
    return "", None, text.strip(" ."), ""


def _split_title(text: str) -> tuple[str, str]:
    text = text.strip()
    if match := _QUOTED.match(text):
        return match.group("title").strip(" .,"), text[match.end() :].strip()
    # A full stop ends the title; "?" or "!" only when no full stop follows ("Siap? Studi ...").
    parts = _split_sentences(text, limit=1, enders=".")
    if len(parts) == 1:
        parts = _split_sentences(text, limit=1, enders="?!")
    title = parts[0].strip()
    if title.endswith("."):
        title = title[:-1]
    return title.strip(), (parts[1].strip() if len(parts) > 1 else "")


def _split_sentences(text: str, limit: int, enders: str = ".?!") -> list[str]:
    """Split at up to ``limit`` sentence ends outside brackets: ". " before a capital or bracket.

    A "?" or "!" stays with the title it ends; a single capital before the full stop is an
    initial, not a sentence end.
    """
    parts: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif ch in enders and depth == 0 and len(parts) < limit:
            after = text[i + 1 : i + 3]
            initial = (
                ch == "."
                and i >= 1
                and text[i - 1].isupper()
                and (i < 2 or not text[i - 2].isalpha())
            )
            if after[:1] == " " and (after[1:2].isupper() or after[1:2] in '("“') and not initial:
                end = i + 1 if ch in "?!" else i
                parts.append(text[start:end])
                start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def parse_authors(text: str) -> tuple[tuple[str, ...], bool]:
    """Names from an author list in APA, Chicago or Indonesian house style, and "et al."."""
    text = _SPACES.sub(" ", text).strip(" ,")
    et_al = False
    if _ET_AL.search(text):
        et_al = True
        text = _ET_AL.sub("", text).strip(" ,")
    text = text.rstrip(" .,") if not _ends_with_initial(text) else text.rstrip(" ,")
    if not text:
        return (), et_al
    chunks = [
        c.strip(" ,") for c in re.split(r",?\s*(?:&|\band\b|\bdan\b)\s*", text) if c.strip(" ,")
    ]
    chicago = len(chunks) > 1 and "," not in chunks[-1] and " " in chunks[-1]
    names: list[str] = []
    for position, chunk in enumerate(chunks):
        tokens = [t.strip() for t in chunk.split(",") if t.strip()]
        if chicago and position > 0:
            names.extend(tokens)  # natural order after the first author: "Siti Rahayu"
            continue
        if chicago:
            names.append(_join_name(tokens[0], tokens[1]) if len(tokens) > 1 else tokens[0])
            names.extend(tokens[2:])
            continue
        names.extend(_pair_names(tokens, single=len(chunks) == 1))
    return tuple(names), et_al


def _pair_names(tokens: list[str], single: bool) -> list[str]:
    """["Usman", "M. I.", "Hasan", "M."] -> ["Usman, M. I.", "Hasan, M."].

    A token is a given name when it is made of initials or ends with a full stop ("Aprilia.");
    a list of exactly two one-word-first tokens on its own ("Nursansiwi, Dwi Arini") is one
    inverted name. Anything else ("Yunus Saifuddin, Suadi, Fadli") is a list of whole names.
    """
    if single and len(tokens) == 2 and " " not in tokens[0]:
        return [_join_name(tokens[0], tokens[1])]
    names: list[str] = []
    i = 0
    while i < len(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if nxt and (_INITIALS.match(nxt) or nxt.endswith(".")) and " " not in tokens[i]:
            names.append(_join_name(tokens[i], nxt))
            i += 2
        else:
            names.append(tokens[i])
            i += 1
    return names


def _join_name(family: str, given: str) -> str:
    given = given.strip()
    if not _INITIALS.match(given):
        given = given.rstrip(".")  # "Aprilia." -> "Aprilia"; initials keep their dots
    return f"{family.strip()}, {given}"


def _ends_with_initial(text: str) -> bool:
    return bool(re.search(r"(?:^|[\s,.])[A-Z]\.$", text))


def _parse_tail(tail: str, title: str = "") -> dict[str, str]:
    """Venue, volume, issue, pages, publisher, place and kind from what follows the title.

    The title only helps tell a report from a book ("Laporan ...", "... Working Paper").
    """
    text = tail.strip().rstrip(".").strip()
    out: dict[str, str] = {}
    if not text:
        out["kind"] = "unknown"
        return out
    chapter = re.match(r"^(?:In|Dalam)\s+", text)
    if chapter:
        text = text[chapter.end() :]
        for m in _PAREN_VOLUME_PAGES.finditer(text):
            if m.group("volume") or m.group("pages"):
                out["volume"] = m.group("volume") or ""
                out["pages"] = _pages(m.group("pages") or "")
                text = (text[: m.start()] + text[m.end() :]).strip(" .,")
                break
        venue, _, publisher = (p.strip(" .,") for p in text.partition(". "))
        out["venue"] = venue
        if m := _PLACE_PUBLISHER.match(publisher):
            out.update(place=m.group("place").strip(), publisher=m.group("pub").strip(" .,"))
        elif publisher:
            out["publisher"] = publisher
        out["kind"] = "proceedings" if _PROCEEDINGS.search(venue) else "book"
        return {k: v for k, v in out.items() if v}
    if m := _APA_JOURNAL.match(text):
        return _journal(m.group("venue"), m.group("volume"), m.group("issue"), m.group("pages"))
    if m := _VOL_NO.match(text):
        tail_text = m.group("tail")
        pages = ""
        if p := _PAGES_IN_TAIL.search(tail_text):
            pages = p.group("pages")
            tail_text = tail_text[: p.start()] + tail_text[p.end() :]
        out = _journal(m.group("venue"), m.group("volume"), m.group("issue"), pages)
        if publisher := tail_text.strip(" .,;:()"):
            out["publisher"] = publisher
        return out
    if (m := _CHICAGO_JOURNAL.match(text)) and (m.group("issue") or m.group("pages")):
        # "7, no. 2 (2019): 88-104" (notes style) or "7 (2): 88-104" (author-date style).
        when, issue = m.group("when") or "", m.group("issue") or ""
        if not issue and when and not _ANY_YEAR.search(when):
            issue, when = when, ""
        out = _journal(m.group("venue"), m.group("volume"), issue, m.group("pages"))
        out["when"] = when
        return out
    if m := _PLACE_PUBLISHER.match(text):
        publisher = m.group("pub").strip(" .,")
        kind: Kind = "report" if _REPORT.search(f"{title} {publisher}") else "book"
        return {"place": m.group("place").strip(), "publisher": publisher, "kind": kind}
    if _PROCEEDINGS.search(text):
        return {"venue": text, "kind": "proceedings"}
    if _JOURNAL.search(text):
        return {"venue": text, "kind": "article"}
    if _REPORT.search(f"{title} {text}"):
        return {"publisher": text, "kind": "report"}
    if _PUBLISHER.search(text):
        return {"publisher": text, "kind": "book"}
    return {"venue": text, "kind": "unknown"}


def _journal(
    venue: str, volume: str | None, issue: str | None, pages: str | None
) -> dict[str, str]:
    venue = venue.strip(" .,")
    kind: Kind = "proceedings" if _PROCEEDINGS.search(venue) else "article"
    return {
        "venue": venue,
        "volume": (volume or "").strip(),
        "issue": (issue or "").strip(),
        "pages": _pages(pages or ""),
        "kind": kind,
    }


def _pages(text: str) -> str:
    """ "31–41" and "31 - 41" -> "31-41"."""
    return _DASHES.sub("-", text.strip())


# -- resolution ------------------------------------------------------------------------------


def token_set_ratio(a: str, b: str) -> float:
    """Similarity in 0..1 of two strings as sets of words, insensitive to order and repeats.

    Compares the shared words alone and with each side's remaining words appended, and keeps
    the best of the three SequenceMatcher ratios; a title contained in another scores 1.
    """
    ta, tb = set(a.split()), set(b.split())
    if not ta or not tb:
        return 0.0
    shared = " ".join(sorted(ta & tb))
    left = " ".join(filter(None, [shared, " ".join(sorted(ta - tb))]))
    right = " ".join(filter(None, [shared, " ".join(sorted(tb - ta))]))
    pairs = [(left, right)] + ([(shared, left), (shared, right)] if shared else [])
    return max(SequenceMatcher(None, x, y, autojunk=False).ratio() for x, y in pairs)


def title_similarity(a: str, b: str) -> float:
    """Token-set ratio of normalised titles, softened when one only contains the other.

    The token-set ratio alone says "Model pemberdayaan masyarakat" is "Model Pemberdayaan
    Masyarakat Terpadu"; averaging with the ratio of the sorted word lists keeps a contained
    title from scoring as an identical one.
    """
    na, nb = normalise_title(a), normalise_title(b)
    if not na or not nb:
        return 0.0
    if na == nb:
        return 1.0
    ordered = SequenceMatcher(
        None, " ".join(sorted(na.split())), " ".join(sorted(nb.split())), autojunk=False
    ).ratio()
    return (token_set_ratio(na, nb) + ordered) / 2


def _author_tokens(names: Sequence[str]) -> set[str]:
    return {t.lower() for t in _NAME_TOKEN.findall(names[0])} if names else set()


def _titles(doc: Document) -> list[str]:
    """The title, and for registry works the title as published where the citation differs."""
    published = doc.extra.get("title_as_published")
    return [doc.title, str(published)] if published else [doc.title]


def _title_words(doc: Document) -> set[str]:
    return {w for t in _titles(doc) for w in normalise_title(t).split()}


def describe(doc: Document) -> str:
    """A document as a reader can look it up: its registry key, else its title in quotes (cut
    at 100 characters) with its venue and year; never the hash id nobody can look up."""
    if doc.extra.get("key"):
        return str(doc.extra["key"])
    title = _SPACES.sub(" ", doc.title).strip() or "(untitled)"
    if len(title) > 100:
        title = title[:99].rstrip() + "…"
    where = ", ".join(part for part in (doc.venue.strip(), str(doc.year or "")) if part)
    return f"“{title}”" + (f" ({where})" if where else "")


@dataclass(frozen=True)
class Agreement:
    """What the year and the first author say of a candidate: the factor they leave of its
    title similarity, whether either of them confirms it, and both in words."""

    factor: float
    confirmed: bool
    year: str
    author: str


def agreement(ref: Reference, year: int | None, authors: Sequence[str]) -> Agreement:
    """Year and first author of a candidate against the reference's.

    Only the same year and the same first author confirm; an unknown one costs a little (0.95),
    a year one off more (0.9), a year further off or another first author much more (0.6, 0.7).
    """
    factor, confirmed = 1.0, False
    if ref.year is None or year is None:
        factor *= 0.95
        year_words = "year unknown"
    elif ref.year == year:
        confirmed = True
        year_words = "same year"
    elif abs(ref.year - year) == 1:
        factor *= 0.9
        year_words = f"years differ by one ({ref.year} vs {year})"
    else:
        factor *= 0.6
        year_words = f"years differ ({ref.year} vs {year})"
    surname = ref.first_author_surname.lower()
    doc_author = _author_tokens(authors)
    if not surname or not doc_author:
        factor *= 0.95
        author_words = "first author unknown"
    elif set(_NAME_TOKEN.findall(surname)) & doc_author:
        confirmed = True
        author_words = "same first author"
    else:
        factor *= 0.7
        author_words = f"first authors differ ({ref.first_author_surname} vs {authors[0]})"
    return Agreement(factor, confirmed, year_words, author_words)


def needed_title(generic: bool, confirmed: bool) -> float | None:
    """The title similarity a candidate needs (the module docstring's rule); None: no title
    similarity is enough (a generic title that neither year nor first author confirms)."""
    if generic:
        return NEAR_EQUAL if confirmed else None
    return TITLE_AGREES if confirmed else NEAR_EQUAL


@dataclass(frozen=True)
class Judgement:
    """One candidate weighed: its score (title similarity x year and author factor), whether it
    may be taken as the referenced work, the evidence in words and, when it may not, why."""

    score: float
    accepted: bool
    evidence: str
    failed: str


def judge(
    ref: Reference, doc: Document, generic: bool, min_confidence: float = MIN_CONFIDENCE
) -> Judgement:
    """Weigh ``doc`` as the work ``ref`` names (``generic``: ``is_generic(ref.title)``)."""
    title, which = max((title_similarity(ref.title, t), i) for i, t in enumerate(_titles(doc)))
    agreed = agreement(ref, doc.year, doc.authors)
    score = title * agreed.factor
    title_words = f"title similarity {title:.2f}" + (" (as published)" if which == 1 else "")
    evidence = f"{title_words}, {agreed.year}, {agreed.author}"
    need = needed_title(generic, agreed.confirmed)
    failed = ""
    if title < TITLE_AGREES:
        failed = f"the titles differ (a match needs {TITLE_AGREES:.2f} or more)"
    elif need is None or (generic and title < need):
        words = distinctive_words(ref.title)
        which_words = f"distinctive: {', '.join(words)}" if words else "no distinctive word"
        failed = (
            f"a generic title ({which_words}) needs a near-equal title ({NEAR_EQUAL:.2f} or more) "
            "and the same year or first author"
        )
    elif title < need:
        failed = (
            f"the title is close but not near-equal ({NEAR_EQUAL:.2f}), and neither the year "
            "nor the first author agrees"
        )
    elif score < min_confidence:
        failed = (
            f"the year and first author leave a confidence of {score:.2f}, "
            f"under {min_confidence:.2f}"
        )
    return Judgement(score, not failed, evidence, failed)


def resolve(
    ref: Reference, documents: Sequence[Document], min_confidence: float = MIN_CONFIDENCE
) -> Resolution:
    """The document ``ref`` names: DOI first, then the best-scoring candidate the title rule
    accepts (module docstring); when none is accepted, the best candidate and why it was not.

    Ties go to the registry's curated record, then to the lowest id, so the answer never
    depends on the order documents are given in.
    """
    if ref.doi:
        same = [d for d in documents if d.doi and normalise_doi(d.doi) == ref.doi]
        if same:
            best = min(same, key=lambda d: (d.source != "registry", d.id))
            return Resolution(ref, best, 1.0, f"same DOI {ref.doi}", candidate=best)
    if not normalise_title(ref.title):
        return Resolution(ref, None, 0.0, "no title and no DOI to match on")
    # Only works sharing a title word are scored: SequenceMatcher is too slow for every pair
    # of a large store, and a work with no word in common could not pass the threshold anyway.
    words = set(normalise_title(ref.title).split())
    generic = is_generic(ref.title)
    judged = sorted(
        ((judge(ref, d, generic, min_confidence), d) for d in documents if words & _title_words(d)),
        key=lambda x: (-x[0].score, x[1].source != "registry", x[1].id),
    )
    if not judged:
        return Resolution(ref, None, 0.0, "no document shares a title word with it")
    accepted = [(j, d) for j, d in judged if j.accepted]
    if not accepted:
        verdict, best = judged[0]
        confidence = round(min(1.0, verdict.score), 4)
        return Resolution(
            ref,
            None,
            confidence,
            f"not found: best candidate {describe(best)} at {confidence:.2f} "
            f"({verdict.evidence}): {verdict.failed}",
            candidate=best,
        )
    verdict, best = accepted[0]
    confidence = round(min(1.0, verdict.score), 4)
    reason = verdict.evidence
    if len(accepted) > 1 and accepted[1][0].score > confidence - CLOSE_SECOND:
        second, other = accepted[1]
        reason += f"; close second {describe(other)} at {second.score:.2f}"
    return Resolution(ref, best, confidence, reason, candidate=best)


def one_match_per_document(
    resolutions: Sequence[Resolution], names: Sequence[str]
) -> list[Resolution]:
    """No document is the match of two references: the strongest match (highest confidence; on
    a tie the one listed first) keeps it, the others become "not found", naming the one that
    kept it. ``names`` names each reference in the reasons (the registry key of a cited work).

    Two cited works are two works, so a document both would match is at best one of them.
    (Not for a paper's own reference list, where one work can be listed twice.)
    """
    if len(names) != len(resolutions):
        raise ValueError(f"{len(resolutions)} resolutions but {len(names)} names")
    claims: dict[str, list[int]] = {}
    for i, resolution in enumerate(resolutions):
        if resolution.document is not None:
            claims.setdefault(resolution.document.id, []).append(i)
    out = list(resolutions)
    for claimants in claims.values():
        winner = min(claimants, key=lambda i: (-resolutions[i].confidence, i))
        for i in claimants:
            if i == winner:
                continue
            lost = resolutions[i]
            assert lost.document is not None
            out[i] = Resolution(
                lost.reference,
                None,
                lost.confidence,
                f"not found: its best candidate {describe(lost.document)} is the match of "
                f"{names[winner]} (confidence {resolutions[winner].confidence:.2f} against "
                f"{lost.confidence:.2f}; {lost.reason})",
                candidate=lost.document,
            )
    return out


def resolve_in_store(
    refs: Iterable[Reference], store: Store, min_confidence: float = MIN_CONFIDENCE
) -> list[Resolution]:
    """Resolve every reference against the live documents of the store (read once)."""
    documents = list(store.iter_documents())
    return [resolve(ref, documents, min_confidence) for ref in refs]


def unresolved(resolutions: Iterable[Resolution]) -> list[Resolution]:
    """The references that matched no document, for the report to list."""
    return [r for r in resolutions if not r.resolved]
