"""The cited works against a real corpus: none of the case's 15 cited works is among the SINTA
abstracts, so every "found" there would be a false match. Their titles share the field's common
words with hundreds of SINTA titles ("pemberdayaan masyarakat", "desa", "model"), and the SINTA
records carry no year and no author to tell them apart: the test that the matching rule says
"not found" for all 15, and names each one's best candidate by its title.

The three CSV files are read in place from ../shared (never copied) and stored the way
``berdaya ingest`` stores them, beside the registry.
"""

from __future__ import annotations

import re
import time

import pytest

from pipeline.compare.citations import find_cited_in_corpus
from pipeline.documents import ROLE_CITED
from pipeline.store import Store
from tests.conftest import store_sinta_with_registry

HASH_ID = re.compile(r"\b[0-9a-f]{16}\b")

pytestmark = pytest.mark.shared_data


def test_none_of_the_fifteen_cited_works_is_found_among_the_sinta_abstracts(shared_data, project):
    paths = store_sinta_with_registry(project, shared_data)
    with Store(paths.store) as store:
        documents = list(store.iter_documents())
    cited = [d for d in documents if d.role == ROLE_CITED]
    assert len(cited) == 15
    assert 3500 <= len(documents) - 16 <= 3800

    started = time.perf_counter()
    resolutions = find_cited_in_corpus(cited, documents)
    assert time.perf_counter() - started < 30  # the pruned search: about 2 s here

    found = {work.key: r.reason for work, r in zip(cited, resolutions, strict=True) if r.resolved}
    assert found == {}
    for work, resolution in zip(cited, resolutions, strict=True):
        reason = resolution.reason
        assert reason.startswith("not found: "), (work.key, reason)
        assert HASH_ID.search(reason) is None, (work.key, reason)  # candidates named by title
        assert resolution.candidate is not None and resolution.candidate.source != "registry"
        assert f"“{' '.join(resolution.candidate.title.split())[:40]}" in reason, (work.key, reason)
