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
from pipeline.compare.landscape import nearest_uncited, topic_map
from pipeline.compare.similarity import Comparison
from pipeline.documents import Document
from pipeline.report import figures
from pipeline.themes.pairs import CURATED, REGISTRY, TEXT, Pair, agreement, f1
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
        "Theme overlap (Jaccard, 0-1): the share of codes the two works have in common, of "
        "dimensions, collaboration forms, contexts and actor-role pairs (an actor in a role, from "
        "the text or the registry; an actor or a role alone does not count)."
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
    nearest: list[tuple[Document, float]]
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

    def sourced(self, pairs: list[Pair]) -> list[str]:
        """Each pair once, with where it was found: the text's cue, the registry, or both."""
        by_key: dict[tuple[str, str], list[str]] = {}
        for p in pairs:
            where = f"text: “{p.cue}”" if p.source == TEXT else REGISTRY
            by_key.setdefault(p.key, []).append(where)
        return [f"{self.pair(k)} ({'; '.join(v)})" for k, v in sorted(by_key.items())]


def _pair_keys(analysis: Analysis, index: int) -> set[tuple[str, str]]:
    return {p.key for p in analysis.pairs.get(index, [])}


def build_content(analysis: Analysis, run_id: str, manifest: dict[str, Any]) -> ReportContent:
    labels = _Labels(analysis)
    docs = analysis.documents
    by_key = {d.key: i for i, d in enumerate(docs)}
    case_themes = analysis.themes[analysis.case_index]
    case_pairs = sorted(_pair_keys(analysis, analysis.case_index))
    topics = analysis.topics
    topic_labels = topics.names
    works = [_profile(analysis, labels, by_key[c.key], c) for c in analysis.comparisons]
    rows = [analysis.case_index, *[by_key[w.comparison.key] for w in works]]
    registry = {analysis.case_index, *analysis.cited_indices}
    nearest = nearest_uncited(
        analysis.topics.doc_topics, analysis.case_index, sorted(registry), NEAREST_SHOWN
    )
    tables = {
        "similarity": _similarity_table(works, labels),
        "themes": _theme_table(analysis, rows),
        "topics": _topic_table(analysis),
        "doc_topics": _doc_topic_table(analysis, rows),
        "classifier": _classifier_table(analysis),
        "evidence": _evidence_table(analysis, rows),
        "pairs": _pairs_table(analysis, rows),
        "nearest_uncited": _nearest_table(docs, nearest),
        "cited_in_corpus": _cited_in_corpus_table(analysis),
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
        case_actor_roles=labels.sourced(analysis.pairs.get(analysis.case_index, [])),
        case_evidence=_evidence(analysis, labels, analysis.case_index),
        works=works,
        nearest=[(docs[n.index], n.distance) for n in nearest],
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


def _profile(analysis: Analysis, labels: _Labels, index: int, c: Comparison) -> WorkProfile:
    mix = analysis.topics.doc_topics[index]
    top = np.argsort(-mix, kind="stable")[:2]
    ids = analysis.topics.ids
    return WorkProfile(
        comparison=c,
        document=analysis.documents[index],
        reading=_reading(labels, c, len(c.shared_themes) + len(c.case_only_themes))
        + _disagreement(labels, analysis.pairs.get(index, [])),
        themes=labels.themes(analysis.themes[index]),
        actor_roles=labels.sourced(analysis.pairs.get(index, [])),
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
        f"Shares {len(shared)} of the case's {case_theme_count} coded dimensions, collaboration "
        "forms and contexts" + (f" ({', '.join(shared)})" if shared else "") + "."
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
        parts.append(f"Same actor in the same role as the case: {pairs}.")
    return " ".join(parts)


def _disagreement(labels: _Labels, pairs: list[Pair]) -> str:
    """Where the registry's curated roles and the text's differ, in words ("" if they agree)."""
    text = {p.key for p in pairs if p.source == TEXT}
    registry = {p.key for p in pairs if p.source == REGISTRY}
    parts = []
    if registry - text:
        missing = "; ".join(labels.pair(k) for k in sorted(registry - text))
        parts.append(f"The registry's curated roles that the text does not state: {missing}.")
    if registry and text - registry:
        extra = "; ".join(labels.pair(k) for k in sorted(text - registry))
        parts.append(f"Roles the text states that the registry does not list: {extra}.")
    return "".join(" " + p for p in parts)


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
                "adds_actor_roles": "; ".join(labels.pair(p) for p in c.work_only_actor_roles),
            }
        )
    return pd.DataFrame(rows)


def _theme_table(analysis: Analysis, rows: list[int]) -> pd.DataFrame:
    theme_ids = [t.id for t in analysis.codebook.themes]
    matrix = [[int(t in analysis.themes[i]) for t in theme_ids] for i in rows]
    table = pd.DataFrame(matrix, columns=theme_ids)
    table.insert(0, "key", [analysis.documents[i].key for i in rows])
    # The actor-role pairs (text and registry), so a role is read with the actor that holds it.
    table["actor_roles"] = [
        "; ".join(f"{a}>{r}" for a, r in sorted(_pair_keys(analysis, i))) for i in rows
    ]
    return table


def _topic_table(analysis: Analysis) -> pd.DataFrame:
    topics = analysis.topics
    stability = topics.stability.per_topic if topics.stability else [None] * topics.k
    unstable = set(topics.stability.unstable) if topics.stability else set()
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
        }
    )


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

    rows = [
        {
            "system": system,
            "macro_f1": rounded(f1),
            "mean_kappa": rounded(card.mean_kappa[system]),
            **{f"kappa_{f}": rounded(card.family_kappa[system].get(f)) for f in families},
        }
        for system, f1 in card.macro_f1.items()
    ]
    if card.family_system:  # what the report uses: per family the better of the two
        rows.append(
            {
                "system": "used: " + "; ".join(f"{f} {card.system_for(f)}" for f in families),
                "macro_f1": None,
                "mean_kappa": rounded(card.chosen_mean_kappa),
                **{
                    f"kappa_{f}": rounded(card.family_kappa[card.system_for(f)].get(f))
                    for f in families
                },
            }
        )
    return pd.DataFrame(rows, columns=columns)


def _evidence_table(analysis: Analysis, rows: list[int]) -> pd.DataFrame:
    records = [
        {
            "key": analysis.documents[i].key,
            "theme": theme,
            "coded_by": analysis.theme_run.codes[i][theme].source,
            "kind": ev.kind,
            "terms": "; ".join(ev.terms),
            "sentence": ev.sentence,
        }
        for i in rows
        for theme in sorted(analysis.themes[i])
        for ev in evidence_for(analysis, i, theme)
    ]
    return pd.DataFrame(records, columns=["key", "theme", "coded_by", "kind", "terms", "sentence"])


PAIR_COLUMNS = ["key", "actor", "role", "source", "agreement", "cue", "sentence"]


def _pairs_table(analysis: Analysis, rows: list[int]) -> pd.DataFrame:
    """Every actor-role pair of the case and its cited works, with its source and sentence;
    ``agreement`` says whether the text and the registry both have it (registry works only)."""
    records = []
    for i in rows:
        pairs = analysis.pairs.get(i, [])
        sources: dict[tuple[str, str], set[str]] = {}
        for p in pairs:
            sources.setdefault(p.key, set()).add(p.source)
        has_registry = any(p.source == REGISTRY for p in pairs)
        for p in pairs:
            both = sources[p.key] == {TEXT, REGISTRY}
            records.append(
                {
                    "key": analysis.documents[i].key,
                    "actor": p.actor,
                    "role": p.role,
                    "source": p.source,
                    "agreement": "text and registry"
                    if both
                    else f"{p.source} only"
                    if has_registry
                    else "",
                    "cue": p.cue,
                    "sentence": p.sentence,
                }
            )
    return pd.DataFrame(records, columns=PAIR_COLUMNS)


def registry_agreement(analysis: Analysis, confidence: str = "high") -> tuple[int, int, int, int]:
    """(works, true positives, false positives, false negatives) of the text's pairs against the
    registry's curated ones read from the abstract, over the registry works of ``confidence``."""
    works = tp = fp = fn = 0
    for i, pairs in analysis.pairs.items():
        if analysis.documents[i].extra.get("confidence") != confidence:
            continue
        works += 1
        found = {p.key for p in pairs if p.source == TEXT}
        curated = {p.key for p in pairs if p.source == REGISTRY and p.cue == CURATED}
        a, b, c = agreement(found, curated)
        tp, fp, fn = tp + a, fp + b, fn + c
    return works, tp, fp, fn


def _cited_in_corpus_table(analysis: Analysis) -> pd.DataFrame:
    rows = []
    for resolution in analysis.cited_in_corpus:
        found = resolution.document
        rows.append(
            {
                "key": analysis.documents[analysis.cited_indices[len(rows)]].key,
                "found": resolution.resolved,
                "found_as": found.title if found else "",
                "found_in": (found.venue or found.source) if found else "",
                "confidence": round(resolution.confidence, 2),
                "reason": resolution.reason,
            }
        )
    return pd.DataFrame(
        rows, columns=["key", "found", "found_as", "found_in", "confidence", "reason"]
    )


def _nearest_table(docs: list[Document], nearest: list[Any]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "rank": rank,
                "topic_hellinger": round(n.distance, 4),
                "title": docs[n.index].title,
                "year": docs[n.index].year,
                "venue": docs[n.index].venue,
                "source": docs[n.index].source,
                "doi": docs[n.index].doi,
            }
            for rank, n in enumerate(nearest, start=1)
        ],
        columns=["rank", "topic_hellinger", "title", "year", "venue", "source", "doi"],
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
    case_pairs = _pair_keys(analysis, analysis.case_index)
    case_grid = np.array([[(a.id, r.id) in case_pairs for r in roles] for a in actors], float)
    cited_grid = np.array(
        [
            [
                sum((a.id, r.id) in _pair_keys(analysis, i) for i in analysis.cited_indices)
                for r in roles
            ]
            for a in actors
        ],
        float,
    )
    points = topic_map(analysis.topics.doc_topics, analysis.params.seed)
    kinds = ["other"] * len(docs)
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
            "Roles in the case (actor-role pairs from its text and the registry): "
            + "; ".join(labels.pair(p) for p in case_pairs)
            + "."
        )
    sharing = [w.comparison.key for w in works if w.comparison.shared_actor_roles]
    lines.append(
        f"{len(sharing)} of the {len(works)} cited works describe at least one actor in the "
        "same role as the case" + (f" ({', '.join(sharing)})" if sharing else "") + "."
    )
    works_high, tp, fp, fn = registry_agreement(analysis)
    if works_high:
        precision, recall, score = f1(tp, fp, fn)
        lines.append(
            f"Actor-role pairs read from the text against the registry's curated ones, over the "
            f"{works_high} high-confidence registry works: F1 {score:.2f} (precision "
            f"{precision:.2f}, recall {recall:.2f}; {tp} agree, {fn} curated "
            f"{'pair' if fn == 1 else 'pairs'} the text does not state, {fp} text "
            f"{'pair' if fp == 1 else 'pairs'} the registry does not list; pairs.csv has each)."
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
    if nearest:
        first = docs[nearest[0].index]
        lines.append(
            f"Of the {len(docs) - len(works) - 1} documents the case does not cite, the closest "
            f"in topics is “{first.title}” ({first.year or 'n.d.'}; distance "
            f"{nearest[0].distance:.2f})."
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
        "Across languages only the concepts of the bilingual thesaurus are shared, so TF-IDF "
        "cosine between an Indonesian and an English work understates their likeness; topic and "
        "theme measures carry more of the comparison there.",
    ]
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
    lexicon = [f for f in analysis.codebook.families if card.system_for(f) == "lexicon"]
    return trained + (
        f" Against the hand codings, {card.folds}-fold cross-validation grouped by journal "
        f"({card.gold_documents} documents, {card.journals} journals): macro-F1 "
        + ", ".join(f"{name} {_two(f1)}" for name, f1 in card.macro_f1.items())
        + "."
        + (
            f" The lexicon's codes stand instead of the classifier's for {', '.join(lexicon)}, "
            "where its kappa is the higher (mean kappa of the choice "
            f"{_two(card.chosen_mean_kappa)})."
            if lexicon
            else ""
        )
    )


def _two(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"
