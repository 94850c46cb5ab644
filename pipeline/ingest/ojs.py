"""OJS ``oai_dc`` records -> Documents.

Open Journal Systems, which nearly every Indonesian journal runs, writes Dublin Core the same way
everywhere: one ``dc:title`` and one ``dc:description`` per language (``xml:lang="id-ID"``,
``"en-US"``), keywords as ``dc:subject`` joined by ``;``, the article page and the DOI as two
``dc:identifier``, the issue as ``dc:source`` ("Journal; Vol. 10 No. 1 (2024): Juni; 1-15") next to
the ISSNs, and each galley (the PDF) as ``dc:relation``. We keep both abstracts, each under its
language, because the report shows which language a sentence came from; where a field has no
``xml:lang`` its language is detected.

Pure functions only: an lxml element in, a Document out.
"""

from __future__ import annotations

import re
from typing import Any

from pipeline.documents import Document
from pipeline.ingest.oai import Record
from pipeline.text.language import detect_language

DC_NS = "http://purl.org/dc/elements/1.1/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# ISO 639-2/3 and common tags -> the two-letter codes the rest of the pipeline uses. Malay is
# folded into Indonesian, as detect_language does.
_LANGUAGE_CODES = {
    "ind": "id",
    "in": "id",
    "ms": "id",
    "msa": "id",
    "may": "id",
    "zsm": "id",
    "eng": "en",
    "jav": "jv",
    "jv": "jv",
    "ara": "ar",
    "nld": "nl",
    "dut": "nl",
    "deu": "de",
    "ger": "de",
    "fra": "fr",
    "fre": "fr",
    "spa": "es",
    "por": "pt",
    "zho": "zh",
    "chi": "zh",
    "jpn": "ja",
}
_LANGUAGE_NAMES = {"indonesian": "id", "bahasa indonesia": "id", "english": "en"}

_DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?(10\.\d{4,9}/\S+)$", re.IGNORECASE)
_YEAR = re.compile(r"\b(1[89]\d\d|2\d\d\d)\b")
_VOLUME = re.compile(r"\bVol(?:ume)?\.?\s*([\w.-]+)", re.IGNORECASE)
_ISSUE = re.compile(r"\b(?:No|Nomor|Issue|Number)\.?\s*([\w.-]+)", re.IGNORECASE)
_PAGES = re.compile(r"^\s*(\d+)\s*[-–]\s*(\d+)\s*$")
_ISSN = re.compile(r"^\d{4}-\d{3}[\dXx]$")
_GALLEY = re.compile(r"/article/(?:view|download)/[^/]+/[^/]+")


def normalise_language(tag: str) -> str:
    """``id-ID``, ``ind``, ``Indonesian`` -> ``id``; an unknown tag -> its lower-case base."""
    tag = tag.strip().lower()
    if not tag:
        return ""
    if tag in _LANGUAGE_NAMES:
        return _LANGUAGE_NAMES[tag]
    base = re.split(r"[-_]", tag, maxsplit=1)[0]
    return _LANGUAGE_CODES.get(base, base)


def tombstone(source: str, identifier: str) -> Document:
    """A deleted record: nothing but its identity and ``deleted=True``."""
    return Document(source=source, identifier=identifier, title="", deleted=True)


def record_to_document(record: Record, source: str, default_venue: str = "") -> Document | None:
    """The Document of one OAI record; ``None`` when the record has no identifier to key it by."""
    header = record.header
    if not header.identifier:
        return None
    if header.deleted:
        return tombstone(source, header.identifier)
    fields = _dc_fields(record.metadata)
    record_language = next((normalise_language(v) for v, _ in fields.get("language", []) if v), "")

    titles = _by_language(fields.get("title", []))
    abstracts = _by_language(fields.get("description", []))
    language = record_language or _main_language(abstracts) or _main_language(titles) or "und"
    title = titles.get(language) or next(iter(titles.values()), "")

    identifiers = [v for v, _ in fields.get("identifier", [])]
    doi = next((m.group(1) for v in identifiers if (m := _DOI.match(v))), "")
    url = next((v for v in identifiers if v.startswith("http") and not _DOI.match(v)), "")
    if not url and doi:
        url = f"https://doi.org/{doi}"

    extra: dict[str, Any] = {}
    if len(titles) > 1:
        extra["titles"] = titles
    venue = _venue(fields.get("source", []), language, extra) or default_venue
    publisher = _first(fields.get("publisher", []), language)
    if publisher:
        extra["publisher"] = publisher
    galleys, relations = _relations(fields.get("relation", []))
    if galleys:
        extra["galley_urls"] = galleys
    if relations:
        extra["relations"] = relations
    if header.set_specs:
        extra["oai_sets"] = list(header.set_specs)

    return Document(
        source=source,
        identifier=header.identifier,
        title=title,
        abstracts=abstracts,
        authors=tuple(_unique(v for v, _ in fields.get("creator", []))),
        year=_year(fields.get("date", [])),
        venue=venue,
        doi=doi,
        url=url,
        keywords=tuple(_keywords(fields.get("subject", []))),
        language=language,
        extra=extra,
    )


def _dc_fields(metadata: Any) -> dict[str, list[tuple[str, str]]]:
    """dc element name -> [(text with whitespace collapsed, xml:lang)], in document order."""
    fields: dict[str, list[tuple[str, str]]] = {}
    if metadata is None:
        return fields
    prefix = f"{{{DC_NS}}}"
    for child in metadata:
        if not isinstance(child.tag, str) or not child.tag.startswith(prefix):
            continue
        text = " ".join("".join(child.itertext()).split())
        if text:
            lang = normalise_language(child.get(XML_LANG, ""))
            fields.setdefault(child.tag[len(prefix) :], []).append((text, lang))
    return fields


def _by_language(values: list[tuple[str, str]]) -> dict[str, str]:
    """Language -> text; a value without xml:lang gets its detected language, repeats are joined."""
    out: dict[str, str] = {}
    for text, lang in values:
        key = lang or detect_language(text)
        if key in out:
            if text not in out[key]:
                out[key] = f"{out[key]}\n\n{text}"
        else:
            out[key] = text
    return out


def _main_language(by_language: dict[str, str]) -> str:
    if not by_language:
        return ""
    return max(by_language, key=lambda lang: (len(by_language[lang]), lang == "id"))


def _first(values: list[tuple[str, str]], language: str) -> str:
    return next((v for v, lang in values if lang == language), values[0][0] if values else "")


def _venue(values: list[tuple[str, str]], language: str, extra: dict[str, Any]) -> str:
    """Journal name from dc:source; volume, issue, pages and ISSNs go to ``extra``."""
    issns = [v for v, _ in values if _ISSN.match(v)]
    if issns:
        extra["issn"] = issns
    citations = [(v, lang) for v, lang in values if not _ISSN.match(v) and not _DOI.match(v)]
    if not citations:
        return ""
    cited = _first(citations, language)
    parts = [p.strip() for p in cited.split(";")]
    for part in parts[1:]:
        if (m := _VOLUME.search(part)) and "volume" not in extra:
            extra["volume"] = m.group(1).rstrip(".")
        if (m := _ISSUE.search(part)) and "issue" not in extra:
            extra["issue"] = m.group(1).rstrip(".")
        if (m := _PAGES.match(part)) and "pages" not in extra:
            extra["pages"] = f"{m.group(1)}-{m.group(2)}"
    return parts[0]


def _relations(values: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """OJS galley links (``/article/view/<article>/<galley>``) apart from other relations."""
    galleys, others = [], []
    for value, _ in values:
        (galleys if value.startswith("http") and _GALLEY.search(value) else others).append(value)
    return _unique(galleys), _unique(others)


def _year(values: list[tuple[str, str]]) -> int | None:
    for value, _ in values:
        if m := _YEAR.search(value):
            return int(m.group(1))
    return None


def _keywords(values: list[tuple[str, str]]) -> list[str]:
    words: list[str] = []
    seen: set[str] = set()
    for value, _ in values:
        for word in value.split(";"):
            word = word.strip(" .,")
            if word and word.lower() not in seen:
                seen.add(word.lower())
                words.append(word)
    return words


def _unique(values: Any) -> list[str]:
    out: list[str] = []
    for value in values:
        if value not in out:
            out.append(value)
    return out
