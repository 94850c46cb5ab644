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


def similarity_bars(keys: Sequence[str], values: Sequence[float], hatched: Sequence[bool]) -> str:
    """Combined similarity to the case; hatched bars are works known only by their title."""
    fig, ax = plt.subplots(figsize=(7, 1.0 + 0.3 * len(keys)))
    bars = ax.barh(range(len(keys)), values, color="#3b7dd8")
    for bar, title_only in zip(bars, hatched, strict=True):
        if title_only:
            bar.set_hatch("///")
            bar.set_facecolor("#c8d7ee")
    ax.set_yticks(range(len(keys)), labels=keys, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("combined similarity to the case (0-1); hatched = title only", fontsize=8)
    ax.set_title("How close each cited work is to the OKU case", fontsize=10)
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
