"""Report figures, drawn with matplotlib's Agg backend and embedded as base64 PNG data URIs.

Embedding keeps index.html one self-contained file that opens offline, sent by e-mail or not.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

_DPI = 110


def _to_data_uri(fig: plt.Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def theme_matrix(rows: Sequence[str], columns: Sequence[str], values: np.ndarray) -> str:
    """Works (case first) x themes; a filled cell means the lexicon coded the work with it."""
    fig, ax = plt.subplots(figsize=(1.0 + 0.42 * len(columns), 1.2 + 0.32 * len(rows)))
    ax.imshow(values, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(columns)), labels=columns, rotation=55, ha="right", fontsize=8)
    ax.set_yticks(range(len(rows)), labels=rows, fontsize=8)
    ax.set_xticks(np.arange(-0.5, len(columns)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(rows)), minor=True)
    ax.grid(which="minor", color="white", linewidth=1)
    ax.tick_params(which="minor", length=0)
    ax.set_title("Themes coded in the case (top row) and each cited work", fontsize=10)
    return _to_data_uri(fig)


def topic_shares(rows: Sequence[str], shares: np.ndarray, topic_names: Sequence[str]) -> str:
    """Stacked horizontal bars: each work's mixture of topics."""
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.32 * len(rows)))
    left = np.zeros(len(rows))
    colours = plt.get_cmap("tab20")
    for t, name in enumerate(topic_names):
        ax.barh(range(len(rows)), shares[:, t], left=left, color=colours(t % 20), label=name)
        left += shares[:, t]
    ax.set_yticks(range(len(rows)), labels=rows, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of the work's words", fontsize=8)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False)
    ax.set_title("Topic shares of the case and the cited works", fontsize=10)
    return _to_data_uri(fig)


def similarity_bars(
    keys: Sequence[str],
    values: Sequence[float],
    hatched: Sequence[bool],
    intervals: Sequence[tuple[float, float]] | None = None,
) -> str:
    """Combined similarity to the case; hatched bars are works known only by their title;
    ``intervals``: (low, high) of each, drawn as whiskers (the spread over topic seeds)."""
    fig, ax = plt.subplots(figsize=(7, 1.0 + 0.3 * max(1, len(keys))))
    errors = None
    if intervals is not None:
        errors = np.array(
            [
                [max(0.0, v - lo) for v, (lo, _hi) in zip(values, intervals, strict=True)],
                [max(0.0, hi - v) for v, (_lo, hi) in zip(values, intervals, strict=True)],
            ]
        ).reshape(2, len(values))
    bars = ax.barh(
        range(len(keys)), values, color="#3b7dd8", xerr=errors, ecolor="#1d232b", capsize=2
    )
    for bar, title_only in zip(bars, hatched, strict=True):
        if title_only:
            bar.set_hatch("///")
            bar.set_facecolor("#c8d7ee")
    ax.set_yticks(range(len(keys)), labels=keys, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel(
        "combined similarity to the case (0-1)"
        + ("; whiskers: spread over topic seeds" if intervals is not None else "")
        + ("; hatched = title only" if any(hatched) else ""),
        fontsize=8,
    )
    ax.set_title("How close each cited work with a text is to the OKU case", fontsize=10)
    return _to_data_uri(fig)


def coherence_curve(coherence_by_k: dict[int, float], chosen: int) -> str:
    fig, ax = plt.subplots(figsize=(5, 2.6))
    ks = sorted(coherence_by_k)
    ax.plot(ks, [coherence_by_k[k] for k in ks], marker="o")
    ax.axvline(chosen, color="grey", linestyle="--", linewidth=1)
    ax.set_xlabel("number of topics K", fontsize=8)
    ax.set_ylabel("c_v coherence", fontsize=8)
    ax.set_title(f"Topic coherence by K (chosen: {chosen})", fontsize=10)
    return _to_data_uri(fig)


def actor_role_matrix(
    actors: Sequence[str], roles: Sequence[str], case: np.ndarray, cited: np.ndarray, n_cited: int
) -> str:
    """Two panels, actors x roles: in the case (yes/no) and in how many cited works."""
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 0.9 + 0.38 * len(actors)), sharey=True)
    panels = (
        (axes[0], case, 1, "In the case"),
        (axes[1], cited, max(1, n_cited), "In cited works"),
    )
    for ax, values, top, title in panels:
        ax.imshow(values, cmap="Oranges", vmin=0, vmax=top, aspect="auto")
        for (row, col), value in np.ndenumerate(values):
            if value:
                ax.text(col, row, f"{int(value)}", ha="center", va="center", fontsize=8)
        ax.set_xticks(range(len(roles)), labels=roles, rotation=35, ha="right", fontsize=8)
        ax.set_title(title, fontsize=9)
    axes[0].set_yticks(range(len(actors)), labels=actors, fontsize=8)
    fig.suptitle("Which actor plays which role (from the texts)", fontsize=10)
    return _to_data_uri(fig)


def timeline(
    years: Sequence[int], keys: Sequence[str], title_only: Sequence[bool], case_year: int
) -> str:
    """The cited works by year, one row each (oldest first), with the case's year marked."""
    order = sorted(range(len(years)), key=lambda i: (years[i], keys[i]))
    fig, ax = plt.subplots(figsize=(8, 0.9 + 0.28 * len(order)))
    for row, i in enumerate(order):
        colour = "#c8d7ee" if title_only[i] else "#3b7dd8"
        ax.plot([years[i]], [row], marker="o", markersize=7, color=colour, linestyle="none")
        ax.annotate(
            f"{keys[i]} ({years[i]})",
            (years[i], row),
            xytext=(6, 0),
            textcoords="offset points",
            fontsize=7,
            va="center",
        )
    ax.axvline(case_year, color="#c0392b", linestyle="--", linewidth=1)
    ax.text(case_year, -0.9, "case", color="#c0392b", fontsize=8, ha="center")
    low = min([*years, case_year]) - 1
    ax.set_xlim(low, case_year + 4)
    ax.set_ylim(len(order) - 0.5, -1.3)
    ax.set_yticks([])
    ax.set_xlabel("year of publication (pale = known only by title)", fontsize=8)
    ax.set_title("The cited works over time", fontsize=10)
    return _to_data_uri(fig)


def corpus_map(points: np.ndarray, kinds: Sequence[str], labels: dict[int, str]) -> str:
    """The documents of the field in topic space (2-D): the case, the cited works, the nearest
    uncited; kinds other than these and "other" (documents outside the field) are not drawn."""
    fig, ax = plt.subplots(figsize=(7, 5))
    styles = {
        "other": {"color": "#b9c3cf", "s": 8, "label": "other documents of the field"},
        "near": {"color": "#27ae60", "s": 30, "label": "nearest uncited works"},
        "cited": {"color": "#3b7dd8", "s": 30, "label": "cited works"},
        "case": {"color": "#c0392b", "s": 90, "label": "the case", "marker": "*"},
    }
    kinds_array = np.asarray(kinds)
    for kind, style in styles.items():
        mask = kinds_array == kind
        if mask.any():
            ax.scatter(points[mask, 0], points[mask, 1], **style)
    for index, text in labels.items():
        ax.annotate(text, points[index], xytext=(4, 3), textcoords="offset points", fontsize=7)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(fontsize=7, frameon=False, loc="best")
    ax.set_title("The case among the documents of the field (topic space, 2-D)", fontsize=10)
    return _to_data_uri(fig)


def sweep_curves(curves: pd.DataFrame, chosen: int) -> str:
    """Model selection: coherence (c_v, NPMI), diversity and held-out perplexity by K."""
    fig, axes = plt.subplots(1, 3, figsize=(10, 2.8))
    ks = curves["k"]
    axes[0].plot(ks, curves["c_v"], marker="o", label="c_v")
    axes[0].plot(ks, curves["npmi"], marker="s", label="NPMI")
    axes[0].set_title("coherence", fontsize=9)
    axes[0].legend(fontsize=7, frameon=False)
    axes[1].plot(ks, curves["diversity"], marker="o", color="#8e44ad")
    axes[1].set_title("topic diversity", fontsize=9)
    axes[2].plot(ks, curves["held_out_perplexity"], marker="o", color="#7f8c8d")
    axes[2].set_title("held-out perplexity", fontsize=9)
    for ax in axes:
        ax.axvline(chosen, color="grey", linestyle="--", linewidth=1)
        ax.set_xlabel("K", fontsize=8)
        ax.tick_params(labelsize=7)
    fig.suptitle(f"Choosing the number of topics (chosen: K={chosen})", fontsize=10)
    return _to_data_uri(fig)


def group_shares(shares: pd.DataFrame, title: str) -> str:
    """Stacked bars: each group's mean topic mixture (groups as rows)."""
    topic_columns = [c for c in shares.columns if c != "documents"]
    fig, ax = plt.subplots(figsize=(8, 1.0 + 0.35 * len(shares)))
    left = np.zeros(len(shares))
    colours = plt.get_cmap("tab20")
    for t, column in enumerate(topic_columns):
        values = shares[column].to_numpy(dtype=float)
        ax.barh(range(len(shares)), values, left=left, color=colours(t % 20), label=column)
        left += values
    labels = [
        f"{group} ({int(n)})" for group, n in zip(shares.index, shares["documents"], strict=True)
    ]
    ax.set_yticks(range(len(shares)), labels=labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.legend(
        fontsize=7,
        ncol=min(8, len(topic_columns)),
        loc="upper center",
        bbox_to_anchor=(0.5, -0.08),
        frameon=False,
    )
    ax.set_title(title, fontsize=10)
    return _to_data_uri(fig)


def topics_over_time(over_time: pd.DataFrame) -> str:
    """Mean topic shares by year of publication (lines)."""
    topic_columns = [c for c in over_time.columns if c != "documents"]
    fig, ax = plt.subplots(figsize=(8, 3))
    colours = plt.get_cmap("tab20")
    for t, column in enumerate(topic_columns):
        ax.plot(over_time.index, over_time[column], marker=".", color=colours(t % 20), label=column)
    ax.set_xlabel("year", fontsize=8)
    ax.set_ylabel("mean share", fontsize=8)
    ax.legend(fontsize=7, ncol=min(8, len(topic_columns)), frameon=False)
    ax.set_title("Topics over time", fontsize=10)
    return _to_data_uri(fig)
