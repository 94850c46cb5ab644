"""Saving a fitted topic model and loading it back, only after its hashes check out.

A model folder (``models/<run-id>/``, written atomically by ``artifacts.write_artifact_dir``)
holds the engine's model file, the dictionary, ``engine.json`` and ``topics.json`` (the topic
snapshot: ids, top words, shares), which is all a later run needs to keep topic ids. Nothing in a
folder is read before ``verify_artifact_dir`` has checked every file against the manifest: the
model files are pickles, and a pickle from anywhere else is never unpickled.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from gensim.corpora import Dictionary
from gensim.models import LdaModel

from pipeline.artifacts import ArtifactError, verify_artifact_dir
from pipeline.topics.align import SNAPSHOT_FILE, TopicSnapshot
from pipeline.topics.engines import (
    DICTIONARY_FILE,
    GENSIM_FILE,
    FittedTopicModel,
    load_model,
)
from pipeline.topics.lda import TopicModelResult

MODEL_FILE = GENSIM_FILE  # kept for callers of the first version


def save_topic_model(
    model: LdaModel | FittedTopicModel, dictionary: Dictionary, folder: Path
) -> None:
    """Write a model into ``folder`` (a gensim LdaModel, or any engine's fitted model)."""
    if isinstance(model, FittedTopicModel):
        model.save(folder)
        return
    model.save(str(folder / GENSIM_FILE))
    dictionary.save(str(folder / DICTIONARY_FILE))


def save_topic_result(result: TopicModelResult, folder: Path, run_id: str) -> None:
    """Model, dictionary, engine note and ``topics.json``: use as ``write_artifact_dir``'s fill."""
    result.model.save(folder)
    result.snapshot(run_id).save(folder)


def topic_manifest(result: TopicModelResult) -> dict[str, Any]:
    """What the model folder's manifest should say about the topics, beside the run's own
    manifest (corpus hash, parameters, seeds): engine, versions, K, the sweep and stability."""
    versions = {}
    for name in ("gensim", "tomotopy", "numpy", "scipy"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    stability = result.stability
    return {
        "topics": {
            "engine": result.engine,
            "engine_versions": versions,
            "k": result.k,
            "ids": result.ids,
            "documents_fitted": result.documents,
            "vocabulary": result.vocabulary,
            "exploratory": result.exploratory,
            "policy": None if result.policy is None else result.policy.sentence,
            "rule": None if result.sweep is None else result.sweep.rule,
            "sweep": None
            if result.sweep is None
            else result.sweep.curves().to_dict(orient="records"),
            "stability_seeds": None if stability is None else stability.seeds,
            "stability": None if stability is None else stability.per_topic,
        }
    }


def load_topic_model(folder: Path, models_root: Path) -> tuple[LdaModel, Dictionary]:
    """A gensim model and its dictionary. Refuses (ArtifactError) a folder outside
    ``models_root`` or with any altered file."""
    verify_artifact_dir(folder, root=models_root)
    model = LdaModel.load(str(folder / GENSIM_FILE))
    return model, Dictionary.load(str(folder / DICTIONARY_FILE))


def load_fitted(folder: Path, models_root: Path) -> FittedTopicModel:
    """Any engine's model, after the same checks as ``load_topic_model``."""
    verify_artifact_dir(folder, root=models_root)
    return load_model(folder)


def infer(model_dir: Path, token_lists: Sequence[Sequence[str]], models_root: Path) -> np.ndarray:
    """Topic mixtures (documents x K) of new documents from a saved, verified model."""
    return load_fitted(model_dir, models_root).infer(token_lists)


def previous_topics(model_dir: Path, models_root: Path) -> TopicSnapshot:
    """The topic snapshot of an earlier run, for ``fit_topics(previous=...)``.

    Reads ``topics.json`` only after the folder's hashes check out; a folder from before
    snapshots were saved (a gensim model alone) yields one built from its model, with fresh ids
    T1..TK and shares unknown (NaN: no grew/shrank that time), so ids are carried from then on.
    """
    verify_artifact_dir(model_dir, root=models_root)
    path = model_dir / SNAPSHOT_FILE
    if path.is_file():
        return TopicSnapshot.load(path)
    if not (model_dir / GENSIM_FILE).is_file():
        raise ArtifactError(f"{model_dir}: neither {SNAPSHOT_FILE} nor a model to read topics from")
    model = load_model(model_dir)
    top = model.top_words(10)
    return TopicSnapshot(
        ids=[f"T{i + 1}" for i in range(model.k)],
        top_words=top,
        shares=[float("nan")] * model.k,
        next_number=model.k + 1,
        run_id=model_dir.name,
    )
