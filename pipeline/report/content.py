"""What the report says, computed once from an Analysis and rendered three ways (HTML, MD, CSV).

Everything here is plain data: sentences, tables (pandas DataFrames) and figure data URIs. The
renderers escape; nothing here produces markup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from pipeline.analysis import Analysis, evidence_for
from pipeline.compare.landscape import Neighbour, topic_map
from pipeline.compare.similarity import Comparison
from pipeline.documents import Document
from pipeline.report import figures
from pipeline.text.concept_audit import COLUMNS as CONCEPT_AUDIT_COLUMNS
from pipeline.text.concept_audit import concept_audit
from pipeline.topics.groups import role_groups
from pipeline.topics.labels import TopicCard

SIMILARITY_EXPLAINED = {
    "tfidf_cosine": (
        "TF-IDF cosine (0-1): how much the two texts use the same distinctive words and concepts "
        "(Indonesian and English terms are first mapped to shared concepts, so works in "
        "different languages can still share them)."
    ),
    "topic_hellinger": (
        "Topic distance (Hellinger, 0-1): how different their mixtures of topics are; "
        "0 means the same mix."
    ),
    "theme_jaccard": (
        "Theme overlap (Jaccard, 0-1): the share of coded themes (dimensions, actors, roles) "
        "that the two works have in common."
    ),
    "combined": "Combined (0-1): the mean of cosine, 1 - topic distance, and theme overlap.",
}
NEAREST_SHOWN = 10
Evidence = tuple[str, str, tuple[str, ...]]  # theme label, sentence, indicator terms


@dataclass
class WorkProfile:
    """One cited work as the report shows it."""

    comparison: Comparison
    document: Document
    reading: str
    themes: list[str] = field(default_factory=list)
    actor_roles: list[str] = field(default_factory=list)
    topic_mix: str = ""
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class ReportContent:
    run_id: str
    title: str
    summary: list[str]
    limits: list[str]
    case: Document
    case_themes: list[str]
    case_actor_roles: list[str]
    case_evidence: list[Evidence]
    works: list[WorkProfile]
    nearest: list[tuple[Document, Neighbour, str]]  # the document, its scores, why it is close
    tables: dict[str, pd.DataFrame]
    figures: dict[str, str]
    topic_labels: list[str]
    documents: Sequence[Document]  # every document, in the analysis' order (topic cards index it)
    topic_cards: list[TopicCard]
    topic_changes: list[str]
    explanations: dict[str, str]
    theme_labels: dict[str, str]
    manifest: dict[str, Any]
    # Every document's row (documents.csv), produced while it is written: on 100,000 documents
    # the pages show the case, its cited works and a few representatives, the CSV all of them.
    document_rows: Callable[[], Iterator[dict[str, Any]]] | None = None
    document_columns: list[str] = field(default_factory=list)


class _Texts(Sequence[str]):
    """Documents' texts, made only for the few documents asked for (a topic card's examples),
    not for all 100,000."""

    def __init__(self, docs: Sequence[Document]) -> None:
        self.docs = docs

    def __len__(self) -> int:
        return len(self.docs)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [d.text for d in self.docs[index]]
        return self.docs[index].text


class _Labels:
    """Theme ids to reader-facing words, from the analysis' codebook."""

    def __init__(self, analysis: Analysis) -> None:
        self.codebook = analysis.codebook

    def theme(self, theme: str) -> str:
        return self.codebook.label(theme)

    def themes(self, themes: Any) -> list[str]:
        return [self.theme(t) for t in sorted(themes)]

    def pair(self, pair: tuple[str, str]) -> str:
        return f"{self.theme(pair[0])} as {self.theme(pair[1]).lower()}"


def _concept_audit_table(analysis: Analysis) -> pd.DataFrame:
    """concept_audit.csv: the forms each thesaurus concept absorbed in this run."""
    pre = analysis.preprocessor
    rows = (
        concept_audit(
            pre.thesaurus,
            pre.stemmer.surfaces,
            pre.bridge.mapping,
            pre.stemmer.surfaces_in("en"),
        )
        if pre.thesaurus
        else []
    )
    return pd.DataFrame(rows, columns=list(CONCEPT_AUDIT_COLUMNS))


def build_content(analysis: Analysis, run_id: str, manifest: dict[str, Any]) -> ReportContent:
    labels = _Labels(analysis)
    docs = analysis.documents
    by_key = {d.key: i for i, d in enumerate(docs)}
    case_themes = analysis.themes[analysis.case_index]
    case_pairs = sorted(analysis.codings[analysis.case_index].actor_roles)
    topics = analysis.topics
    topic_labels = topics.names
    works = [
        _profile(analysis, labels, by_key[c.key], c, len(case_themes)) for c in analysis.comparisons
    ]
    rows = [analysis.case_index, *[by_key[w.comparison.key] for w in works]]
    nearest = analysis.neighbours[:NEAREST_SHOWN]
    tables = {
        "similarity": _similarity_table(works, labels),
        "themes": _theme_table(analysis, rows),
        "topics": _topic_table(analysis),
        "doc_topics": _doc_topic_table(analysis, rows),
        "classifier": _classifier_table(analysis),
        "evidence": _evidence_table(analysis, rows),
        "nearest_uncited": _nearest_table(docs, analysis.neighbours, labels, analysis),
        "bridge": pd.DataFrame(
            analysis.preprocessor.bridge.rows(), columns=["english", "indonesian", "dice"]
        ),
        "cited_in_corpus": _cited_in_corpus_table(analysis),
        "concept_audit": _concept_audit_table(analysis),
        **_topic_group_tables(analysis),
    }
    changes = (
        topics.diff.sentences(dict(zip(topics.ids, topic_labels, strict=True)))
        if topics.diff is not None
        else []
    )
    return ReportContent(
        run_id=run_id,
        title="berdaya: the OKU case and the works it cites",
        summary=_summary(analysis, labels, works, case_pairs, nearest),
        limits=_limits(analysis),
        case=analysis.case,
        case_themes=labels.themes(case_themes),
        case_actor_roles=[labels.pair(p) for p in case_pairs],
        case_evidence=_evidence(analysis, labels, analysis.case_index),
        works=works,
        nearest=[(docs[n.index], n, _why_close(analysis, labels, n)) for n in nearest],
        tables=tables,
        figures=_figures(analysis, works, rows, nearest, topic_labels, tables),
        topic_labels=topic_labels,
        documents=docs,
        topic_cards=topics.cards(_Texts(docs)),
        topic_changes=changes,
        explanations=SIMILARITY_EXPLAINED,
        theme_labels={t.id: t.label for t in analysis.codebook.themes},
        manifest=manifest,
        document_rows=lambda: _document_rows(analysis),
        document_columns=[*DOCUMENT_COLUMNS, *topics.ids],
    )


# -- per work ------------------------------------------------------------------------------------


def _profile(
    analysis: Analysis, labels: _Labels, index: int, c: Comparison, case_theme_count: int
) -> WorkProfile:
    mix = analysis.topics.doc_topics[index]
    top = np.argsort(-mix, kind="stable")[:2]
    ids = analysis.topics.ids
    return WorkProfile(
        comparison=c,
        document=analysis.documents[index],
        reading=_reading(labels, c, case_theme_count),
        themes=labels.themes(analysis.themes[index]),
        actor_roles=[labels.pair(p) for p in sorted(analysis.codings[index].actor_roles)],
        topic_mix="; ".join(f"{ids[t]} {mix[t]:.0%}" for t in top),
        evidence=_evidence(analysis, labels, index),
    )


def _reading(labels: _Labels, c: Comparison, case_theme_count: int) -> str:
    """A plain-words sentence or two on where this work stands relative to the case."""
    parts = []
    if c.title_only:
        parts.append(
            "Known only by its title: the comparison rests on the title alone and is weak."
        )
    shared = labels.themes(c.shared_themes)
    parts.append(
        f"Shares {len(shared)} of the case's {case_theme_count} coded themes"
        + (f" ({', '.join(shared)})" if shared else "")
        + "."
    )
    if c.title_only:
        parts.append("What it lacks compared with the case cannot be judged from a title.")
    elif c.case_only_themes:
        parts.append(
            f"Compared with the case it lacks: {', '.join(labels.themes(c.case_only_themes))}."
        )
    if c.work_only_themes:
        extra = ", ".join(labels.themes(c.work_only_themes))
        parts.append(f"It adds what the case does not code: {extra}.")
    if c.shared_actor_roles:
        pairs = "; ".join(labels.pair(p) for p in c.shared_actor_roles)
        parts.append(f"Same actor roles as the case: {pairs}.")
    return " ".join(parts)


def _evidence(analysis: Analysis, labels: _Labels, index: int) -> list[Evidence]:
    return [
        (labels.theme(theme), ev.sentence, ev.terms)
        for theme in sorted(analysis.themes[index])
        for ev in evidence_for(analysis, index, theme)[:1]
    ]


# -- tables --------------------------------------------------------------------------------------


def _similarity_table(works: list[WorkProfile], labels: _Labels) -> pd.DataFrame:
    rows = []
    for rank, w in enumerate(works, start=1):
        c = w.comparison
        rows.append(
            {
                "rank": rank,
                "key": c.key,
                "year": c.year,
                "title": c.title,
                "known_only_by_title": c.title_only,
                "tfidf_cosine": round(c.tfidf_cosine, 4),
                "topic_hellinger": round(c.topic_hellinger, 4),
                "theme_jaccard": round(c.theme_jaccard, 4),
                "combined": round(c.combined, 4),
                "shared_themes": "; ".join(labels.themes(c.shared_themes)),
                "lacks_vs_case": ""
                if c.title_only
                else "; ".join(labels.themes(c.case_only_themes)),
                "adds_vs_case": "; ".join(labels.themes(c.work_only_themes)),
                "shared_actor_roles": "; ".join(labels.pair(p) for p in c.shared_actor_roles),
                "lacks_actor_roles": "; ".join(labels.pair(p) for p in c.case_only_actor_roles),
            }
        )
    return pd.DataFrame(rows)


def _theme_table(analysis: Analysis, rows: list[int]) -> pd.DataFrame:
    theme_ids = [t.id for t in analysis.codebook.themes]
    matrix = [[int(t in analysis.themes[i]) for t in theme_ids] for i in rows]
    table = pd.DataFrame(matrix, columns=theme_ids)
    table.insert(0, "key", [analysis.documents[i].key for i in rows])
    return table


def _topic_table(analysis: Analysis) -> pd.DataFrame:
    topics = analysis.topics
    stability = topics.stability.per_topic if topics.stability else [None] * topics.k
    unstable = set(topics.stability.unstable) if topics.stability else set()
    mix = _language_mix(analysis)
    return pd.DataFrame(
        {
            "topic": topics.ids,
            "top_words": [", ".join(words) for words in topics.labels],
            "share_in_case": [
                round(float(topics.doc_topics[analysis.case_index, t]), 4) for t in range(topics.k)
            ],
            "share_in_corpus": [round(float(s), 4) for s in topics.shares],
            "stability": [None if s is None else round(float(s), 3) for s in stability],
            "unstable": [topic in unstable for topic in topics.ids],
            **mix,
        }
    )


def _language_mix(analysis: Analysis) -> dict[str, list[float]]:
    """Per topic, the share of its weight (over the documents the topics describe) that comes
    from Indonesian, English and other-language documents, beside the corpus's own mix: a
    topic far above the corpus's English share would be a language, not a subject."""
    topics = analysis.topics
    described = (
        topics.policy.corpus_indices if topics.policy is not None else range(len(topics.doc_topics))
    )
    described = set(described)
    languages = [d.language if d.language in ("id", "en") else "other" for d in analysis.documents]
    weights = {lang: np.zeros(topics.k) for lang in ("id", "en", "other")}
    counts = dict.fromkeys(weights, 0)
    for i in sorted(described):
        weights[languages[i]] += topics.doc_topics[i]
        counts[languages[i]] += 1
    total = sum(weights.values())
    total = np.where(total > 0, total, 1.0)
    n = max(1, sum(counts.values()))
    out = {f"weight_from_{lang}": np.round(w / total, 3).tolist() for lang, w in weights.items()}
    out |= {f"corpus_{lang}": [round(c / n, 3)] * topics.k for lang, c in counts.items()}
    return out


def _topic_group_tables(analysis: Analysis) -> dict[str, pd.DataFrame]:
    """Topic shares of the case, its cited works and the wider corpus; by journal; by year."""
    topics = analysis.topics
    docs = analysis.documents
    groups = role_groups(len(docs), analysis.case_index, analysis.cited_indices)
    venues = [d.venue.strip() or None for d in docs]
    counts = pd.Series([v for v in venues if v]).value_counts()
    top_venues = set(counts.index[:12])
    by_journal = topics.group_shares([v if v in top_venues else None for v in venues])
    tables = {
        "topic_groups": topics.group_shares(groups).round(4),
        "topics_by_journal": by_journal.round(4),
        "topics_by_year": topics.over_time([d.year for d in docs]).round(4),
    }
    if topics.sweep is not None:
        tables["topic_sweep"] = topics.sweep.curves().round(4)
    return {name: table.reset_index() for name, table in tables.items()}


def _doc_topic_table(analysis: Analysis, rows: list[int]) -> pd.DataFrame:
    table = pd.DataFrame(
        np.round(analysis.topics.doc_topics[rows], 4), columns=list(analysis.topics.ids)
    )
    table.insert(0, "key", [analysis.documents[i].key for i in rows])
    return table


DOCUMENT_COLUMNS = (
    "key",
    "role",
    "source",
    "venue",
    "year",
    "language",
    "title",
    "top_topic",
    "top_topic_share",
    "themes",
)


def _document_rows(analysis: Analysis) -> Iterator[dict[str, Any]]:
    """One row per document: where it comes from, its dominant topic, its topic mixture (one
    column per topic id) and its theme codes; yielded one at a time."""
    topics = analysis.topics
    ids = list(topics.ids)
    for i, doc in enumerate(analysis.documents):
        mix = topics.doc_topics[i]
        top = int(np.argmax(mix))
        yield {
            "key": doc.key,
            "role": doc.role or "corpus",
            "source": doc.source,
            "venue": doc.venue,
            "year": doc.year,
            "language": doc.language,
            "title": doc.title,
            "top_topic": ids[top],
            "top_topic_share": round(float(mix[top]), 4),
            "themes": "; ".join(sorted(analysis.themes[i])),
            **{tid: round(float(share), 4) for tid, share in zip(ids, mix, strict=True)},
        }


def _classifier_table(analysis: Analysis) -> pd.DataFrame:
    """The model card's comparison: classifier, lexicon alone and majority, against hand codings."""
    card = analysis.theme_run.card
    families = list(analysis.codebook.families)
    columns = ["system", "macro_f1", "mean_kappa", *[f"kappa_{f}" for f in families]]
    if card is None:
        return pd.DataFrame(columns=columns)

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 4)

    return pd.DataFrame(
        [
            {
                "system": system,
                "macro_f1": rounded(f1),
                "mean_kappa": rounded(card.mean_kappa[system]),
                **{f"kappa_{f}": rounded(card.family_kappa[system].get(f)) for f in families},
            }
            for system, f1 in card.macro_f1.items()
        ],
        columns=columns,
    )


def _evidence_table(analysis: Analysis, rows: list[int]) -> pd.DataFrame:
    records = [
        {
            "key": analysis.documents[i].key,
            "theme": theme,
            "coded_by": analysis.theme_run.codes[i][theme].source,
            "terms": "; ".join(ev.terms),
            "sentence": ev.sentence,
        }
        for i in rows
        for theme in sorted(analysis.themes[i])
        for ev in evidence_for(analysis, i, theme)
    ]
    return pd.DataFrame(records, columns=["key", "theme", "coded_by", "terms", "sentence"])


def _cited_in_corpus_table(analysis: Analysis) -> pd.DataFrame:
    """Each cited work by its key and title, whether the corpus holds it, and why (for one not
    found: the best candidate, by title, and why it was rejected; ``confidence`` is its score)."""
    rows = []
    for resolution in analysis.cited_in_corpus:
        work = analysis.documents[analysis.cited_indices[len(rows)]]
        found = resolution.document
        rows.append(
            {
                "key": work.key,
                "title": work.title,
                "found": resolution.resolved,
                "found_as": found.title if found else "",
                "found_in": (found.venue or found.source) if found else "",
                "confidence": round(resolution.confidence, 2),
                "reason": resolution.reason,
            }
        )
    return pd.DataFrame(
        rows, columns=["key", "title", "found", "found_as", "found_in", "confidence", "reason"]
    )


def _why_close(analysis: Analysis, labels: _Labels, n: Neighbour) -> str:
    """What a neighbour shares with the case, in words: its concepts and its coded themes."""
    parts = []
    if n.shared_concepts:
        surface = analysis.preprocessor.surface
        parts.append("concepts: " + ", ".join(surface(c) for c in n.shared_concepts[:6]))
    if n.shared_themes:
        parts.append("themes: " + ", ".join(labels.themes(set(n.shared_themes))))
    return "; ".join(parts) or "wording and topics only"


def _nearest_table(
    docs: Sequence[Document], nearest: list[Neighbour], labels: _Labels, analysis: Analysis
) -> pd.DataFrame:
    relevance = analysis.theme_run.relevance
    surface = analysis.preprocessor.surface
    return pd.DataFrame(
        [
            {
                "rank": rank,
                "combined": round(n.combined, 4),
                "text_cosine": round(n.text, 4),
                "concept_overlap": round(n.concepts, 4),
                "theme_overlap": round(n.themes, 4),
                "topic_similarity": round(1.0 - n.distance, 4),
                "field_relevance": None
                if relevance is None
                else round(float(relevance.scores[n.index]), 3),
                "shared_concepts": "; ".join(surface(c) for c in n.shared_concepts),
                "shared_themes": "; ".join(labels.themes(set(n.shared_themes))),
                "key": docs[n.index].key,
                "title": docs[n.index].title,
                "year": docs[n.index].year,
                "venue": docs[n.index].venue,
                "source": docs[n.index].source,
                "doi": docs[n.index].doi,
            }
            for rank, n in enumerate(nearest, start=1)
        ],
        columns=[
            "rank",
            "combined",
            "text_cosine",
            "concept_overlap",
            "theme_overlap",
            "topic_similarity",
            "field_relevance",
            "shared_concepts",
            "shared_themes",
            "key",
            "title",
            "year",
            "venue",
            "source",
            "doi",
        ],
    )


# -- figures -------------------------------------------------------------------------------------


def _figures(
    analysis: Analysis,
    works: list[WorkProfile],
    rows: list[int],
    nearest: list[Any],
    topic_labels: list[str],
    tables: dict[str, pd.DataFrame],
) -> dict[str, str]:
    docs = analysis.documents
    row_names = [f"{docs[i].key} (case)" if i == analysis.case_index else docs[i].key for i in rows]
    theme_matrix = np.array(
        [[t.id in analysis.themes[i] for t in analysis.codebook.themes] for i in rows], float
    )
    actors = analysis.codebook.family("actor")
    roles = analysis.codebook.family("role")
    case_pairs = analysis.codings[analysis.case_index].actor_roles
    case_grid = np.array([[(a.id, r.id) in case_pairs for r in roles] for a in actors], float)
    cited_grid = np.array(
        [
            [
                sum((a.id, r.id) in analysis.codings[i].actor_roles for i in analysis.cited_indices)
                for r in roles
            ]
            for a in actors
        ],
        float,
    )
    # The map is of the field: documents outside it are neither drawn nor shape the axes.
    relevance = analysis.theme_run.relevance
    inside = relevance.in_field if relevance is not None else np.ones(len(docs), dtype=bool)
    shown = np.flatnonzero(inside)
    points = np.zeros((len(docs), 2))
    points[shown] = topic_map(analysis.topics.doc_topics[shown], analysis.params.seed)
    kinds = ["other" if flag else "outside" for flag in inside]
    near_ids = {n.index for n in nearest}
    for i in near_ids:
        kinds[i] = "near"
    for i in analysis.cited_indices:
        kinds[i] = "cited"
    kinds[analysis.case_index] = "case"
    map_labels = {i: docs[i].key for i in [analysis.case_index, *analysis.cited_indices]}
    dated = [w for w in works if w.comparison.year is not None]
    return {
        "similarity": figures.similarity_bars(
            [w.comparison.key for w in works],
            [w.comparison.combined for w in works],
            [w.comparison.title_only for w in works],
        ),
        "themes": figures.theme_matrix(
            row_names, [t.label for t in analysis.codebook.themes], theme_matrix
        ),
        "actor_roles": figures.actor_role_matrix(
            [a.label for a in actors],
            [r.label for r in roles],
            case_grid,
            cited_grid,
            len(analysis.cited_indices),
        ),
        "timeline": figures.timeline(
            [int(w.comparison.year or 0) for w in dated],
            [w.comparison.key for w in dated],
            [w.comparison.title_only for w in dated],
            int(analysis.case.year or 0),
        ),
        "map": figures.corpus_map(points, kinds, map_labels),
        "topics": figures.topic_shares(row_names, analysis.topics.doc_topics[rows], topic_labels),
        "selection": (
            figures.sweep_curves(tables["topic_sweep"], analysis.topics.k)
            if "topic_sweep" in tables
            else figures.coherence_curve(analysis.topics.coherence_by_k, analysis.topics.k)
        ),
        "groups": figures.group_shares(
            tables["topic_groups"].set_index("group"), "Topic shares: case, cited works, corpus"
        ),
        "journals": figures.group_shares(
            tables["topics_by_journal"].set_index("group"),
            "Topic shares by journal (the 12 with most documents)",
        ),
        "years": figures.topics_over_time(
            tables["topics_by_year"].set_index(tables["topics_by_year"].columns[0])
        ),
    }


# -- words ---------------------------------------------------------------------------------------


def _summary(
    analysis: Analysis,
    labels: _Labels,
    works: list[WorkProfile],
    case_pairs: list[tuple[str, str]],
    nearest: list[Any],
) -> list[str]:
    docs = analysis.documents
    case = analysis.case
    title_only = [w for w in works if w.comparison.title_only]
    with_text = [w for w in works if not w.comparison.title_only] or works
    lines = [
        f"The case, “{case.title}” ({case.year}), was compared with the {len(works)} works it "
        f"cites, within a corpus of {len(docs)} documents.",
        "Closest to the case (of the works with an abstract): "
        + "; ".join(
            f"{w.comparison.key} (combined {w.comparison.combined:.2f}, "
            f"{len(w.comparison.shared_themes)} shared themes)"
            for w in with_text[:3]
        )
        + ".",
        f"The case is coded with {len(analysis.themes[analysis.case_index])} themes: "
        + ", ".join(labels.themes(analysis.themes[analysis.case_index]))
        + ".",
    ]
    if case_pairs:
        lines.append(
            "Roles in the case, as its text states them: "
            + "; ".join(labels.pair(p) for p in case_pairs)
            + "."
        )
    sharing = [w.comparison.key for w in works if w.comparison.shared_actor_roles]
    lines.append(
        f"{len(sharing)} of the {len(works)} cited works describe at least one actor in the "
        "same role as the case" + (f" ({', '.join(sharing)})" if sharing else "") + "."
    )
    if title_only:
        lines.append(
            f"{len(title_only)} cited works are known only by their title "
            f"({', '.join(w.comparison.key for w in title_only)}): their scores rest on a title "
            "and are marked as such."
        )
    if analysis.topics.exploratory:
        lines.append(
            "The topic measures are exploratory: too few documents beyond the case and its cited "
            "works to fit topics that mean much (see Methods and limits)."
        )
    relevance = analysis.theme_run.relevance
    if relevance is not None and relevance.left_out:
        lines.append(
            f"{relevance.left_out:,} of the {len(docs):,} documents are outside this field "
            f"(field relevance below {relevance.threshold:.2f}): they are left out of the "
            "neighbours, the map and the topics, and get no empowerment codes."
        )
    if nearest:
        first = docs[nearest[0].index]
        lines.append(
            f"Of the documents of the field the case does not cite, the closest on wording, "
            f"concepts, codes and topics together is “{first.title}” ({first.year or 'n.d.'}; "
            f"{_why_close(analysis, labels, nearest[0])})."
        )
    else:
        lines.append(
            "No uncited document of this field is in the corpus: the case cannot be placed in a "
            "wider literature yet (add documents or follow journals)."
        )
    return lines


def _limits(analysis: Analysis) -> list[str]:
    docs = analysis.documents
    limits = [
        f"Corpus: {len(docs)} documents, {sum(len(t) for t in analysis.tokens):,} tokens after "
        f"stop words, {analysis.distinct_terms:,} distinct terms (stems and concepts).",
        *analysis.topics.methods(),
        "Themes: coded by the indicator terms of corpus/codebook.toml (sha256 "
        f"{analysis.codebook.sha256[:12]}); each code comes with the sentence that supports it.",
        _classifier_sentence(analysis),
        analysis.preprocessor.bridge.sentence()
        + " Words the bridge and the thesaurus do not cover stay apart, so TF-IDF cosine between "
        "an Indonesian and an English work still understates their likeness somewhat.",
        "Neighbours of the case: ranked by TF-IDF cosine, shared thesaurus concepts, shared "
        "coded themes and topic similarity together (the mean of their percentile ranks among "
        "the documents of the field), never by topic distance alone.",
    ]
    relevance = analysis.theme_run.relevance
    if relevance is not None:
        limits.append(relevance.sentence())
    return limits


def _classifier_sentence(analysis: Analysis) -> str:
    run = analysis.theme_run
    trained = (
        f"Theme codes: hand codings where a document has them ({len(run.human)} here), "
        "otherwise a calibrated one-vs-rest classifier (TF-IDF over stems and concepts plus the "
        "codebook's indicator hits) trained on the hand codings and the lexicon's codings."
    )
    if run.sampled:
        trained += " " + run.training_sentence()
    card = run.card
    if card is None:
        return trained + " Too few hand-coded documents in this corpus to evaluate it here."
    return trained + (
        f" Against the hand codings, {card.folds}-fold cross-validation grouped by journal "
        f"({card.gold_documents} documents, {card.journals} journals): macro-F1 "
        + ", ".join(f"{name} {_two(f1)}" for name, f1 in card.macro_f1.items())
        + "."
    )


def _two(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"
