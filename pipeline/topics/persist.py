"""Saving a fitted topic model and loading it back, only after its hashes check out."""

from __future__ import annotations

from pathlib import Path

from gensim.corpora import Dictionary
from gensim.models import LdaModel

from pipeline.artifacts import verify_artifact_dir

MODEL_FILE = "lda.model"
DICTIONARY_FILE = "dictionary.gensim"


def save_topic_model(model: LdaModel, dictionary: Dictionary, folder: Path) -> None:
    model.save(str(folder / MODEL_FILE))
    dictionary.save(str(folder / DICTIONARY_FILE))


def load_topic_model(folder: Path, models_root: Path) -> tuple[LdaModel, Dictionary]:
    """Refuses (ArtifactError) a folder outside ``models_root`` or with any altered file."""
    verify_artifact_dir(folder, root=models_root)
    model = LdaModel.load(str(folder / MODEL_FILE))
    return model, Dictionary.load(str(folder / DICTIONARY_FILE))
