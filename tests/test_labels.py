"""Gold-coding machinery on tiny literal data: labels files, kappa, the sample, grouped folds,
the calibrated classifier and the coding sheet round trip."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from pipeline.documents import Document
from pipeline.themes.agreement import binary_kappa, compare, draw_sample
from pipeline.themes.codebook import load_codebook
from pipeline.themes.evaluation import grouped_folds
from pipeline.themes.labels import Label, LabelsError, label_for, read_labels, write_labels
from pipeline.themes.model import ThemeClassifier, training_matrix, with_lexicon_features
from pipeline.themes.sheet import SheetError, import_sheet, rank_uncertain, write_sheet

CODEBOOK = Path(__file__).resolve().parents[1] / "corpus" / "codebook.toml"


@pytest.fixture(scope="module")
def codebook():
    return load_codebook(CODEBOOK)


def doc(n: int, abstract: str = "Teks abstrak.") -> Document:
    return Document(
        source="csv", identifier=f"title:judul {n}", title=f"Judul {n}", abstracts={"id": abstract}
    )


def label(doc_id: str, *codes: str) -> Label:
    return Label(id=doc_id, source="csv", text_sha256="x", codes=frozenset(codes))


class TestLabelsFile:
    def test_round_trip_keeps_codes_and_hash_but_no_text(self, tmp_path):
        d = doc(1, "Sebuah abstrak yang tidak boleh disalin.")
        path = tmp_path / "gold.csv"
        write_labels(path, [label_for(d, {"dim.social", "actor.ngo"}, coder="A")])
        back = read_labels(path)
        assert back[d.id].codes == {"dim.social", "actor.ngo"}
        assert len(back[d.id].text_sha256) == 64
        assert "abstrak" not in path.read_text(encoding="utf-8")

    def test_duplicate_id_is_refused_naming_the_line(self, tmp_path):
        path = tmp_path / "gold.csv"
        path.write_text("id,text_sha256,codes\na,h,\na,h,dim.social\n", encoding="utf-8")
        with pytest.raises(LabelsError, match="line 3: id a appears twice"):
            read_labels(path)


class TestKappa:
    def test_hand_computed_value(self):
        # agreement 6/8 = 0.75; both coders say yes half the time, chance 0.5; kappa 0.25/0.5
        a = [1, 1, 0, 0, 1, 0, 1, 0]
        b = [1, 0, 0, 0, 1, 1, 1, 0]
        assert binary_kappa(a, b) == pytest.approx(0.5)

    def test_same_single_answer_is_full_agreement(self):
        assert binary_kappa([0, 0, 0], [0, 0, 0]) == 1.0

    def test_family_kappa_averages_the_themes_used(self, codebook):
        first = {
            "d1": label("d1", "dim.social"),
            "d2": label("d2"),
            "d3": label("d3", "dim.social", "dim.economic"),
            "d4": label("d4"),
        }
        second = {
            "d1": label("d1", "dim.social"),
            "d2": label("d2"),
            "d3": label("d3", "dim.social"),
            "d4": label("d4", "dim.economic"),
        }
        result = compare(first, second, codebook)
        assert result.theme_kappa["dim.social"] == 1.0
        # economic: first yes on d3 only, second yes on d4 only -> po 0.5, pe 0.625, kappa -1/3
        assert result.theme_kappa["dim.economic"] == pytest.approx(-1 / 3)
        assert result.family_kappa["dimension"] == pytest.approx((1.0 - 1 / 3) / 2)
        assert result.family_kappa["actor"] is None
        assert ("d3", "dim.economic", True, False) in result.disagreements

    def test_rows_left_uncoded_are_skipped(self, codebook):
        first = {"d1": label("d1", "dim.social")}
        second = {"d1": label("d1", "?")}
        assert compare(first, second, codebook).documents == 0


class TestSample:
    def test_fixed_seed_stratified_draw_includes_rare_codes(self):
        gold = {f"d{i:03d}": label(f"d{i:03d}", "dim.social") for i in range(100)}
        gold["rare"] = label("rare", "dim.social", "ctx.covid19")
        first = draw_sample(gold, n=20, seed=1)
        assert first == draw_sample(gold, n=20, seed=1)
        assert len(first) == 20
        assert "rare" in first


class TestGroupedFolds:
    def test_no_group_on_both_sides_and_each_gold_row_tested_once(self):
        groups = [f"j{i % 7}" for i in range(60)]
        gold_rows = list(range(0, 60, 2))
        folds = grouped_folds(gold_rows, groups, n_splits=4, seed=0)
        tested = np.concatenate([f.test for f in folds])
        assert sorted(tested) == gold_rows
        for fold in folds:
            train_groups = {groups[i] for i in fold.train}
            test_groups = {groups[i] for i in fold.test}
            assert not train_groups & test_groups
            assert len(fold.train) > 0


class TestClassifier:
    def test_learns_separable_themes_and_answers_single_class_themes_by_prior(self):
        tokens = [["zakat", "masjid", "umat"]] * 8 + [["hutan", "konservasi", "lahan"]] * 8
        y = np.array([[True, False]] * 8 + [[False, False]] * 8)
        model = ThemeClassifier(["religious", "never"], seed=0).fit(tokens, y)
        proba = model.predict_proba([["zakat", "umat"], ["hutan", "lahan"]])
        assert proba[0, 0] > 0.5 > proba[1, 0]
        assert proba[:, 1].tolist() == [0.0, 0.0]
        assert model.top_terms("religious", 3)[0][0] in {"zakat", "masjid", "umat"}
        assert model.term_weights("never") == {}

    def test_scoring_in_batches_gives_exactly_the_scores_of_one_batch(self):
        rng = np.random.default_rng(0)
        words = ["zakat", "masjid", "umat", "hutan", "konservasi", "lahan", "desa", "bumdes"]
        tokens = [list(rng.choice(words, size=6)) for _ in range(120)]
        y = np.array([["zakat" in t, "hutan" in t] for t in tokens])
        model = ThemeClassifier(["religious", "forest"], seed=0).fit(tokens, y)
        whole = model.predict_proba(tokens, batch=len(tokens))
        assert np.array_equal(model.predict_proba(tokens, batch=7), whole)
        assert model.predict_proba([]).shape == (0, 2)

    def test_training_matrix_prefers_gold_over_lexicon(self):
        y, is_gold = training_matrix(["a", "b"], [{"x"}, {"x"}], {"a": label("a", "y")}, ["x", "y"])
        assert y.tolist() == [[False, True], [True, False]]
        assert is_gold.tolist() == [True, False]

    def test_lexicon_features_are_tokens(self):
        assert with_lexicon_features(["a"], {"dim.social": 2}) == [
            "a",
            "lex:dim.social",
            "lex:dim.social",
        ]


class TestSheet:
    def _sheet(self, tmp_path, codebook, docs):
        probabilities = np.full((len(docs), len(codebook.ids)), 0.2)
        path = tmp_path / "sheet.csv"
        write_sheet(path, docs, probabilities, codebook.ids)
        return path

    def _fill(self, path, decisions: dict[int, str], text_hash: dict[int, str] | None = None):
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        for i, codes in decisions.items():
            rows[i]["codes"] = codes
        for i, value in (text_hash or {}).items():
            rows[i]["text_sha256"] = value
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)

    def test_round_trip_merges_decisions_and_skips_empty_rows(self, tmp_path, codebook):
        docs = [doc(1), doc(2), doc(3)]
        path = self._sheet(tmp_path, codebook, docs)
        header = path.read_text(encoding="utf-8").splitlines()[0]
        assert "p:dim.social" in header and header.endswith("codes,note")
        self._fill(path, {0: "dim.social actor.ngo", 1: "-"})
        target = tmp_path / "researcher.csv"
        result = import_sheet(path, {d.id: d for d in docs}, codebook, target)
        assert (result.added, result.updated, result.skipped) == (2, 0, 1)
        labels = read_labels(target)
        assert labels[docs[0].id].codes == {"dim.social", "actor.ngo"}
        assert labels[docs[1].id].codes == frozenset()
        self._fill(path, {0: "dim.economic"})
        assert import_sheet(path, {d.id: d for d in docs}, codebook, target).updated == 2

    def test_unknown_theme_stops_the_import_naming_the_row(self, tmp_path, codebook):
        docs = [doc(1), doc(2)]
        path = self._sheet(tmp_path, codebook, docs)
        self._fill(path, {0: "dim.social", 1: "dim.sosial"})
        target = tmp_path / "researcher.csv"
        with pytest.raises(SheetError, match=r"line 3: unknown theme\(s\) dim.sosial"):
            import_sheet(path, {d.id: d for d in docs}, codebook, target)
        assert not target.exists()

    def test_changed_text_and_unknown_id_are_refused(self, tmp_path, codebook):
        docs = [doc(1), doc(2)]
        path = self._sheet(tmp_path, codebook, docs)
        self._fill(path, {0: "dim.social", 1: "dim.social"}, text_hash={1: "0" * 64})
        with pytest.raises(SheetError, match=r"line 3: the text of .* changed"):
            import_sheet(path, {d.id: d for d in docs}, codebook, tmp_path / "r.csv")
        with pytest.raises(SheetError, match="is not in the corpus"):
            import_sheet(path, {docs[1].id: docs[1]}, codebook, tmp_path / "r.csv")

    def test_most_uncertain_first_and_coded_documents_left_out(self):
        probabilities = np.array([[0.9, 0.1], [0.5, 0.45], [0.3, 0.6]])
        ranked = rank_uncertain(["a", "b", "c"], probabilities, exclude={"c"})
        assert [d for d, _ in ranked] == ["b", "a"]
