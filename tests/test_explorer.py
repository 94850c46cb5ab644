"""The topic explorer: correct numbers, one offline file, and words that cannot become markup."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from gensim.corpora import Dictionary
from gensim.models import LdaModel

from pipeline.report.explorer import (
    ExplorerError,
    TopicModelView,
    explorer_payload,
    json_for_html,
    render_explorer,
    topic_coordinates,
    view_from_gensim,
    view_from_matrices,
    write_explorer,
)

HOSTILE = "</script><script>alert(1)</script>"


def random_view(k: int = 3, v: int = 40, d: int = 12, seed: int = 0) -> TopicModelView:
    rng = np.random.default_rng(seed)
    return TopicModelView(
        topic_term=rng.dirichlet(np.full(v, 0.3), k),
        doc_topic=rng.dirichlet(np.ones(k), d),
        doc_lengths=rng.integers(10, 60, d).astype(float),
        vocab=tuple(f"w{i}" for i in range(v)),
        term_frequency=rng.integers(1, 30, v).astype(float),
    )


def ranked(topic: dict, lam: float, top: int) -> list[int]:
    """The page's ranking (same formula and tie-break as its script)."""
    scores = [
        (-(lam * lp + (1 - lam) * ll), term)
        for term, lp, ll in zip(topic["terms"], topic["logp"], topic["loglift"], strict=True)
    ]
    return [term for _, term in sorted(scores)[:top]]


class _Scripts(HTMLParser):
    """Collects every element the HTML parser sees, and the text of each <script>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def parse(page: str) -> _Scripts:
    parser = _Scripts()
    parser.feed(page)
    parser.close()
    return parser


class TestView:
    def test_mismatched_shapes_are_named(self):
        good = random_view()
        with pytest.raises(ExplorerError, match=r"doc_topic must be D x 3, got shape \(12, 2\)"):
            TopicModelView(
                good.topic_term, good.doc_topic[:, :2], good.doc_lengths, good.vocab,
                good.term_frequency,
            )  # fmt: skip
        with pytest.raises(ExplorerError, match=r"vocab \(39\) and term_frequency"):
            TopicModelView(
                good.topic_term, good.doc_topic, good.doc_lengths, good.vocab[:-1],
                good.term_frequency,
            )  # fmt: skip

    def test_from_gensim_counts_terms_and_documents(self):
        texts = [["desa", "dana", "desa"], ["lsm", "warga"], ["desa", "warga", "lsm", "dana"]]
        dictionary = Dictionary(texts)
        bows = [dictionary.doc2bow(t) for t in texts]
        model = LdaModel(bows, id2word=dictionary, num_topics=2, random_state=1, passes=2)
        view = view_from_gensim(model, dictionary, bows)
        assert view.topic_term.shape == (2, len(dictionary))
        assert view.doc_topic.shape == (3, 2)
        assert np.allclose(view.doc_topic.sum(axis=1), 1.0)
        assert view.doc_lengths.tolist() == [3.0, 2.0, 4.0]
        frequency = dict(zip(view.vocab, view.term_frequency.tolist(), strict=True))
        assert frequency == {"desa": 3.0, "dana": 2.0, "lsm": 2.0, "warga": 2.0}

    def test_from_matrices_of_any_engine(self):
        texts = [["desa", "dana", "desa"], ["lsm", "warga"]]
        dictionary = Dictionary(texts)
        topic_word = np.full((2, len(dictionary)), 1.0 / len(dictionary))
        view = view_from_matrices(topic_word, np.array([[0.5, 0.5], [1.0, 0.0]]), dictionary, texts)
        assert view.doc_lengths.tolist() == [3.0, 2.0]
        assert dict(zip(view.vocab, view.term_frequency.tolist(), strict=True))["desa"] == 2.0


class TestPayload:
    def test_topic_shares_are_token_weighted_and_sum_to_one(self):
        view = random_view()
        payload = explorer_payload(view)
        expected = (view.doc_topic * view.doc_lengths[:, None]).sum(0) / view.doc_lengths.sum()
        shares = [t["share"] for t in payload["topics"]]
        assert shares == pytest.approx(expected.tolist(), abs=1e-6)
        assert [t["name"] for t in payload["topics"]] == ["T1", "T2", "T3"]

    @pytest.mark.parametrize("lam", [0.0, 0.37, 0.6, 1.0])
    def test_relevance_ranking_matches_the_full_vocabulary(self, lam):
        view = random_view(v=200)
        payload = explorer_payload(view, top_terms=10)
        phi = view.topic_term / view.topic_term.sum(1, keepdims=True)
        share = (view.doc_topic * view.doc_lengths[:, None]).sum(0)
        marginal = (share / share.sum()) @ phi
        for t, topic in enumerate(payload["topics"]):
            relevance = lam * np.log(phi[t]) + (1 - lam) * np.log(phi[t] / marginal)
            expected = [view.vocab[i] for i in np.argsort(-relevance)[:10]]
            got = [payload["terms"][i]["stem"] for i in ranked(topic, lam, 10)]
            assert got == expected

    def test_topics_keep_the_names_they_are_given(self):
        payload = explorer_payload(random_view(), topic_names=["T4", "T1", "T7"])
        assert [t["name"] for t in payload["topics"]] == ["T4", "T1", "T7"]
        with pytest.raises(ExplorerError, match="topic_names has 1 entries for 3 topics"):
            explorer_payload(random_view(), topic_names=["T1"])

    def test_words_shown_are_surface_forms_with_their_stems_kept(self):
        payload = explorer_payload(random_view(), lambda stem: stem.upper() + "!")
        assert all(t["word"] == t["stem"].upper() + "!" for t in payload["terms"])

    def test_documents_listed_per_topic_by_share(self):
        view = random_view(d=4)
        payload = explorer_payload(view, doc_labels=["a", "b", "c", "d"])
        for t, topic in enumerate(payload["topics"]):
            order = np.argsort(-view.doc_topic[:, t], kind="stable")
            assert [name for name, _ in topic["docs"]] == ["abcd"[i] for i in order]
        with pytest.raises(ExplorerError, match="doc_labels has 2 labels for 4 documents"):
            explorer_payload(view, doc_labels=["a", "b"])

    def test_map_keeps_the_jensen_shannon_distances_of_three_topics(self):
        phi = random_view().topic_term
        coords = topic_coordinates(phi)
        mean = (phi[:, None] + phi[None]) / 2
        js = 0.5 * (phi[:, None] * np.log(phi[:, None] / mean)).sum(-1)
        js += 0.5 * (phi[None] * np.log(phi[None] / mean)).sum(-1)
        mapped = np.linalg.norm(coords[:, None] - coords[None], axis=-1)
        assert np.allclose(mapped, np.sqrt(js), atol=1e-6)
        assert np.array_equal(coords, topic_coordinates(phi.copy()))  # deterministic

    def test_two_topics_lie_on_one_axis(self):
        coords = topic_coordinates(random_view(k=2).topic_term)
        assert coords.shape == (2, 2) and np.all(coords[:, 1] == 0.0)


class TestPage:
    @pytest.fixture
    def page(self, tmp_path: Path) -> tuple[str, dict]:
        view = random_view()
        words = {"w0": HOSTILE, "w1": "R&D <b>x</b>", "w2": "\u2028line"}
        path = write_explorer(
            tmp_path / "explorer.html",
            view,
            lambda stem: words.get(stem, stem),
            title=f"Topics {HOSTILE}",
            topic_labels=["a", "b", f"c {HOSTILE}"],
            doc_labels=[f"doc {i}" for i in range(11)] + [HOSTILE],
        )
        payload = explorer_payload(
            view,
            lambda stem: words.get(stem, stem),
            topic_labels=["a", "b", f"c {HOSTILE}"],
            doc_labels=[f"doc {i}" for i in range(11)] + [HOSTILE],
        )
        return path.read_text(encoding="utf-8"), payload

    def test_no_url_and_nothing_loaded_from_elsewhere(self, page):
        text, _ = page
        assert not re.search(r"https?:|//[a-z0-9]", text, re.IGNORECASE)
        for tag, attrs in parse(text).tags:
            assert "src" not in attrs and "href" not in attrs, (tag, attrs)
            assert tag not in ("link", "iframe", "object", "embed", "img")

    def test_embedded_data_is_the_payload(self, page):
        text, payload = page
        data_script = parse(text).scripts[0]
        assert json.loads(data_script) == payload
        words = [t["word"] for t in json.loads(data_script)["terms"]]
        assert HOSTILE in words and "R&D <b>x</b>" in words

    def test_hostile_words_cannot_leave_the_data_element(self, page):
        text, _ = page
        parsed = parse(text)
        assert [t for t, _ in parsed.tags].count("script") == 2
        assert "alert(1)" not in parsed.scripts[1]  # the code script is ours alone
        assert "<script>alert" not in text and "</script><script>" not in text
        assert "<b>" not in text
        assert "&lt;/script&gt;" in text  # the title, HTML-escaped

    def test_policy_allows_exactly_the_inline_script(self, page):
        text, _ = page
        policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', text)
        assert policy is not None
        code = parse(text).scripts[1]
        digest = base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
        assert f"script-src 'sha256-{digest}'" in policy.group(1)
        assert "default-src 'none'" in policy.group(1)

    def test_json_for_html_escapes_markup_and_line_separators(self):
        encoded = json_for_html({"w": "</script>&\u2028"})
        assert encoded == '{"w":"\\u003c/script\\u003e\\u0026\\u2028"}'
        assert json.loads(encoded) == {"w": "</script>&\u2028"}
        with pytest.raises(ValueError):
            json_for_html({"x": float("nan")})

    def test_render_needs_no_files(self):
        page = render_explorer(explorer_payload(random_view(k=2)), title="K=2")
        assert page.startswith("<!DOCTYPE html>") and "<title>K=2</title>" in page
