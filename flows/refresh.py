"""refresh_corpus: bring the corpus store up to date from every configured source.

The registry and corpus/inbox are local and cannot fail as a whole; each journal is harvested in
its own task so one source down never stops the others, and its one-line error is returned for
the CLI to show. The harvest client already retries at the network edge (bounded backoff, honours
Retry-After), so the Prefect tasks add no retries of their own on top.

On a Dask cluster (``dask``, see flows/compute.py) whose workers all run on this machine, the
journals are harvested at once, one task per host (flows/cluster.py). Otherwise (the default, or
workers on other machines: the SQLite store must not be written across a network filesystem)
they are harvested here, one after another, as listed.
"""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows import compute, progress
from flows.cluster import harvest_hosts
from pipeline import runs
from pipeline.harvest import Source, SourceResult, harvest_source, load_sources
from pipeline.ingest.files import ingest_paths
from pipeline.locking import ProjectLock
from pipeline.project import ProjectPaths
from pipeline.store import Store


@task(cache_policy=NO_CACHE)
def ingest_registry(paths: ProjectPaths) -> dict[str, int]:
    progress.say("Reading the study registry")
    return runs.ingest_registry(paths)


@task(cache_policy=NO_CACHE)
def ingest_inbox(paths: ProjectPaths) -> list[str]:
    """Files the user dropped in corpus/inbox; one line per file that could not be read."""
    if not paths.inbox.is_dir():
        return []
    progress.say("Reading files in corpus/inbox")
    with Store(paths.store) as store:
        report = ingest_paths(store, [paths.inbox])
    return [str(error) for error in report.errors] + list(report.warnings)


@task(cache_policy=NO_CACHE, task_run_name="harvest-{source.name}")
def harvest(paths: ProjectPaths, source: Source) -> SourceResult:
    progress.say(f"Harvesting {source.name} ({source.base_url})")
    with Store(paths.store) as store:
        return harvest_source(store, source)


@flow(name="refresh_corpus")
def refresh_corpus(
    root: str | None = None,
    harvest_journals: bool = True,
    hold_lock: bool = True,
    wait_for_lock: float = 0.0,
    dask: str | None = None,
) -> list[str]:
    """Returns one line per problem met (a bad file, a source down); the run goes on regardless.

    ``hold_lock=False`` only when the caller (run_all) already holds the project lock.
    ``dask``: harvest on a Dask cluster: an address, ``"local"``, ``"off"``, or None for
    ``[compute]`` of corpus/sources.toml (flows/compute.py).
    """
    paths = ProjectPaths.discover(Path(root) if root else None)
    lock = (
        ProjectLock(paths.corpus, "berdaya refresh", wait_for_lock) if hold_lock else nullcontext()
    )
    with lock:
        ingest_registry(paths)
        problems = ingest_inbox(paths)
        sources = ()
        if harvest_journals and paths.sources.is_file():
            sources = load_sources(paths.sources).enabled
        if sources:
            with compute.cluster(dask, paths) as address:
                if address and compute.workers_here(address):
                    results = compute.run(harvest_hosts, address, root=str(paths.root))
                else:
                    if address:
                        progress.say("Harvesting here: the store must be written from this machine")
                    results = [harvest(paths, source) for source in sources]
            for result in results:
                if not result.ok:
                    problems.append(result.error)
                problems.extend(result.fulltext_errors)
    return problems
