"""refresh_corpus: bring the corpus store up to date from every configured source."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows import progress
from pipeline import runs
from pipeline.ingest.files import ingest_paths
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
    return [str(error) for error in report.errors]


@flow(name="refresh_corpus", log_prints=False)
def refresh_corpus(root: str | None = None) -> list[str]:
    """Returns one line per problem met (a bad file, a source down); the run goes on regardless."""
    paths = ProjectPaths.discover(Path(root) if root else None)
    ingest_registry(paths)
    return ingest_inbox(paths)
