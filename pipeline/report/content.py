"""What the report says, computed once from an Analysis and rendered three ways (HTML, MD, CSV).

Everything here is plain data: sentences, tables (pandas DataFrames) and figure data URIs. The
renderers escape; nothing here produces markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from pipeline.analysis import Analysis
from pipeline.compare.similarity import Comparison
from pipeline.documents import Document
from pipeline.report import figures

SIMILARITY_EXPLAINED = {
    "tfidf_cosine": (
        "TF-IDF cosine (0-1): how much the two texts use the same distinctive words. "
        "Texts in different languages share few words, so this is low across languages."
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


@dataclass
class WorkProfile:
    """One cited work as the report shows it."""

    comparison: Comparison
    document: Document
    reading: str
    evidence: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)


@dataclass
class ReportContent:
    run_id: str
    title: str
    summary: list[str]
    limits: list[str]
    case: Document
    case_themes: list[str]
    case_actor_roles: list[str]
    case_evidence: list[tuple[str, str, tuple[str, ...]]]
    works: list[WorkProfile]
    tables: dict[str, pd.DataFrame]
    figures: dict[str, str]
    topic_labels: list[str]
    explanations: dict[str, str]
    theme_labels: dict[str, str]
    manifest: dict[str, Any]


def _label(analysis: Analysis, theme: str) -> str:
    return analysis.codebook.label(theme)


def _pair_label(analysis: Analysis, pair: tuple[str, str]) -> str:
    return f"{_label(analysis, pair[0])} as {_label(analysis, pair[1]).lower()}"


def _reading(analysis: Analysis, c: Comparison, case_theme_count: int) -> str:
    """A plain-words sentence or two on where this work stands relative to the case."""
    parts = []
    if c.title_only:
        parts.append(
            "Known only by its title: the comparison rests on the title alone and is weak."
        )
    parts.append(
        f"Shares {len(c.shared_themes)} of the case's {case_theme_count} coded themes"
        + (
            f" ({', '.join(_label(analysis, t) for t in c.shared_themes)})"
            if c.shared_themes
            else ""
        )
        + "."
    )
    if c.title_only:
        parts.append("What it lacks compared with the case cannot be judged from a title.")
    elif c.case_only_themes:
        missing = ", ".join(_label(analysis, t) for t in c.case_only_themes)
        parts.append(f"Compared with the case it lacks: {missing}.")
    if c.work_only_themes:
        extra = ", ".join(_label(analysis, t) for t in c.work_only_themes)
        parts.append(f"It adds what the case does not code: {extra}.")
    if c.shared_actor_roles:
        pairs = "; ".join(_pair_label(analysis, p) for p in c.shared_actor_roles)
        parts.append(f"Same actor roles as the case: {pairs}.")
    return " ".join(parts)


def _evidence(analysis: Analysis, index: int) -> list[tuple[str, str, tuple[str, ...]]]:
    coding = analysis.codings[index]
    rows = []
    for theme in sorted(coding.evidence):
        for ev in coding.evidence[theme][:1]:
            rows.append((_label(analysis, theme), ev.sentence, ev.terms))
    return rows


def build_content(analysis: Analysis, run_id: str, manifest: dict[str, Any]) -> ReportContent:
    docs = analysis.documents
    case = analysis.case
    case_themes = analysis.themes[analysis.case_index]
    case_pairs = sorted(analysis.codings[analysis.case_index].actor_roles)
    by_key = {d.key: i for i, d in enumerate(docs)}
    topic_labels = [
        f"T{t + 1}: " + ", ".join(words[:5]) for t, words in enumerate(analysis.topics.labels)
    ]

    works = [
        WorkProfile(
            comparison=c,
            document=docs[by_key[c.key]],
            reading=_reading(analysis, c, len(case_themes)),
            evidence=_evidence(analysis, by_key[c.key]),
        )
        for c in analysis.comparisons
    ]

    similarity = pd.DataFrame(
        [
            {
                "rank": rank,
                "key": w.comparison.key,
                "year": w.comparison.year,
                "title": w.comparison.title,
                "known_only_by_title": w.comparison.title_only,
                "tfidf_cosine": round(w.comparison.tfidf_cosine, 4),
                "topic_hellinger": round(w.comparison.topic_hellinger, 4),
                "theme_jaccard": round(w.comparison.theme_jaccard, 4),
                "combined": round(w.comparison.combined, 4),
                "shared_themes": "; ".join(_label(analysis, t) for t in w.comparison.shared_themes),
                "lacks_vs_case": "; ".join(
                    _label(analysis, t) for t in w.comparison.case_only_themes
                ),
                "adds_vs_case": "; ".join(
                    _label(analysis, t) for t in w.comparison.work_only_themes
                ),
                "shared_actor_roles": "; ".join(
                    _pair_label(analysis, p) for p in w.comparison.shared_actor_roles
                ),
                "lacks_actor_roles": "; ".join(
                    _pair_label(analysis, p) for p in w.comparison.case_only_actor_roles
                ),
            }
            for rank, w in enumerate(works, start=1)
        ]
    )

    theme_ids = [t.id for t in analysis.codebook.themes]
    matrix_rows = [analysis.case_index, *[by_key[w.comparison.key] for w in works]]
    row_names = [
        f"{docs[i].key} (case)" if i == analysis.case_index else docs[i].key for i in matrix_rows
    ]
    matrix = np.array([[t in analysis.themes[i] for t in theme_ids] for i in matrix_rows], float)
    themes_table = pd.DataFrame(matrix.astype(int), columns=theme_ids)
    themes_table.insert(0, "key", [docs[i].key for i in matrix_rows])

    shares = analysis.topics.doc_topics[matrix_rows]
    topic_table = pd.DataFrame(
        {
            "topic": [f"T{t + 1}" for t in range(analysis.topics.k)],
            "top_words": [", ".join(words) for words in analysis.topics.labels],
            "share_in_case": [
                round(float(analysis.topics.doc_topics[analysis.case_index, t]), 4)
                for t in range(analysis.topics.k)
            ],
        }
    )
    doc_topics = pd.DataFrame(
        np.round(shares, 4), columns=[f"T{t + 1}" for t in range(analysis.topics.k)]
    )
    doc_topics.insert(0, "key", [docs[i].key for i in matrix_rows])
    classifier_table = pd.DataFrame(
        [
            {
                "theme": s.theme,
                "label": _label(analysis, s.theme),
                "documents_coded": s.positives,
                "precision": None if s.precision is None else round(s.precision, 4),
                "recall": None if s.recall is None else round(s.recall, 4),
                "f1": None if s.f1 is None else round(s.f1, 4),
                "note": s.note,
            }
            for s in analysis.classifier.scores
        ]
    )
    evidence_rows = []
    for i in matrix_rows:
        for theme, items in sorted(analysis.codings[i].evidence.items()):
            for ev in items:
                evidence_rows.append(
                    {
                        "key": docs[i].key,
                        "theme": theme,
                        "terms": "; ".join(ev.terms),
                        "sentence": ev.sentence,
                    }
                )
    evidence_table = pd.DataFrame(evidence_rows, columns=["key", "theme", "terms", "sentence"])

    short_labels = [t.label for t in analysis.codebook.themes]
    figs = {
        "similarity": figures.similarity_bars(
            [w.comparison.key for w in works],
            [w.comparison.combined for w in works],
            [w.comparison.title_only for w in works],
        ),
        "themes": figures.theme_matrix(row_names, short_labels, matrix),
        "topics": figures.topic_shares(row_names, shares, topic_labels),
        "coherence": figures.coherence_curve(analysis.topics.coherence_by_k, analysis.topics.k),
    }

    title_only = [w for w in works if w.comparison.title_only]
    with_text = [w for w in works if not w.comparison.title_only]
    closest = with_text[:3] if with_text else works[:3]
    summary = [
        f"The case, “{case.title}” ({case.year}), was compared with the {len(works)} works it "
        f"cites, within a corpus of {len(docs)} documents.",
        "Closest to the case (of the works with an abstract): "
        + "; ".join(
            f"{w.comparison.key} (combined {w.comparison.combined:.2f}, "
            f"{len(w.comparison.shared_themes)} shared themes)"
            for w in closest
        )
        + ".",
        f"The case is coded with {len(case_themes)} themes: "
        + ", ".join(_label(analysis, t) for t in sorted(case_themes))
        + ".",
    ]
    if case_pairs:
        summary.append(
            "Roles in the case, as its text states them: "
            + "; ".join(_pair_label(analysis, p) for p in case_pairs)
            + "."
        )
    sharing_roles = [w.comparison.key for w in works if w.comparison.shared_actor_roles]
    summary.append(
        f"{len(sharing_roles)} of the {len(works)} cited works describe at least one actor in the "
        "same role as the case" + (f" ({', '.join(sharing_roles)})" if sharing_roles else "") + "."
    )
    if title_only:
        summary.append(
            f"{len(title_only)} cited works are known only by their title "
            f"({', '.join(w.comparison.key for w in title_only)}): their scores rest on a title "
            "and are marked as such."
        )
    limits = [
        f"Corpus: {len(docs)} documents, {sum(len(t) for t in analysis.tokens):,} tokens after "
        f"stop words, {analysis.distinct_words:,} distinct words stemmed.",
        f"Topics: gensim LDA, K={analysis.topics.k} chosen by the highest c_v coherence among "
        f"K in {sorted(analysis.topics.coherence_by_k)} (seed {analysis.params.topics.seed}).",
        "Themes: coded by the indicator terms of corpus/codebook.toml (sha256 "
        f"{analysis.codebook.sha256[:12]}); each code comes with the sentence that supports it.",
        "Classifier: TF-IDF over stems + logistic regression, cross-validated against the lexicon "
        f"codings ({analysis.classifier.folds}-fold); macro-F1 "
        + (
            f"{analysis.classifier.macro_f1:.2f}"
            if analysis.classifier.macro_f1 is not None
            else "n/a"
        )
        + f" over {analysis.classifier.evaluated} themes. It measures agreement with the lexicon, "
        "not with human coders.",
    ]
    if analysis.topics.exploratory:
        limits.insert(
            0,
            f"Too few documents for topic modelling to mean much ({len(docs)}; at least 100 are "
            "needed): the topics below are exploratory, not findings. Add documents or follow "
            "journals (see the README) to widen the corpus.",
        )
    limits.append(
        "English and Indonesian texts share few words, so TF-IDF cosine between works in "
        "different languages is near zero; topic and theme measures carry the comparison there."
    )
    return ReportContent(
        run_id=run_id,
        title="berdaya: the OKU case and the works it cites",
        summary=summary,
        limits=limits,
        case=case,
        case_themes=[_label(analysis, t) for t in sorted(case_themes)],
        case_actor_roles=[_pair_label(analysis, p) for p in case_pairs],
        case_evidence=_evidence(analysis, analysis.case_index),
        works=works,
        tables={
            "similarity": similarity,
            "themes": themes_table,
            "topics": topic_table,
            "doc_topics": doc_topics,
            "classifier": classifier_table,
            "evidence": evidence_table,
        },
        figures=figs,
        topic_labels=topic_labels,
        explanations=SIMILARITY_EXPLAINED,
        theme_labels={t.id: t.label for t in analysis.codebook.themes},
        manifest=manifest,
    )
