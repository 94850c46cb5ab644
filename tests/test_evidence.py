"""Every evidence row shows what supports its code: the code's own indicator terms, held by the
sentence and marked; the title only for a work known by nothing else; classifier and hand rows
labelled. Checked mechanically over the bundled registry and over SINTA abstracts."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from pipeline.analysis import prepare
from pipeline.themes.codebook import load_codebook
from pipeline.themes.coding import evidence_problem
from pipeline.themes.lexicon import LexiconCoder
from pipeline.themes.run import run_themes
from pipeline.themes.texts import registry_documents

REPO = Path(__file__).resolve().parents[1]
CODEBOOK = REPO / "corpus" / "codebook.toml"
LABELS = REPO / "corpus" / "labels"


def problems(docs) -> tuple[int, list[str]]:
    codebook = load_codebook(CODEBOOK)
    prepared = prepare(docs)
    run = run_themes(
        docs, prepared.tokens, codebook, LABELS, prepared.preprocessor, with_evaluation=False
    )
    coder = LexiconCoder(codebook)
    rows, found = 0, []
    for doc, codes in zip(docs, run.codes, strict=True):
        for theme, code in codes.items():
            assert code.evidence, f"{doc.id} {theme}: a code with no evidence row"
            for evidence in code.evidence:
                rows += 1
                problem = evidence_problem(doc, theme, evidence, coder, codebook)
                if problem:
                    found.append(f"{doc.key or doc.id} {theme}: {problem}: {evidence.sentence!r}")
    return rows, found


def test_every_evidence_row_of_the_bundled_registry_is_checkable():
    rows, found = problems(registry_documents())
    assert rows > 100
    assert found == []


@pytest.mark.shared_data
def test_every_evidence_row_of_sinta_abstracts_is_checkable(shared_data):
    from pipeline.themes.texts import sinta_documents

    sinta = sinta_documents(shared_data / "sinta-abstracts")
    # Most SINTA abstracts are outside the field and carry no empowerment codes (abstention),
    # so the sample is large enough to check over a thousand evidence rows.
    sample = random.Random(15).sample(sinta, 1000)
    rows, found = problems([*registry_documents(), *sample])
    assert rows > 1000
    assert found == []


def test_a_family_the_lexicon_codes_better_is_coded_by_the_lexicon():
    """Where the model card finds the lexicon's kappa the higher for a family, its codes stand
    (source "lexicon"); the other families still follow the classifier."""
    import numpy as np

    from pipeline.documents import Document
    from pipeline.themes.coding import assign
    from pipeline.themes.model import ThemeClassifier

    codebook = load_codebook(CODEBOOK)
    coder = LexiconCoder(codebook)
    doc = Document(
        source="files",
        identifier="f1",
        title="Nelayan dan bencana banjir",
        abstracts={"id": "Nelayan pesisir membangun koperasi setelah banjir besar."},
    )
    coding = coder.code(doc)
    probabilities = np.zeros((1, len(codebook.ids)))  # the classifier gives nothing
    (codes,) = assign(
        [doc],
        [coding],
        probabilities,
        {},
        codebook,
        ThemeClassifier(codebook.ids),
        lambda text, language: [],
        coder,
        lexicon_families=frozenset({"context"}),
    )
    assert {"ctx.coastal", "ctx.disaster"} <= set(codes)
    assert all(codebook.theme(t).family == "context" for t in codes)
    assert {c.source for c in codes.values()} == {"lexicon"}
