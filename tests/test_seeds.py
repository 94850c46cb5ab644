"""One seed per run, reaching every random step; cited-work scores taken over a seed ensemble,
with intervals, ties and title-only works shown apart."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pipeline import runs
from pipeline.analysis import AnalysisParams
from pipeline.compare.similarity import Comparison, compare_to_case, rank_ties, tiers, topic_weight
from pipeline.documents import ROLE_CASE, ROLE_CITED, Document
from pipeline.project import ProjectPaths, new_run_id
from pipeline.topics.engines import fit_model
from pipeline.topics.ensemble import SeedMixtures, derive_seeds, ensemble_size, spread
from pipeline.topics.lda import TopicParams
from pipeline.topics.stability import StabilityResult

REPO = Path(__file__).resolve().parents[1]
FAST_TOPICS = TopicParams(k_values=(2, 3), gibbs_iterations=50)


def _work(key: str, cosine: float, hellinger: float, low: float, high: float, **kw) -> Comparison:
    return Comparison(
        key=key,
        title=key,
        year=2020,
        title_only=kw.pop("title_only", False),
        tfidf_cosine=cosine,
        topic_hellinger=hellinger,
        theme_jaccard=kw.pop("jaccard", 0.5),
        shared_themes=(),
        case_only_themes=(),
        work_only_themes=(),
        shared_actor_roles=(),
        case_only_actor_roles=(),
        topic_hellinger_low=low,
        topic_hellinger_high=high,
        seeds=10,
        **kw,
    )


class TestSeeds:
    def test_the_run_seed_is_the_topic_stage_seed(self):
        params = AnalysisParams(seed=5, topics=TopicParams(seed=99))
        assert params.topics.seed == 5
        assert params.as_dict()["topics"]["seed"] == 5

    def test_ensemble_seeds_start_with_the_run_seed_and_extend_without_changing(self):
        assert derive_seeds(7, 1) == [7]
        ten = derive_seeds(7, 10)
        assert ten[0] == 7 and len(set(ten)) == 10 and derive_seeds(7, 4) == ten[:4]
        # Adjacent run seeds share no other member (seed + i would share all but one)
        assert not set(derive_seeds(1, 50)[1:]) & set(derive_seeds(2, 50)[1:])

    def test_the_ensemble_grows_where_fitting_is_cheap_and_keeps_the_stability_seeds(self):
        assert ensemble_size(348, 3) == 200  # the bundled registry's fitted tokens
        assert ensemble_size(400_000, 3) == 3  # a few thousand abstracts: the stability seeds
        assert ensemble_size(100_000, 3) == 10
        assert ensemble_size(348, 3, cap=20) == 20


@pytest.fixture(scope="module")
def two_seeded_reports(tmp_path_factory) -> dict[int, tuple[Path, object, Path]]:
    """The bundled registry analysed and reported under seeds 11 and 12 (one project)."""
    root = tmp_path_factory.mktemp("seeded")
    corpus = root / "corpus"
    corpus.mkdir()
    for name in ("studies.toml", "codebook.toml"):
        (corpus / name).write_bytes((REPO / "corpus" / name).read_bytes())
    paths = ProjectPaths(root)
    runs.ingest_registry(paths)
    out = {}
    for seed in (11, 12):
        docs, corpus_hash = runs.load_corpus(paths)
        analysis = runs.run_analysis(
            docs, paths, AnalysisParams(seed=seed, topics=FAST_TOPICS, evaluate_themes=False)
        )
        manifest = runs.base_manifest(new_run_id(), analysis, corpus_hash, paths)
        model_dir = runs.save_models(analysis, paths, manifest)
        out[seed] = (runs.write_run_report(analysis, paths, manifest), analysis, model_dir)
    return out


class TestTwoSeeds:
    def test_two_reports_record_their_own_seeds(self, two_seeded_reports):
        for seed, (folder, analysis, model_dir) in two_seeded_reports.items():
            recorded = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["seeds"]
            assert recorded["analysis"] == recorded["topics_sweep"] == seed
            # The model shown is the ensemble's medoid: one of its seeds, recorded as such
            assert recorded["lda"] == analysis.topics.seeds["reference"]
            assert recorded["themes_classifier"] == seed and recorded["corpus_map"] == seed
            ensemble = recorded["topics_ensemble"]
            assert ensemble["seeds"] == derive_seeds(seed, ensemble["count"])
            assert ensemble["count"] == 200  # the bundled corpus is small enough for all of them
            note = json.loads((model_dir / "engine.json").read_text(encoding="utf-8"))
            assert note["seed"] == recorded["lda"] and recorded["lda"] in ensemble["seeds"]
            assert analysis.topics.ensemble.seeds == ensemble["seeds"]

    def test_the_topic_model_is_the_one_its_seed_fits(self, two_seeded_reports):
        for _seed, (_, analysis, _) in two_seeded_reports.items():
            topics = analysis.topics
            texts = [[t for t in doc if t in topics.dictionary.token2id] for doc in analysis.tokens]
            engine = FAST_TOPICS.engine_params(sum(topics.dictionary.cfs.values()))
            reference = topics.seeds["reference"]
            again = fit_model(texts, topics.dictionary, topics.k, reference, engine)
            np.testing.assert_allclose(again.topic_word(), topics.model.topic_word())
        (_, a, _), (_, b, _) = two_seeded_reports[11], two_seeded_reports[12]
        assert not np.allclose(a.topics.doc_topics, b.topics.doc_topics)

    def test_similarity_csv_has_intervals_rank_ranges_and_ties(self, two_seeded_reports):
        folder, _, _ = two_seeded_reports[11]
        with (folder / "similarity.csv").open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == 15
        ranked = [r for r in rows if r["known_only_by_title"] == "False"]
        titled = [r for r in rows if r["known_only_by_title"] == "True"]
        assert ranked and titled and rows[: len(ranked)] == ranked  # title-only works last
        for r in ranked:
            assert float(r["combined_low"]) <= float(r["combined"]) <= float(r["combined_high"])
            low, high = (int(x) for x in (r["rank_range"] + "-" + r["rank_range"]).split("-")[:2])
            assert low <= int(r["rank"]) <= high
            assert (r["tied"] == "True") == bool(r["tied_with"])
            assert int(r["seeds"]) == 200
        for r in titled:
            assert r["rank"] == r["rank_range"] == r["combined"] == ""

    def test_title_only_works_are_shown_apart_and_never_ranked(self, two_seeded_reports):
        folder, analysis, _ = two_seeded_reports[11]
        html = (folder / "index.html").read_text(encoding="utf-8")
        apart = html[html.index('id="title-only"') : html.index('id="works"')]
        ranked_table = html[html.index('id="comparison"') : html.index('id="title-only"')]
        for c in analysis.comparisons:
            if c.title_only:
                assert f"#work-{c.key}" in apart and f"#work-{c.key}" not in ranked_table
            else:
                assert f"#work-{c.key}" in ranked_table
        markdown = (folder / "report.md").read_text(encoding="utf-8")
        assert "### Works known only by their title" in markdown

    def test_the_summary_names_ties_and_says_the_corpus_is_too_small(self, two_seeded_reports):
        folder, analysis, _ = two_seeded_reports[11]
        markdown = (folder / "report.md").read_text(encoding="utf-8")
        summary = markdown[markdown.index("## Summary") : markdown.index("## The cited")]
        assert "The corpus is too small to place the case" in summary
        assert "topic seeds" in summary
        first = tiers([c for c in analysis.comparisons if c.ranked])[0]
        if len(first) > 1:
            assert "tied" in summary.split("\n")[3]
        for c in analysis.comparisons:
            if c.title_only:
                assert c.key not in summary.split("\n")[3]  # not among the closest


class TestRanks:
    def test_overlapping_intervals_share_a_rank_range(self):
        works = rank_ties(
            [
                _work("a", 0.5, 0.2, 0.1, 0.3),
                _work("b", 0.5, 0.25, 0.15, 0.35),  # overlaps a
                _work("c", 0.1, 0.9, 0.85, 0.95),  # clear of both
                _work("t", 0.9, 0.0, 0.0, 0.0, title_only=True),  # would be first: not ranked
            ]
        )
        by_key = {w.key: w for w in works}
        assert [w.key for w in works] == ["a", "b", "c", "t"]
        assert by_key["a"].rank_range == by_key["b"].rank_range == "1-2"
        assert by_key["a"].tied_with == ("b",) and by_key["c"].tied_with == ()
        assert by_key["c"].rank_range == "3"
        assert by_key["t"].rank is None and by_key["t"].rank_range == ""
        assert [[w.key for w in g] for g in tiers(works[:3])] == [["a", "b"], ["c"]]

    def test_distances_are_taken_over_every_seed_model(self):
        docs = [
            Document(
                source="registry",
                identifier=k,
                title=k,
                abstracts={"id": k},
                extra={"role": role, "key": k},
            )
            for k, role in (("case", ROLE_CASE), ("w1", ROLE_CITED), ("w2", ROLE_CITED))
        ]
        mixtures = np.array(
            [
                [[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]],  # seed 1: w1 like the case, w2 not
                [[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]],  # seed 2: neither
            ]
        )
        ensemble = SeedMixtures([1, 2], [0, 1, 2], mixtures)
        out = compare_to_case(
            0,
            docs,
            [1, 2],
            [["a"], ["a"], ["b"]],
            mixtures[0],
            [set(), set(), set()],
            [set(), set(), set()],
            ensemble=ensemble,
        )
        w1 = next(c for c in out if c.key == "w1")
        assert w1.seeds == 2 and w1.topic_hellinger == pytest.approx(0.5)
        # Two seed models: the interval is their range
        assert (w1.topic_hellinger_low, w1.topic_hellinger_high) == pytest.approx((0.0, 1.0))
        assert spread([0.0, 1.0]) == pytest.approx((0.5, 0.0, 1.0))
        # Ten or more: the middle 80%
        assert spread(np.linspace(0, 1, 11)) == pytest.approx((0.5, 0.1, 0.9))

    def test_unstable_topics_weigh_less_in_the_combined_score(self):
        steady = StabilityResult([1, 2, 3], [0.9, 0.8], 0.5)
        shaky = StabilityResult([1, 2, 3], [0.2, 0.1], 0.5)
        assert topic_weight(steady) == 1.0
        assert topic_weight(shaky) == pytest.approx(0.3)
        assert topic_weight(None) == 1.0
        full = _work("x", 0.3, 0.5, 0.5, 0.5, jaccard=0.3)
        half = _work("x", 0.3, 0.5, 0.5, 0.5, jaccard=0.3, topic_weight=0.0)
        assert full.combined == pytest.approx((0.3 + 0.5 + 0.3) / 3)
        assert half.combined == pytest.approx(0.3)


@pytest.mark.slow
def test_report_seed_on_the_command_line_reaches_the_topic_model(project):
    """`berdaya report --seed N` through the real CLI and flows: the manifest and the model."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    runs.ingest_registry(ProjectPaths(project))
    recorded = {}
    for seed in (1, 777):
        command = [sys.executable, "-m", "flows.cli", "report", "--project", str(project)]
        result = subprocess.run(
            [*command, "--seed", str(seed)],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        manifest = json.loads(
            (project / "reports" / "latest" / "manifest.json").read_text(encoding="utf-8")
        )
        note = project / "models" / manifest["run_id"] / "engine.json"
        recorded[seed] = (manifest["seeds"], json.loads(note.read_text(encoding="utf-8")))
    for seed, (seeds, note) in recorded.items():
        assert seeds["topics_sweep"] == seed and seeds["lda"] == note["seed"]
        assert seeds["topics_ensemble"]["seeds"][0] == seed
        assert seeds["lda"] in seeds["topics_ensemble"]["seeds"]  # the medoid seed model
