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
from pipeline.compare.similarity import Comparison, tiers
from pipeline.corpus import CorpusFilter
from pipeline.documents import Document
from pipeline.report import figures
from pipeline.text.concept_audit import COLUMNS as CONCEPT_AUDIT_COLUMNS
from pipeline.text.concept_audit import concept_audit
from pipeline.themes.pairs import CURATED, REGISTRY, TEXT, Pair, agreement, f1
from pipeline.topics.ensemble import interval_words
from pipeline.topics.groups import role_groups
from pipeline.topics.labels import TopicCard
from pipeline.topics.lda import UNSTABLE_ID

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


def similarity_explained(comparisons: Sequence[Comparison], exploratory: bool) -> dict[str, str]:
    """The measures as this run computed them: seeds, interval, topic weight, ties."""
    seeds = max((c.seeds for c in comparisons), default=1)
    weight = comparisons[0].topic_weight if comparisons else 1.0
    out = dict(SIMILARITY_EXPLAINED)
    out["topic_hellinger"] += (
        f" Taken under {seeds} topic models fitted with different seeds: the mean, and in "
        f"brackets {interval_words(seeds)}."
        if seeds > 1
        else " From one topic model (one seed): no interval."
    )
    out["combined"] = (
        "Combined (0-1): (cosine + w x (1 - topic distance) + theme overlap) / (2 + w), with "
        f"the topic weight w = {weight:.2f}: the topics' stability over seeds divided by the "
        "stability threshold, at most 1, so unstable topics count less"
        + (" (here the topic model is also exploratory)" if exploratory else "")
        + ". Its interval follows from the topic distance's."
    )
    out["ties"] = (
        "Rank: works with a text are ordered by the combined score; works whose combined "
        "intervals overlap are tied, and their rank is shown as the shared range the intervals "
        "allow (e.g. 2-5). Works known only by their title are not ranked (a title cannot "
        "support a topic distance): they are listed apart, on cosine and theme overlap only."
    )
    return out


NEAREST_SHOWN = 10
# Fewer documents of the field than this beyond the registry cannot place the case (said plainly).
MIN_FIELD_TO_PLACE = 30
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

    def sourced(self, pairs: list[Pair]) -> list[str]:
        """Each pair once, with where it was found: the text's cue, the registry, or both."""
        by_key: dict[tuple[str, str], list[str]] = {}
        for p in pairs:
            where = f"text: “{p.cue}”" if p.source == TEXT else REGISTRY
            by_key.setdefault(p.key, []).append(where)
        return [f"{self.pair(k)} ({'; '.join(v)})" for k, v in sorted(by_key.items())]


def _pair_keys(analysis: Analysis, index: int) -> set[tuple[str, str]]:
    return {p.key for p in analysis.pairs.get(index, [])}


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
    case_pairs = sorted(_pair_keys(analysis, analysis.case_index))
    topics = analysis.topics
    topic_labels = topics.names
    works = [_profile(analysis, labels, by_key[c.key], c) for c in analysis.comparisons]
    rows = [analysis.case_index, *[by_key[w.comparison.key] for w in works]]
    nearest = analysis.neighbours[:NEAREST_SHOWN]
    tables = {
        "similarity": _similarity_table(works, labels),
        "themes": _theme_table(analysis, rows),
        "topics": _topic_table(analysis),
        "doc_topics": _doc_topic_table(analysis, rows),
        "classifier": _classifier_table(analysis),
        "evidence": _evidence_table(analysis, rows),
        "pairs": _pairs_table(analysis, rows),
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
        summary=_filter_line(manifest, analysis)
        + _summary(analysis, labels, works, case_pairs, nearest),
        limits=_limits(analysis),
        case=analysis.case,
        case_themes=labels.themes(case_themes),
        case_actor_roles=labels.sourced(analysis.pairs.get(analysis.case_index, [])),
        case_evidence=_evidence(analysis, labels, analysis.case_index),
        works=works,
        nearest=[(docs[n.index], n, _why_close(analysis, labels, n)) for n in nearest],
        tables=tables,
        figures=_figures(analysis, works, rows, nearest, topic_labels, tables),
        topic_labels=topic_labels,
        documents=docs,
        topic_cards=topics.cards(_Texts(docs)),
        topic_changes=changes,
        explanations=similarity_explained(analysis.comparisons, topics.exploratory),
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
            "Known only by its title: not ranked, and compared on shared words and themes only "
            "(a title is too short for a topic distance)."
        )
    elif c.rank_range:
        parts.append(
            f"Rank {c.rank_range} of the works with a text"
            + (f", tied with {', '.join(c.tied_with)}" if c.tied_with else "")
            + "."
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
    for w in works:
        c = w.comparison
        ranked = c.ranked
        rows.append(
            {
                "rank": c.rank if ranked else None,
                "rank_range": c.rank_range,
                "tied": bool(c.tied_with),
                "tied_with": "; ".join(c.tied_with),
                "key": c.key,
                "year": c.year,
                "title": c.title,
                "known_only_by_title": c.title_only,
                "tfidf_cosine": round(c.tfidf_cosine, 4),
                "topic_hellinger": round(c.topic_hellinger, 4),
                "topic_hellinger_low": round(float(c.topic_hellinger_low or 0), 4),
                "topic_hellinger_high": round(float(c.topic_hellinger_high or 0), 4),
                "theme_jaccard": round(c.theme_jaccard, 4),
                # A title-only work has no combined score: it would rank it on a title's topics
                "combined": round(c.combined, 4) if ranked else None,
                "combined_low": round(c.combined_low, 4) if ranked else None,
                "combined_high": round(c.combined_high, 4) if ranked else None,
                "topic_weight": round(c.topic_weight, 4),
                "seeds": c.seeds,
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
    table = pd.DataFrame(rows)
    if not table.empty:
        table["rank"] = table["rank"].astype("Int64")  # blank, not NaN, for unranked works
    return table


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
    """One row per recurring topic (label words by relevance, top words by probability), then
    one "unstable" row holding the topics that do not recur over the seeds (their ids, summed
    shares, share-weighted language mix): those are not findings."""
    topics = analysis.topics
    stability = topics.stability.per_topic if topics.stability else [None] * topics.k
    recurrence = (topics.stability.recurrence if topics.stability else None) or [None] * topics.k
    unstable = set(topics.unstable)
    table = pd.DataFrame(
        {
            "topic": topics.ids,
            "label": [", ".join(words) for words in topics.labels],
            "top_words": [", ".join(words) for words in topics.top_words or topics.labels],
            "share_in_case": [
                round(float(topics.doc_topics[analysis.case_index, t]), 4) for t in range(topics.k)
            ],
            "share_in_corpus": [round(float(s), 4) for s in topics.shares],
            "stability": [None if s is None else round(float(s), 3) for s in stability],
            "recurrence": [None if r is None else round(float(r), 3) for r in recurrence],
            "unstable": [t in unstable for t in range(topics.k)],
            "folded_topics": [""] * topics.k,
            **_language_mix(analysis),
        }
    )
    kept, rest = table[~table["unstable"]], table[table["unstable"]]
    if rest.empty:
        return kept.reset_index(drop=True)
    shares = np.clip(rest["share_in_corpus"].to_numpy(dtype=float), 1e-12, None)
    row: dict[str, object] = {
        "topic": UNSTABLE_ID,
        "label": f"{len(rest)} topics that do not recur over the seeds (not findings)",
        "top_words": "",
        "share_in_case": round(float(rest["share_in_case"].sum()), 4),
        "share_in_corpus": round(float(rest["share_in_corpus"].sum()), 4),
        "stability": round(float(rest["stability"].astype(float).mean()), 3),
        "recurrence": round(float(rest["recurrence"].astype(float).mean()), 3),
        "unstable": True,
        "folded_topics": "; ".join(rest["topic"]),
    }
    for column in table.columns:
        if column.startswith("weight_from_"):
            row[column] = round(float(np.average(rest[column], weights=shares)), 3)
        elif column.startswith("corpus_"):
            row[column] = rest[column].iloc[0]
    return pd.concat([kept, pd.DataFrame([row])], ignore_index=True)


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
    """Topic shares of the case, its cited works and the wider corpus; by journal; by year.
    Only documents of the field count (the others were not fitted either)."""
    topics = analysis.topics
    docs = analysis.documents
    relevance = analysis.theme_run.relevance
    inside = relevance.in_field if relevance is not None else np.ones(len(docs), dtype=bool)
    groups = [
        g if inside[i] else None
        for i, g in enumerate(role_groups(len(docs), analysis.case_index, analysis.cited_indices))
    ]
    venues: list[str | None] = []
    years: list[int | None] = []
    for i, doc in enumerate(docs):  # one pass: a large corpus is read from the store
        venues.append((doc.venue.strip() or None) if inside[i] else None)
        years.append(doc.year if inside[i] else None)
    counts = pd.Series([v for v in venues if v]).value_counts()
    top_venues = set(counts.index[:12])
    by_journal = topics.group_shares([v if v in top_venues else None for v in venues])
    tables = {
        "topic_groups": topics.group_shares(groups).round(4),
        "topics_by_journal": by_journal.round(4),
        "topics_by_year": topics.over_time(years).round(4),
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
            [w.comparison.key for w in works if w.comparison.ranked],
            [w.comparison.combined for w in works if w.comparison.ranked],
            [False for w in works if w.comparison.ranked],
            [
                (w.comparison.combined_low, w.comparison.combined_high)
                for w in works
                if w.comparison.ranked
            ],
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


def _filter_line(manifest: dict[str, Any], analysis: Analysis) -> list[str]:
    """The corpus filter of ``berdaya report --years/--journal/--subject``, first on the page."""
    wanted = manifest.get("corpus_filter")
    if not wanted:
        return []
    described = CorpusFilter.from_dict(wanted).describe()
    wider = len(analysis.documents) - len(analysis.cited_indices) - 1
    return [
        f"Filtered corpus: only documents {described} are analysed, {wider} beyond the case and "
        "its cited works (which are always kept)."
    ]


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
    lines = [
        f"The case, “{case.title}” ({case.year}), was compared with the {len(works)} works it "
        f"cites, within a corpus of {len(docs)} documents.",
        *_closest(analysis, [w.comparison for w in works if w.comparison.ranked]),
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
            f"({', '.join(w.comparison.key for w in title_only)}): they are listed apart and not "
            "ranked, since a title cannot support a topic distance."
        )
    if analysis.topics.exploratory:
        wider = len(docs) - len(analysis.cited_indices) - 1
        lines.append(
            f"The corpus is too small to place the case in the wider literature: {wider} "
            "documents beyond the case and its cited works (topics that mean something need "
            f"at least {analysis.params.topics.min_documents}). The topic measures are "
            "exploratory and unstable across seeds, so they weigh "
            f"{_topic_weight(works):.2f} (of 1) in the combined score; add documents or follow "
            "journals to widen the corpus."
        )
    relevance = analysis.theme_run.relevance
    if relevance is not None and relevance.left_out:
        lines.append(
            f"{relevance.left_out:,} of the {len(docs):,} documents are outside this field "
            f"(field relevance below {relevance.threshold:.2f}): they are left out of the "
            "neighbours, the map and the topics, and get no empowerment codes."
        )
    field_beyond = len(docs) - len(works) - 1 - (relevance.left_out if relevance else 0)
    if 0 < field_beyond < MIN_FIELD_TO_PLACE:
        lines.append(
            f"Only {field_beyond} documents of this field beyond the case and its cited works: "
            "too few to place the case in a wider literature; the neighbours below are a list "
            "to read, not a finding."
        )
    if nearest:
        first = docs[nearest[0].index]
        lines.append(
            f"Of the documents of the field the case does not cite, the closest on wording, "
            f"concepts, codes and topics together is “{first.title}” ({first.year or 'n.d.'}; "
            f"{_why_close(analysis, labels, nearest[0])})."
        )
    elif not analysis.topics.exploratory:  # an exploratory corpus is said to be too small above
        lines.append(
            "No uncited document of this field is in the corpus: the case cannot be placed in a "
            "wider literature yet (add documents or follow journals)."
        )
    return lines


def _topic_weight(works: list[WorkProfile]) -> float:
    return works[0].comparison.topic_weight if works else 1.0


def _closest(analysis: Analysis, ranked: list[Comparison]) -> list[str]:
    """Which works are closest, naming only the differences larger than their uncertainty (the
    spread over topic seeds): groups of works the seeds cannot order are said to be tied."""
    if not ranked:
        return ["No cited work has a text to compare beyond its title."]
    seeds = ranked[0].seeds
    over = f"over {seeds} topic seeds" if seeds > 1 else "from one topic seed"
    groups = tiers(ranked)

    def names(group: list[Comparison]) -> str:
        keys = [c.key for c in group]
        return keys[0] if len(keys) == 1 else ", ".join(keys[:-1]) + " and " + keys[-1]

    def score(c: Comparison) -> str:
        if c.combined_low == c.combined_high:
            return f"{c.key} {c.combined:.2f}"
        return f"{c.key} {c.combined:.2f} ({c.combined_low:.2f}-{c.combined_high:.2f})"

    if len(groups) == 1 and len(ranked) > 1:
        return [
            f"None of the {len(ranked)} cited works with a text stands clear of the others "
            f"{over}: their combined scores overlap from one to the next, so their ranks are "
            "shared ranges (tied; leading: " + "; ".join(score(c) for c in ranked[:3]) + ")."
        ]
    first = groups[0]
    if len(first) == 1:
        lines = [
            f"Closest to the case of the works with a text: {score(first[0])}, clear of every "
            f"other {over}."
        ]
    else:
        lines = [
            f"Closest to the case of the works with a text: {names(first)}, tied (in an order "
            f"the seeds do not settle: their combined scores overlap {over}; "
            + "; ".join(score(c) for c in first[:3])
            + (", ..." if len(first) > 3 else "")
            + ")."
        ]
    if len(groups) > 1:
        second = groups[1]
        rest = len(ranked) - len(first) - len(second)
        lines.append(
            f"Clearly below {'it' if len(first) == 1 else 'them'}: {names(second)}"
            + (", tied (in an order the seeds do not settle)" if len(second) > 1 else "")
            + (f"; then {rest} more." if rest else ".")
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
