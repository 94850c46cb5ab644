"""Citation-ready exports: BibTeX, RIS and CSL-JSON of the case, its cited works, the case's
nearest neighbours and the whole corpus.

Why a module of its own: a reader of the report wants to cite what it names without retyping it,
and a reference manager (Zotero, Mendeley, JabRef) imports these three formats. What goes out must
be the verified metadata, not the working notes of the registry: the authors as found (the
registry's ``authors_found`` where the seed abbreviated them, "Sujatmiko, dkk"), the title as
published (``title_as_published`` where the seed cites it otherwise), the venue's name without
the curator's provenance notes ("... - inferred from the article URL path ..."), and only a URL
that is the work's own page. What the registry says about a known slip (the case's title spells
the NGO "Sriwijawa") goes into the entry's note, where a reference manager keeps it.

The corpus may hold 100,000 documents: ``write_exports`` streams it, one document at a time, into
the three writers, and keeps only the citation keys (for de-duplication) and the few citations the
smaller files need.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO

from pipeline.documents import Document, normalise_doi

FOLDER = "citations"
SETS = ("case", "cited", "neighbours", "corpus")
FORMATS = {"bib": "BibTeX", "ris": "RIS", "json": "CSL-JSON"}

# CSL type -> BibTeX entry type and RIS type.
_BIBTEX_TYPES = {
    "article-journal": "article",
    "book": "book",
    "paper-conference": "inproceedings",
    "report": "techreport",
    "document": "misc",
}
_RIS_TYPES = {
    "article-journal": "JOUR",
    "book": "BOOK",
    "paper-conference": "CPAPER",
    "report": "RPRT",
    "document": "GEN",
}
# Types that bibliography files give (BibTeX entry types, RIS TY) -> CSL.
_TYPES_IN = {
    "article": "article-journal",
    "jour": "article-journal",
    "ejour": "article-journal",
    "book": "book",
    "inbook": "book",
    "incollection": "book",
    "chap": "book",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "cpaper": "paper-conference",
    "conf": "paper-conference",
    "techreport": "report",
    "rprt": "report",
    "report": "report",
}

_SPACES = re.compile(r"\s+")
_ET_AL = re.compile(r"[\s,.]*\b(dkk|et\s+al|and\s+others)\b\.?", re.IGNORECASE)
_PARENTHESES = re.compile(r"\s*\(([^()]*)\)")
_TRAILING_PARENTHESIS = re.compile(r"^(.*\S)\s*\(([^()]*)\)\s*$")
_INSTITUTION = re.compile(
    r"\b(universit\w*|institut\w*|stikes|sekolah tinggi|politeknik|press|publishing|penerbit)\b",
    re.IGNORECASE,
)
_PAGE_RANGE = re.compile(r"^\s*([0-9A-Za-z]+)\s*(?:-+|–|—)\s*([0-9A-Za-z]+)\s*$")
_FIRST_PAGE = re.compile(r"^\s*(\d+)\b")
_OWN_PAGE = re.compile(r"/article/view/")  # an OJS article page: the journal's own
_KEY_WORD = re.compile(r"[a-z0-9]+")
_KEY_SKIP = frozenset({"a", "an", "the", "of", "on", "in", "di", "dan", "yang", "ke", "dari"})
_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
}
_BIBTEX_ESCAPE = re.compile(r"[\\{}%&$#_^~]")
_LANGIDS = {"id": "indonesian", "en": "english"}  # babel/polyglossia names, as biblatex wants
_ACRONYM = re.compile(r"(?<![\w{])([A-Za-z]*[A-Z][A-Za-z]*[A-Z][\w-]*)")


@dataclass(frozen=True)
class Name:
    """One author: ``family`` alone for a single name (common in Indonesia: Suadi, Budiyono)."""

    family: str
    given: str = ""


@dataclass(frozen=True)
class Citation:
    """What a reference manager needs of a work, already cleaned; ``type`` is a CSL type."""

    key: str
    type: str
    title: str
    authors: tuple[Name, ...] = ()
    more_authors: bool = False  # the source ends the list with "dkk" / "et al."
    year: int | None = None
    container: str = ""  # journal, proceedings
    publisher: str = ""
    place: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""  # "31-41" or "632"
    doi: str = ""
    url: str = ""
    language: str = ""
    keywords: tuple[str, ...] = ()
    issn: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def note(self) -> str:
        return " ".join(self.notes)


# -- Document -> Citation --------------------------------------------------------------------


def _clean(value: object) -> str:
    return _SPACES.sub(" ", str(value or "")).strip()


def parse_name(raw: str) -> Name | None:
    """Names as sources write them ("Lestari, Aprilia.", "Aprilia Lestari", "Suadi").

    Affiliations in parentheses ("Hardi Warsono (Universitas Diponegoro)") are not part of a name.
    """
    text = _clean(_PARENTHESES.sub("", raw)).strip(" ,;")
    if not text:
        return None
    if "," in text:
        family, given = (part.strip() for part in text.split(",", 1))
    else:
        *first, last = text.split(" ")
        family, given = last, " ".join(first)
    # "Aprilia." is a name with a stray full stop; "E." is an initial and keeps its stop.
    if given.endswith(".") and len(given.rstrip(".").split(" ")[-1]) > 1:
        given = given.rstrip(".")
    family = family.rstrip(".") if len(family) > 2 else family
    return Name(family=family, given=given) if family else None


def parse_names(raws: Iterable[str]) -> tuple[tuple[Name, ...], bool]:
    """The names, and whether the list was cut short with dkk / et al."""
    names: list[Name] = []
    more = False
    for raw in raws:
        if _ET_AL.search(raw):
            more = True
            raw = _ET_AL.sub("", raw)
        name = parse_name(raw)
        if name is not None:
            names.append(name)
    return tuple(names), more


def _pages(raw: str) -> tuple[str, str]:
    """(pages, note): "31-41" stays; "632 (as given in the seed; ...)" -> "632" and the remark."""
    text = _clean(raw)
    if not text:
        return "", ""
    note = "; ".join(m.group(1) for m in _PARENTHESES.finditer(text))
    bare = _clean(_PARENTHESES.sub("", text))
    match = _PAGE_RANGE.match(bare)
    if match:
        return f"{match.group(1)}-{match.group(2)}", note
    first = _FIRST_PAGE.match(bare)
    return (first.group(1) if first else bare), note


def _split_place(text: str) -> tuple[str, str]:
    """Place and publisher: "Aceh: Bandar Publishing" -> ("Aceh", "Bandar Publishing")."""
    place, sep, rest = text.partition(":")
    if sep and rest.strip() and len(place.split()) <= 3:
        return place.strip(), rest.strip()
    return "", text.strip()


def registry_venue(venue: str, remarks: str) -> dict[str, str]:
    """The registry's venue line as citation fields: type, container, publisher, place.

    The registry's venues are curated notes ("Book - Aceh: Bandar Publishing", "Jurnal Noken:
    Ilmu-Ilmu Sosial (Universitas Muhammadiyah Sorong) - inferred from the article URL path
    ..."): the journal's name is what comes before " - " and a trailing parenthesis; a
    parenthesis naming an institution is the publisher, an abbreviation ("(JISIP)") stays part
    of the name, and any other one is the curator's remark, which a citation leaves out.
    """
    text = _clean(venue)
    head, sep, tail = text.partition(" - ")
    is_book = head.lower() == "book" or remarks.lower().startswith("book")
    if head.lower() == "book":
        text = tail
    elif sep:
        text = head
    publisher = ""
    match = _TRAILING_PARENTHESIS.match(text)
    if match and not re.fullmatch(r"[A-Z0-9&.\-]+", match.group(2).strip()):
        text, inside = match.group(1).strip(), match.group(2).strip()
        if _INSTITUTION.search(inside) and not is_book:
            publisher = inside
    if is_book:
        place, publisher = _split_place(text)
        return {"type": "book", "container": "", "publisher": publisher, "place": place}
    kind = "paper-conference" if re.match(r"(?i)prosiding|proceedings", text) else "article-journal"
    return {"type": kind, "container": text, "publisher": publisher, "place": ""}


def _typo_remarks(remarks: str) -> list[str]:
    """The registry's remarks about a known slip in the work's own text (its title's typo)."""
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", _clean(remarks))
    return [s for s in sentences if re.search(r"\btypo\b|\bmisspel", s, re.IGNORECASE)]


def _for_readers(note: str) -> str:
    """The registry's word for the case study's text ("the seed") in a reader's words."""
    note = re.sub(r"\bSeed header\b", "The case study's header", note)
    return re.sub(r"\b(the|in the) seed\b", r"\1 case study's reference list", note)


def _own_url(urls: Sequence[str]) -> str:
    """Only the journal's own article page: the registry also lists aggregator mirrors and pages
    about other papers, which a citation must not point to."""
    return next((u for u in urls if _OWN_PAGE.search(u)), "")


def citation_of(doc: Document, key: str = "") -> Citation:
    """The document as a citation (``key`` set later by ``KeyMaker`` when empty)."""
    if doc.source == "registry":
        return _registry_citation(doc, key or doc.key)
    names, more = parse_names(doc.authors)
    kind = _TYPES_IN.get(
        str(doc.extra.get("entry_type") or doc.extra.get("ris_type") or "").lower(),
        "article-journal" if doc.venue else "document",
    )
    return Citation(
        key=key,
        type=kind,
        title=_clean(doc.title),
        authors=names,
        more_authors=more,
        year=doc.year,
        container=_clean(doc.venue) if kind != "book" else "",
        publisher=_clean(doc.venue if kind == "book" else doc.extra.get("publisher", "")),
        issn=_clean((doc.extra.get("issn") or [""])[0]),
        doi=normalise_doi(doc.doi) if doc.doi else "",
        url=_clean(doc.url),
        language=doc.language if doc.language not in ("und", "") else "",
        keywords=doc.keywords,
        volume=_clean(doc.extra.get("volume", "")),
        issue=_clean(doc.extra.get("issue", "")),
        pages=_pages(str(doc.extra.get("pages", "")))[0],
    )


def _registry_citation(doc: Document, key: str) -> Citation:
    extra = doc.extra
    remarks = str(extra.get("remarks", ""))
    names, more = parse_names(extra.get("authors_found") or doc.authors)
    venue = registry_venue(doc.venue, remarks)
    pages, pages_note = _pages(str(extra.get("pages", "")))
    title = _clean(extra.get("title_as_published") or doc.title).rstrip(".")
    notes = [f"Known typo: {remark}" for remark in _typo_remarks(remarks)]
    if extra.get("title_as_published") and _clean(doc.title) != title:
        notes.append(f"Cited in the case study as: {_clean(doc.title)}.")
    if extra.get("found") is False:
        notes.append(
            "Not found online: the details are as the case study's reference list gives them."
        )
    if more:
        notes.append("The list of authors is cut short (dkk / et al.) where it was found.")
    if pages_note:
        notes.append(f"Pages {pages_note}.")
    notes = [_for_readers(note) for note in notes]
    return Citation(
        key=key,
        type=venue["type"],
        title=title,
        authors=names,
        more_authors=more,
        year=doc.year,
        container=venue["container"],
        publisher=venue["publisher"],
        place=venue["place"],
        volume=_clean(extra.get("volume", "")),
        issue=_clean(extra.get("issue", "")),
        pages=pages,
        doi=normalise_doi(doc.doi) if doc.doi else "",
        url=_own_url([str(u) for u in extra.get("urls", [])]),
        language=doc.language if doc.language not in ("und", "") else "",
        notes=tuple(notes),
    )


# -- citation keys ---------------------------------------------------------------------------


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()


def base_key(citation: Citation) -> str:
    """author + year + first title word: "lestari2024multi"; "anon" and "nd" fill gaps."""
    family = citation.authors[0].family if citation.authors else "anon"
    author = "".join(_KEY_WORD.findall(_ascii(family))) or "anon"
    words = [w for w in _KEY_WORD.findall(_ascii(citation.title)) if w not in _KEY_SKIP]
    return f"{author}{citation.year or 'nd'}{words[0] if words else ''}"


class KeyMaker:
    """Readable keys, unique within one export: the registry's own keys first, others get
    author+year+word and, on a clash, a, b, c, ... (as Better BibTeX does)."""

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self.used: set[str] = set(reserved)
        self._next: dict[str, int] = {}  # the next suffix to try per base: no quadratic search

    def __call__(self, citation: Citation) -> Citation:
        base = base_key(citation)
        key, n = base, self._next.get(base, 0)
        if n or key in self.used:
            while (key := f"{base}{_suffix(n)}") in self.used:
                n += 1
            n += 1
        self._next[base] = n
        self.used.add(key)
        return replace(citation, key=key)


def _suffix(n: int) -> str:
    letters = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(ord("a") + rem) + letters
    return letters


# -- writers ---------------------------------------------------------------------------------


def bibtex_escape(value: str) -> str:
    """Special characters escaped so any BibTeX reader takes the value as text."""
    return _BIBTEX_ESCAPE.sub(lambda m: _BIBTEX_SPECIAL[m.group()], _clean(value))


def _protect_capitals(title: str) -> str:
    """Acronyms (NGO, LPM, BUMDes, COVID-19) braced so a style's sentence case keeps them."""
    return _ACRONYM.sub(r"{\1}", title)


def bibtex_entry(c: Citation) -> str:
    authors = [f"{n.family}, {n.given}" if n.given else n.family for n in c.authors]
    if c.more_authors:
        authors.append("others")
    fields: list[tuple[str, str]] = [
        ("author", " and ".join(bibtex_escape(a) for a in authors)),
        ("title", _protect_capitals(bibtex_escape(c.title))),
        ("booktitle" if c.type == "paper-conference" else "journal", bibtex_escape(c.container)),
        ("publisher" if c.type != "report" else "institution", bibtex_escape(c.publisher)),
        ("address", bibtex_escape(c.place)),
        ("year", str(c.year or "")),
        ("volume", bibtex_escape(c.volume)),
        ("number", bibtex_escape(c.issue)),
        ("pages", bibtex_escape(c.pages).replace("-", "--")),
        ("issn", bibtex_escape(c.issn)),
        ("doi", bibtex_escape(c.doi)),
        ("url", bibtex_escape(c.url)),
        ("langid", _LANGIDS.get(c.language, "")),
        ("keywords", bibtex_escape(", ".join(c.keywords))),
        ("note", bibtex_escape(c.note)),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@{_BIBTEX_TYPES[c.type]}{{{c.key},\n{body}\n}}\n"


def _ris_value(value: str) -> str:
    return _clean(value)  # one line per tag: a newline would end the value


def ris_record(c: Citation) -> str:
    lines = [("TY", _RIS_TYPES[c.type]), ("ID", c.key)]
    lines += [("AU", f"{n.family}, {n.given}" if n.given else n.family) for n in c.authors]
    lines += [("TI", c.title), ("T2", c.container), ("PB", c.publisher), ("CY", c.place)]
    lines += [("PY", str(c.year or "")), ("VL", c.volume), ("IS", c.issue)]
    start, _, end = c.pages.partition("-")
    lines += [
        ("SP", start),
        ("EP", end),
        ("SN", c.issn),
        ("DO", c.doi),
        ("UR", c.url),
        ("LA", c.language),
    ]
    lines += [("KW", k) for k in c.keywords]
    lines += [("N1", c.note)]
    out = [f"{tag}  - {_ris_value(value)}" for tag, value in lines if _ris_value(value)]
    return "\n".join([*out, "ER  - ", ""]) + "\n"


def csl_item(c: Citation) -> dict[str, object]:
    item: dict[str, object] = {"id": c.key, "citation-key": c.key, "type": c.type}
    item["title"] = c.title
    if c.authors:
        item["author"] = [
            {"family": n.family, "given": n.given} if n.given else {"family": n.family}
            for n in c.authors
        ]
    if c.year:
        item["issued"] = {"date-parts": [[c.year]]}
    optional = {
        "container-title": c.container,
        "publisher": c.publisher,
        "publisher-place": c.place,
        "volume": c.volume,
        "issue": c.issue,
        "page": c.pages,
        "ISSN": c.issn,
        "DOI": c.doi,
        "URL": c.url,
        "language": c.language,
        "keyword": ", ".join(c.keywords),
        "note": c.note,
    }
    item.update({name: value for name, value in optional.items() if value})
    return item


class _Writers:
    """The three files of one set, written entry by entry (CSL-JSON as a streamed array)."""

    def __init__(self, stack: ExitStack, folder: Path, name: str, formats: Sequence[str]) -> None:
        self.handles: dict[str, IO[str]] = {
            fmt: stack.enter_context((folder / f"{name}.{fmt}").open("w", encoding="utf-8"))
            for fmt in formats
        }
        self.count = 0
        if "json" in self.handles:
            self.handles["json"].write("[")

    def add(self, c: Citation) -> None:
        for fmt, handle in self.handles.items():
            if fmt == "bib":
                handle.write(("\n" if self.count else "") + bibtex_entry(c))
            elif fmt == "ris":
                handle.write(ris_record(c))
            else:
                sep = ",\n" if self.count else "\n"
                handle.write(sep + json.dumps(csl_item(c), ensure_ascii=False))
        self.count += 1

    def close(self) -> None:
        if "json" in self.handles:
            self.handles["json"].write("\n]\n")


def write_exports(
    folder: Path,
    documents: Iterable[Document],
    *,
    case_id: str,
    cited_ids: Sequence[str],
    neighbour_ids: Sequence[str] = (),
    formats: Sequence[str] = tuple(FORMATS),
    sets: Sequence[str] = SETS,
    reserved: Iterable[str] = (),
) -> dict[str, int]:
    """Write ``<set>.<format>`` into ``folder`` for each set; returns the entries per set.

    ``documents`` is read once, in its order (a StoredCorpus streams it): every document goes to
    corpus.*, and the case, cited and neighbour documents are kept aside to be written, in the
    order given, when the pass is done. Keys are the same across the files of one export;
    ``reserved``: the registry's keys, which no other document may take.
    """
    unknown = [s for s in sets if s not in SETS] + [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown export set or format: {', '.join(unknown)}")
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {"case": [case_id], "cited": list(cited_ids), "neighbours": list(neighbour_ids)}
    kept_ids = {doc_id for name in sets if name != "corpus" for doc_id in wanted[name]}
    kept: dict[str, Citation] = {}
    with ExitStack() as stack:
        corpus = _Writers(stack, folder, "corpus", formats) if "corpus" in sets else None
        for doc, citation in export_iter(documents, reserved):
            if corpus is not None:
                corpus.add(citation)
            if doc.id in kept_ids:
                kept[doc.id] = citation
        if corpus is not None:
            corpus.close()
        counts = {"corpus": corpus.count} if corpus is not None else {}
        for name in (s for s in SETS if s in sets and s != "corpus"):
            writers = _Writers(stack, folder, name, formats)
            for doc_id in wanted[name]:
                if doc_id in kept:
                    writers.add(kept[doc_id])
            writers.close()
            counts[name] = writers.count
    return counts


def export_iter(
    documents: Iterable[Document], reserved: Iterable[str] = ()
) -> Iterator[tuple[Document, Citation]]:
    """Every document with its citation and key, as ``write_exports`` makes them: a registry
    work keeps its key, the others get theirs from a ``KeyMaker`` that knows ``reserved``."""
    keys = KeyMaker(reserved)
    for doc in documents:
        citation = citation_of(doc)
        if doc.source == "registry":
            keys.used.add(citation.key)
            yield doc, citation
        else:
            yield doc, keys(citation)
