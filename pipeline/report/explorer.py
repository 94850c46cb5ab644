"""An offline, interactive topic explorer: one HTML file with its script, styles and data inlined.

Why not pyLDAvis: its ``prepare`` does run on pandas 3.1 / numpy 2.4 (checked with 3.4.1), but its
page loads d3 and LDAvis from CDNs. Working offline means shipping d3 (250 kB, with http:// XML
namespace strings inside) and LDAvis's script beside every report, adding three runtime packages
(pyLDAvis, funcy, numexpr) that upstream no longer tests against pandas 3, and embedding its JSON
unescaped. LDAvis also keys terms by their text, which breaks when two stems share a surface form.
The views we need are small: a 2-D map of topics (classical MDS of Jensen-Shannon distances, the
method LDAvis uses by default), the top words of the selected topic ranked by relevance with a
lambda slider (Sievert & Shirley 2014), and the documents where the topic weighs most. About
200 lines of plain JavaScript, written here, do that with no library.

Safety: every word and title comes from harvested text. The data travels as JSON in a
``<script type="application/json">`` element with ``<``, ``>`` and ``&`` escaped, so no string
can close the element; the script reads it with ``JSON.parse`` and writes words only through
``textContent``. A Content-Security-Policy allows the one inline script (by its sha256) and
nothing else: no network, no other script, even if some markup slipped in.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

# Terms listed for a topic, and the lambda grid over which the candidate terms are collected.
TOP_TERMS = 30
LAMBDA_STEPS = 101
DEFAULT_LAMBDA = 0.6  # Sievert & Shirley's user study found 0.6 best for interpreting topics
TOP_DOCUMENTS = 10
_EPS = 1e-12


class ExplorerError(ValueError):
    """The topic model's matrices do not fit together; the message says which and how."""


@dataclass(frozen=True)
class TopicModelView:
    """What the explorer needs from a topic model, whatever library fitted it.

    ``topic_term``: K x V, each row a distribution over the vocabulary; ``doc_topic``: D x K;
    ``doc_lengths``: tokens per document; ``vocab``: the V terms (stems); ``term_frequency``:
    corpus count of each term.
    """

    topic_term: np.ndarray
    doc_topic: np.ndarray
    doc_lengths: np.ndarray
    vocab: tuple[str, ...]
    term_frequency: np.ndarray

    def __post_init__(self) -> None:
        k, v = self.topic_term.shape if self.topic_term.ndim == 2 else (0, 0)
        problems = []
        if self.topic_term.ndim != 2 or k < 1 or v < 1:
            problems.append(f"topic_term must be K x V, got shape {self.topic_term.shape}")
        if self.doc_topic.ndim != 2 or self.doc_topic.shape[1] != k:
            problems.append(f"doc_topic must be D x {k}, got shape {self.doc_topic.shape}")
        if self.doc_lengths.shape != (self.doc_topic.shape[0],):
            problems.append(
                f"doc_lengths has {self.doc_lengths.shape} entries for "
                f"{self.doc_topic.shape[0]} documents"
            )
        if len(self.vocab) != v or self.term_frequency.shape != (v,):
            problems.append(
                f"vocab ({len(self.vocab)}) and term_frequency {self.term_frequency.shape} "
                f"must both have the {v} terms of topic_term"
            )
        if not problems and (self.topic_term < 0).any():
            problems.append("topic_term has negative weights")
        if problems:
            raise ExplorerError("topic model view: " + "; ".join(problems))


def view_from_matrices(
    topic_word: np.ndarray,
    doc_topics: np.ndarray,
    dictionary: Any,
    token_lists: Sequence[Sequence[str]],
) -> TopicModelView:
    """Any engine's model: its K x V topic-word matrix (columns in ``dictionary`` id order), the
    documents x K mixtures and the token lists they were computed from (same order).

    With berdaya's topic stage: ``view_from_matrices(result.model.topic_word(),
    result.doc_topics, result.dictionary, analysis.tokens)``.
    """
    # Counted document by document into one flat array of term ids: a bag of words per document
    # held at once would take ~700 MB on 100,000 abstracts for two sums.
    token2id = dictionary.token2id
    ids = array("l")
    lengths = np.zeros(len(token_lists))
    for row, tokens in enumerate(token_lists):
        known = [token2id[t] for t in tokens if t in token2id]
        lengths[row] = len(known)
        ids.extend(known)
    frequency = np.bincount(np.frombuffer(ids, dtype=f"i{ids.itemsize}"), minlength=len(dictionary))
    return TopicModelView(
        topic_term=np.asarray(topic_word, dtype=float),
        doc_topic=np.asarray(doc_topics, dtype=float),
        doc_lengths=lengths,
        vocab=tuple(dictionary[i] for i in range(len(dictionary))),
        term_frequency=frequency.astype(float),
    )


def view_from_gensim(
    model: Any, dictionary: Any, bows: Sequence[list[tuple[int, int]]]
) -> TopicModelView:
    """Read a gensim LdaModel, its Dictionary and the bag-of-words corpus it was fitted on."""
    k = model.num_topics
    topic_term = np.asarray(model.get_topics(), dtype=float)
    doc_topic = np.zeros((len(bows), k))
    for row, bow in enumerate(bows):
        for topic, weight in model.get_document_topics(bow, minimum_probability=0.0):
            doc_topic[row, topic] = weight
    frequency = np.zeros(len(dictionary))
    for bow in bows:
        for term, count in bow:
            frequency[term] += count
    return TopicModelView(
        topic_term=topic_term,
        doc_topic=doc_topic,
        doc_lengths=np.array([sum(c for _, c in bow) for bow in bows], dtype=float),
        vocab=tuple(dictionary[i] for i in range(len(dictionary))),
        term_frequency=frequency,
    )


def _normalise_rows(matrix: np.ndarray) -> np.ndarray:
    sums = matrix.sum(axis=1, keepdims=True)
    sums[sums <= 0] = 1.0
    return matrix / sums


def topic_coordinates(topic_term: np.ndarray) -> np.ndarray:
    """K x 2 map of topics: classical MDS (PCoA) of Jensen-Shannon distances between topics.

    Deterministic (an eigendecomposition, no random start), and each axis is signed so its
    largest coordinate is positive, so the same model always gives the same picture.
    """
    phi = _normalise_rows(np.clip(topic_term, 0.0, None)) + _EPS
    k = phi.shape[0]
    mean = (phi[:, None, :] + phi[None, :, :]) / 2
    kl = lambda p, q: (p * np.log(p / q)).sum(axis=-1)  # noqa: E731
    divergence = (kl(phi[:, None, :], mean) + kl(phi[None, :, :], mean)) / 2
    distance = np.sqrt(np.clip(divergence, 0.0, None))
    centre = np.eye(k) - np.full((k, k), 1.0 / k)
    b = -0.5 * centre @ (distance**2) @ centre
    values, vectors = np.linalg.eigh(b)
    order = np.argsort(values)[::-1][:2]
    coords = vectors[:, order] * np.sqrt(np.clip(values[order], 0.0, None))
    if coords.shape[1] < 2:
        coords = np.hstack([coords, np.zeros((k, 2 - coords.shape[1]))])
    for axis in range(2):
        column = coords[:, axis]
        if column[np.argmax(np.abs(column))] < 0:
            coords[:, axis] = -column
    coords[np.abs(coords) < 1e-12] = 0.0
    return coords


def _round(values: np.ndarray, digits: int = 5) -> list[float]:
    return [float(x) for x in np.round(np.asarray(values, dtype=float), digits)]


def explorer_payload(
    view: TopicModelView,
    surface: Callable[[str], str] | None = None,
    *,
    topic_names: Sequence[str] | None = None,
    topic_labels: Sequence[str] | None = None,
    doc_labels: Sequence[str] | None = None,
    top_terms: int = TOP_TERMS,
) -> dict[str, Any]:
    """Everything the page shows, as plain JSON-able data (computed here, not in the browser).

    Per topic, only the terms that are among the ``top_terms`` most relevant for some lambda on
    a grid of 0, 0.01, ..., 1 are kept, with log p(w|t) and log lift; the page ranks them for the
    slider's lambda exactly as this grid would. Topics keep the model's order; ``topic_names``
    (the report's stable ids, "T3") name them, T1..TK by position when not given.
    """
    surface = surface or (lambda stem: stem)
    phi = _normalise_rows(np.clip(view.topic_term, 0.0, None))
    k, v = phi.shape
    for what, given in (("topic_names", topic_names), ("topic_labels", topic_labels)):
        if given is not None and len(given) != k:
            raise ExplorerError(f"{what} has {len(given)} entries for {k} topics")
    theta = _normalise_rows(np.clip(view.doc_topic, 0.0, None))
    weights = theta * view.doc_lengths[:, None]
    total = weights.sum()
    topic_share = weights.sum(axis=0) / total if total > 0 else np.full(k, 1.0 / k)
    term_marginal = topic_share @ phi  # p(w) implied by the model
    log_phi = np.log(phi + _EPS)
    log_lift = log_phi - np.log(term_marginal + _EPS)
    # p(t|w), for the estimated count of each term within a topic.
    joint = phi * topic_share[:, None]
    topic_given_term = joint / np.clip(joint.sum(axis=0, keepdims=True), _EPS, None)
    n = min(top_terms, v)
    lambdas = np.linspace(0.0, 1.0, LAMBDA_STEPS)

    used: set[int] = set()
    topics = []
    for t in range(k):
        relevance = lambdas[:, None] * log_phi[t] + (1 - lambdas[:, None]) * log_lift[t]
        best = np.argpartition(-relevance, n - 1, axis=1)[:, :n]
        candidates = sorted(set(best.ravel().tolist()))
        used.update(candidates)
        topics.append(
            {
                "id": t,
                "name": str(topic_names[t]) if topic_names else f"T{t + 1}",
                "label": str(topic_labels[t]) if topic_labels else "",
                "share": round(float(topic_share[t]), 6),
                "terms": candidates,
                "logp": _round(log_phi[t, candidates]),
                "loglift": _round(log_lift[t, candidates]),
                "count": _round(
                    view.term_frequency[candidates] * topic_given_term[t, candidates], 2
                ),
                "docs": _top_documents(theta[:, t], doc_labels),
            }
        )

    # Overall view (no topic selected): the most salient terms (Chuang et al. 2012).
    prior = np.clip(topic_share, _EPS, None)
    distinctiveness = (
        topic_given_term * np.log(np.clip(topic_given_term, _EPS, None) / prior[:, None])
    ).sum(axis=0)
    saliency = (view.term_frequency / max(view.term_frequency.sum(), _EPS)) * distinctiveness
    salient = [int(i) for i in np.argsort(-saliency, kind="stable")[:n]]
    used.update(salient)

    index = sorted(used)
    position = {term: i for i, term in enumerate(index)}
    for topic in topics:
        topic["terms"] = [position[term] for term in topic["terms"]]
    coords = topic_coordinates(phi)
    return {
        "topics": topics,
        "x": _round(coords[:, 0]),
        "y": _round(coords[:, 1]),
        "terms": [
            {
                "word": surface(view.vocab[i]),
                "stem": view.vocab[i],
                "freq": round(float(view.term_frequency[i]), 2),
            }
            for i in index
        ],
        "salient": [position[i] for i in salient],
        "top": n,
        "lambda": DEFAULT_LAMBDA,
        "documents": len(theta),
        "tokens": round(float(view.doc_lengths.sum()), 2),
    }


def _top_documents(shares: np.ndarray, labels: Sequence[str] | None) -> list[list[Any]]:
    if labels is None:
        return []
    if len(labels) != len(shares):
        raise ExplorerError(f"doc_labels has {len(labels)} labels for {len(shares)} documents")
    order = np.argsort(-shares, kind="stable")[:TOP_DOCUMENTS]
    return [[str(labels[i]), round(float(shares[i]), 4)] for i in order if shares[i] > 0.0]


def json_for_html(data: Any) -> str:
    """JSON that is inert inside an HTML element: no ``<``, ``>`` or ``&`` survive literally.

    JSON.parse reads ``\\u003c`` back as ``<``; the HTML parser never sees a tag or an entity,
    so a word like ``</script><script>...`` stays a word.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def render_explorer(payload: dict[str, Any], title: str = "Topic explorer") -> str:
    """The complete HTML page for ``payload`` (see ``explorer_payload``)."""
    script_hash = base64.b64encode(hashlib.sha256(_SCRIPT.encode()).digest()).decode()
    policy = (
        "default-src 'none'; "
        f"script-src 'sha256-{script_hash}'; "
        "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
    )
    return (
        _PAGE.replace("@POLICY@", policy)  # our constant and a base64 digest: no quotes
        .replace("@TITLE@", html.escape(title))
        .replace("@STYLE@", _STYLE)
        .replace("@DATA@", json_for_html(payload))
        .replace("@SCRIPT@", _SCRIPT)
    )


def write_explorer(
    path: Path,
    view: TopicModelView,
    surface: Callable[[str], str] | None = None,
    *,
    title: str = "Topic explorer",
    topic_names: Sequence[str] | None = None,
    topic_labels: Sequence[str] | None = None,
    doc_labels: Sequence[str] | None = None,
) -> Path:
    """Write the explorer page to ``path`` (typically ``<report folder>/explorer.html``)."""
    payload = explorer_payload(
        view,
        surface,
        topic_names=topic_names,
        topic_labels=topic_labels,
        doc_labels=doc_labels,
    )
    path.write_text(render_explorer(payload, title), encoding="utf-8")
    return path


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="@POLICY@">
<title>@TITLE@</title>
<style>@STYLE@</style>
</head>
<body>
<h1>@TITLE@</h1>
<p class="muted">Circles are topics: their area is the topic's share of all words, their distance
how differently they use words (Jensen-Shannon, mapped to two dimensions). Click a circle (or use
the buttons) to list its words. Relevance ranks words by λ·log p(word | topic) + (1 − λ)·log lift:
at λ = 1 the topic's most frequent words, near 0 the words most specific to it.</p>
<noscript><p>This explorer needs JavaScript; the report's topic table lists the same
topics.</p></noscript>
<div id="controls">
<button type="button" id="prev">Previous topic</button>
<button type="button" id="next">Next topic</button>
<button type="button" id="clear">All topics</button>
<label for="lambda">λ = <output id="lambda-value"></output></label>
<input type="range" id="lambda" min="0" max="1" step="0.01">
</div>
<div id="panes">
<div id="map-pane">
<svg id="map" viewBox="-1.1 -1.1 2.2 2.2" role="img" aria-label="Topic map"></svg>
</div>
<div id="terms-pane"><h2 id="terms-title"></h2><div id="terms"></div>
<h3 id="docs-title"></h3><ol id="docs"></ol></div>
</div>
<script type="application/json" id="explorer-data">@DATA@</script>
<script>@SCRIPT@</script>
</body>
</html>
"""

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem auto; max-width: 75rem; padding: 0 1rem;
  color: #1d232b; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; } .muted { color: #5b6572; font-size: 0.85rem; }
#controls { display: flex; gap: 0.6rem; align-items: center; flex-wrap: wrap; margin: 0.8rem 0; }
#panes { display: flex; gap: 1.5rem; flex-wrap: wrap; }
#map-pane { flex: 1 1 24rem; max-width: 34rem; } #terms-pane { flex: 1 1 24rem; }
#map { width: 100%; border: 1px solid #d5dbe3; border-radius: 6px; background: #fafbfc; }
#map circle { fill: #4c78a8; fill-opacity: 0.45; stroke: #2c4a6b; stroke-width: 0.006;
  cursor: pointer; }
#map circle.selected { fill: #e45756; fill-opacity: 0.7; }
#map text { font-size: 0.07px; text-anchor: middle; dominant-baseline: middle;
  pointer-events: none; }
#map line { stroke: #c9d1db; stroke-width: 0.004; }
.row { display: grid; grid-template-columns: 11rem 1fr; align-items: center; gap: 0.4rem;
  font-size: 0.85rem; margin: 1px 0; }
.word { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.track { position: relative; height: 0.9rem; background: #e8edf3; }
.bar { position: absolute; left: 0; top: 0; bottom: 0; background: #e45756; }
.overall { position: absolute; left: 0; top: 0; bottom: 0; background: #9fb4cc; }
"""

# Plain ES2015, no library. Words reach the page only through textContent.
_SCRIPT = """
"use strict";
(function () {
  var data = JSON.parse(document.getElementById("explorer-data").textContent);
  var state = { topic: -1, lambda: data.lambda };
  var map = document.getElementById("map");
  var SVG = map.namespaceURI;  // the parser's SVG namespace; no URL needs writing here
  var slider = document.getElementById("lambda");
  var circles = [];

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (key) { node.setAttribute(key, String(attrs[key])); });
    parent.appendChild(node);
    return node;
  }

  function drawMap() {
    var xs = data.x, ys = data.y;
    var span = Math.max.apply(null, xs.concat(ys).map(Math.abs).concat([1e-9]));
    el("line", { x1: -1.05, y1: 0, x2: 1.05, y2: 0 }, map);
    el("line", { x1: 0, y1: -1.05, x2: 0, y2: 1.05 }, map);
    data.topics.forEach(function (topic, t) {
      var cx = 0.8 * xs[t] / span, cy = -0.8 * ys[t] / span;
      var r = Math.max(0.03, 0.35 * Math.sqrt(topic.share));
      var c = el("circle", { cx: cx, cy: cy, r: r }, map);
      var tip = el("title", {}, c);
      tip.textContent = topic.name + (topic.label ? ": " + topic.label : "") +
        " (" + (100 * topic.share).toFixed(1) + "% of words)";
      c.addEventListener("click", function () { select(t); });
      circles.push(c);
      el("text", { x: cx, y: cy }, map).textContent = topic.name;
    });
  }

  function ranked(topic) {
    var lam = state.lambda;
    var rows = topic.terms.map(function (term, i) {
      return { term: term, score: lam * topic.logp[i] + (1 - lam) * topic.loglift[i],
               count: topic.count[i] };
    });
    rows.sort(function (a, b) { return b.score - a.score || a.term - b.term; });
    return rows.slice(0, data.top);
  }

  function bars(rows) {
    var box = document.getElementById("terms");
    box.replaceChildren();
    var widest = Math.max.apply(null, rows.map(function (r) { return data.terms[r.term].freq; })
      .concat([1e-9]));
    rows.forEach(function (r) {
      var term = data.terms[r.term];
      var row = document.createElement("div");
      row.className = "row";
      row.setAttribute("data-term", String(r.term));
      var word = document.createElement("span");
      word.className = "word";
      word.textContent = term.word;
      word.title = term.word + " (stem: " + term.stem + ")";
      var track = document.createElement("span");
      track.className = "track";
      var overall = document.createElement("span");
      overall.className = "overall";
      overall.style.width = (100 * term.freq / widest).toFixed(2) + "%";
      track.appendChild(overall);
      if (r.count !== null) {
        var bar = document.createElement("span");
        bar.className = "bar";
        bar.style.width = (100 * r.count / widest).toFixed(2) + "%";
        bar.title = "about " + r.count.toFixed(1) + " of " + term.freq.toFixed(0) +
          " occurrences in this topic";
        track.appendChild(bar);
      }
      row.appendChild(word);
      row.appendChild(track);
      box.appendChild(row);
    });
  }

  function docs(topic) {
    var list = document.getElementById("docs");
    list.replaceChildren();
    var items = topic ? topic.docs : [];
    document.getElementById("docs-title").textContent =
      items.length ? "Documents where " + topic.name + " weighs most" : "";
    items.forEach(function (d) {
      var li = document.createElement("li");
      li.textContent = d[0] + " (" + (100 * d[1]).toFixed(0) + "%)";
      list.appendChild(li);
    });
  }

  function render() {
    document.getElementById("lambda-value").textContent = state.lambda.toFixed(2);
    circles.forEach(function (c, t) { c.classList.toggle("selected", t === state.topic); });
    var heading = document.getElementById("terms-title");
    if (state.topic < 0) {
      heading.textContent = "Most salient words of the corpus (" + data.documents + " documents)";
      bars(data.salient.map(function (term) { return { term: term, count: null }; }));
      docs(null);
      return;
    }
    var topic = data.topics[state.topic];
    heading.textContent = "Top " + data.top + " words of " + topic.name +
      (topic.label ? ": " + topic.label : "") + " (λ = " + state.lambda.toFixed(2) + ")";
    bars(ranked(topic));
    docs(topic);
  }

  function select(t) { state.topic = t; render(); }

  slider.value = String(state.lambda);
  slider.addEventListener("input", function () {
    state.lambda = Math.round(parseFloat(slider.value) * 100) / 100;
    render();
  });
  document.getElementById("prev").addEventListener("click", function () {
    var k = data.topics.length;
    select(state.topic <= 0 ? k - 1 : state.topic - 1);
  });
  document.getElementById("next").addEventListener("click", function () {
    select((state.topic + 1) % data.topics.length);
  });
  document.getElementById("clear").addEventListener("click", function () { select(-1); });
  drawMap();
  render();
  window.explorerState = state;
})();
"""
