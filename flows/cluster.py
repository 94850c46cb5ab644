"""The two flows whose tasks run on a Dask cluster: harvest_hosts and preprocess_chunks.

refresh_corpus and analyze call them through compute.run when a cluster is asked for (see
flows/compute.py). They live apart from refresh.py and analyze.py because a worker imports the
module of every task it runs: this one needs Prefect, the harvester and the text stage (about 3 s
here), while those two pull in the whole pipeline (topics, themes, the report: about 10 s), paid
by every worker process on its first task.

Harvesting: one task per host (``host:port``), so journals on one host stay one after another and
full-text fetching still sends one request at a time per host across worker processes. Each task
opens the SQLite store itself (WAL; a writer waits up to 60 s for another's page transaction), so
refresh_corpus sends it here only when every worker runs on this machine (compute.workers_here).

Preprocessing: the store is read here and the documents travel with each chunk's task, so this
needs no shared filesystem; the chunks come back in input order into one Preprocessor, whose
surface forms are then those of a run here.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from prefect import flow, task, unmapped
from prefect.cache_policies import NO_CACHE

from flows import progress
from flows.compute import Sealed, chunk_size
from pipeline.documents import Document
from pipeline.harvest import Source, SourceResult, harvest_source, load_sources
from pipeline.project import ProjectPaths
from pipeline.store import Store
from pipeline.text.preprocess import (
    ChunkTokens,
    Preprocessor,
    PreprocessSettings,
    chunked,
    preprocess_chunk,
)

if TYPE_CHECKING:
    from pipeline.analysis import Prepared

    Loaded = tuple[list[Document], str, Prepared]  # documents, corpus hash, their token lists


@task(cache_policy=NO_CACHE, task_run_name="harvest-{host}")
def harvest_host(paths: ProjectPaths, host: str, sources: list[Source]) -> list[SourceResult]:
    """The journals of one host, in turn."""
    with Store(paths.store) as store:
        return [harvest_source(store, source) for source in sources]


@flow(name="harvest_hosts")
def harvest_hosts(root: str) -> list[SourceResult]:
    """Every enabled journal at once, one task per host, on this flow's task runner.
    Results in the order of corpus/sources.toml.

    Except journals with nothing stored yet: a harvest looks for a work already stored under
    another journal only among the journals stored when it began (pipeline.harvest), so two
    first harvests at once would both keep a work published in both. Those go first, one after
    another in one task; then the others at once.
    """
    paths = ProjectPaths.discover(root)
    sources = load_sources(paths.sources).enabled
    with Store(paths.store) as store:
        stored = set(store.count_by_source())
    first = [source for source in sources if source.source_id not in stored]
    done: dict[str, SourceResult] = {}
    if first:
        progress.say(f"Harvesting {len(first)} new journals in turn on the Dask cluster")
        done.update(_named(first, harvest_host.submit(paths, "new-journals", first).result()))
    groups = by_host([source for source in sources if source.name not in done])
    if groups:
        progress.say(f"Harvesting {len(sources) - len(first)} journals at once on the Dask cluster")
        futures = harvest_host.map(unmapped(paths), list(groups), list(groups.values()))
        for future, group in zip(futures, groups.values(), strict=True):
            done.update(_named(group, future.result()))
    return [done[source.name] for source in sources]


def _named(sources: list[Source], results: list[SourceResult]) -> dict[str, SourceResult]:
    return dict(zip([source.name for source in sources], results, strict=True))


def by_host(sources: list[Source]) -> dict[str, list[Source]]:
    """Sources grouped by ``host:port``, as full-text fetching paces its requests
    (pipeline/ingest/fulltext.py)."""
    groups: dict[str, list[Source]] = {}
    for source in sources:
        groups.setdefault(urlsplit(source.base_url).netloc.lower(), []).append(source)
    return groups


@task(cache_policy=NO_CACHE, task_run_name="preprocess-{number}")
def preprocess(
    number: int, chunk: Sealed[tuple[PreprocessSettings, list[Document]]]
) -> ChunkTokens:
    """One chunk's token lists, on whichever worker Dask picks (``number``: its place)."""
    return preprocess_chunk(chunk.value)


@flow(name="preprocess_chunks")
def preprocess_chunks(root: str, corpus_filter: dict | None = None) -> Sealed[Loaded]:
    """Read the store here, preprocess it in chunks on this flow's task runner, and absorb the
    chunks in input order into one Preprocessor. Sealed: Prefect walks a flow's return value.
    ``corpus_filter``: the report's (``CorpusFilter.as_dict``)."""
    from pipeline import runs  # here, not at the top: see the module notes
    from pipeline.analysis import Prepared
    from pipeline.corpus import CorpusFilter

    paths = ProjectPaths.discover(root)
    docs, corpus_hash = runs.load_corpus(paths, CorpusFilter.from_dict(corpus_filter or {}))
    started = time.perf_counter()
    pre = Preprocessor()
    # As a run here does (pipeline.analysis.prepare): stems saved by earlier runs, which each
    # worker also loads from the project folder when it can see it (else it stems them again).
    preloaded = pre.use_stem_cache(paths.stem_cache)
    pre.learn_bridge(docs)  # here, before the chunks: the settings carry it to the workers
    settings = pre.settings()
    chunks = list(chunked(docs, chunk_size(len(docs))))
    progress.say(f"Preprocessing {len(docs)} documents in {len(chunks)} chunks on the Dask cluster")
    futures = [preprocess.submit(n, Sealed((settings, chunk))) for n, chunk in enumerate(chunks)]
    tokens = [doc_tokens for future in futures for doc_tokens in pre.absorb(future.result())]
    pre.save_stem_cache()
    seconds = time.perf_counter() - started
    return Sealed((docs, corpus_hash, Prepared(pre, tokens, seconds, _workers(), preloaded)))


def _workers() -> int:
    """How many workers the cluster this flow runs on has (for the manifest)."""
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    runner = context.task_runner if context is not None else None
    client = getattr(runner, "client", None)
    return len(client.nthreads()) if client is not None else 1
