"""Where a flow's parallel parts run: here (the default) or on a Dask cluster.

`berdaya run --dask ADDRESS` (or ``[compute] dask = "ADDRESS"`` in corpus/sources.toml; the
option wins) runs two parts of the job as tasks on a Dask cluster, through Prefect's
DaskTaskRunner: preprocessing, chunk by chunk, and harvesting, one task per journal host. The rest
(reading the store, topics, themes, the report) stays in this process. ``ADDRESS`` is a
scheduler's address (``tcp://host:8786``) or ``local``: a LocalCluster of two worker processes on
this machine, started for the command and stopped after it.

Why only those two parts, and only on request: a Dask flow run costs seconds (connecting, shipping
the task and its context to each worker, workers importing the pipeline), which a small corpus
never wins back (README, "Running on a Dask cluster"). So nothing here imports dask unless a
cluster was asked for, and a plain run is unchanged.

Each flow that takes ``dask`` accepts None (as configured), ``"off"``, ``"local"`` or an address,
resolves it once with ``cluster()`` and passes the resulting address (or ``"off"``) down, so a
LocalCluster is started once per command and the configuration is read once.
"""

from __future__ import annotations

import asyncio
import importlib.util
import ipaddress
import logging
import tomllib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from typing import Any, Generic, TypeVar

from pipeline.harvest import ConfigError
from pipeline.project import ProjectPaths

OFF = "off"
LOCAL = "local"
LOCAL_WORKERS = 2  # this machine's cores; one thread each, since preprocessing holds the GIL
CONNECT_TIMEOUT = 5.0  # seconds before an address counts as not reachable
INSTALL_HINT = ".venv/bin/pip install -c constraints.txt -e '.[dask]'"

_clusters: dict[str, frozenset[str]] = {}  # address -> its workers' hosts, when checked

T = TypeVar("T")


class Sealed(Generic[T]):
    """A task argument Prefect passes on without walking into it (``.value`` inside the task).

    Prefect visits every element of a task's arguments looking for futures: 12 s here for 3,600
    token lists of 120 tokens. Its ``quote`` skips that, but does not survive the pickling to a
    Dask worker (a tuple subclass: the worker gets a 1-tuple; prefect-dask issue #43), and
    Prefect does not look inside a plain object like this one.
    """

    __slots__ = ("value",)

    def __init__(self, value: T) -> None:
        self.value = value


class DaskUnavailable(RuntimeError):
    """A Dask cluster was asked for and cannot be had; the message is one line for the user."""


def configured(paths: ProjectPaths) -> str | None:
    """``[compute] dask`` of corpus/sources.toml, or None when absent, empty or ``"off"``."""
    if not paths.sources.is_file():
        return None
    try:
        data = tomllib.loads(paths.sources.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{paths.sources}: not valid TOML: {exc}") from None
    table = data.get("compute", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{paths.sources}: [compute] must be a table")
    unknown = set(table) - {"dask"}
    if unknown:
        names = ", ".join(sorted(unknown))
        raise ConfigError(f"{paths.sources}: [compute]: unknown key(s) {names}")
    value = table.get("dask", "")
    if not isinstance(value, str):
        raise ConfigError(
            f'{paths.sources}: [compute] dask must be an address such as "tcp://host:8786", '
            f'"local" or "off", got {value!r}'
        )
    return _normalised(value)


def wanted(dask: str | None, paths: ProjectPaths) -> str | None:
    """The cluster to use: ``dask`` when given (the command line wins), else the configured one;
    None for none. Reading the configuration imports nothing of Dask."""
    return _normalised(dask) if dask is not None else configured(paths)


def check(spec: str) -> None:
    """Fail early, in one line, when ``spec`` cannot work: the extra is not installed, or the
    scheduler at the address does not answer. ``local`` needs only the extra."""
    if importlib.util.find_spec("prefect_dask") is None:
        raise DaskUnavailable(
            f"--dask {spec} needs the optional Dask packages; install them with: {INSTALL_HINT}"
        )
    if spec != LOCAL and spec not in _clusters:
        _probe(spec)


def workers_here(address: str) -> bool:
    """Do all the cluster's workers run on this machine (a LocalCluster, or workers started
    here)? Only then may they write to the project's store: SQLite in WAL mode needs every
    writer on the machine that holds the file, never across a network filesystem."""
    if address not in _clusters:
        _probe(address)
    mine = _this_machine()
    return all(_loopback(host) or host in mine for host in _clusters[address])


@contextmanager
def cluster(dask: str | None, paths: ProjectPaths) -> Iterator[str | None]:
    """The scheduler address to run on for the block, or None to run here.

    ``local`` starts a LocalCluster (``LOCAL_WORKERS`` processes) for the block; an address is
    checked once per process. Pass what this yields down as ``dask=address or OFF``.
    """
    spec = wanted(dask, paths)
    if spec is None:
        yield None
        return
    check(spec)
    if spec != LOCAL:
        yield spec
        return
    from distributed import LocalCluster

    # The scheduler runs in this process and the workers write to our terminal: both as quiet as
    # this process, whose problems reach the user one line each through the flows' results.
    logger = logging.getLogger("distributed")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with LocalCluster(
            n_workers=LOCAL_WORKERS,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # any free port: never clash with another cluster
            silence_logs=logging.ERROR,
            env={"PREFECT_LOGGING_ROOT_LEVEL": "ERROR"},
        ) as local:
            address = local.scheduler_address
            _clusters[address] = frozenset({"127.0.0.1"})
            try:
                yield address
            finally:
                _clusters.pop(address, None)
    finally:
        logger.setLevel(level)


def run(subflow: Any, address: str, **parameters: Any) -> Any:
    """Run ``subflow`` with its tasks on the Dask scheduler at ``address``.

    Workers record their task runs through the Prefect API. Without PREFECT_API_URL, this process
    talks to a temporary server of its own, gone when the command ends, and a worker that finds
    no API starts a temporary server of its own (about 15 s, once per worker process). So the
    workers of a cluster started by this process (``local``), which end with it, are pointed at
    this process's server; a worker that outlived it would keep sending its events to a server
    that is gone.
    """
    from prefect_dask import DaskTaskRunner

    with _shared_api(address):
        on_dask = subflow.with_options(task_runner=DaskTaskRunner(address=address))
        return on_dask(**parameters)


def chunk_size(documents: int) -> int:
    """Documents per preprocessing task: about eight tasks, so every worker of a small cluster
    gets several, but at least 25 (each task costs Prefect and Dask a few tens of milliseconds)
    and at most 500 (each chunk's documents and tokens travel as one message)."""
    return max(25, min(500, -(-documents // 8)))


def _normalised(value: str) -> str | None:
    value = value.strip()
    if value.lower() in ("", OFF):
        return None
    return LOCAL if value.lower() == LOCAL else value


def _probe(address: str) -> None:
    """Ask the scheduler who it is; DaskUnavailable in one line if it does not answer as one.

    A bare RPC rather than a Client: a Client that failed to connect still tries to close itself
    when collected, 20 s later, with a traceback of its own.
    """
    from distributed.core import rpc

    async def identity() -> Any:
        async with rpc(address, timeout=CONNECT_TIMEOUT) as scheduler:
            return await scheduler.identity()

    try:
        with ThreadPoolExecutor(1) as thread:  # whether or not an event loop runs here
            info = thread.submit(asyncio.run, _bounded(identity(), CONNECT_TIMEOUT)).result()
    except ValueError as exc:
        raise DaskUnavailable(
            f"Dask scheduler {address} not reachable: not an address like tcp://host:8786 ({exc})"
        ) from None
    except (OSError, TimeoutError) as exc:  # refused, no route, no answer in time
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise DaskUnavailable(f"Dask scheduler {address} not reachable: {reason}") from None
    except Exception as exc:  # an answer that is not Dask's protocol
        raise DaskUnavailable(
            f"Dask scheduler {address} not reachable: something answers there, but not as a "
            f"Dask scheduler ({type(exc).__name__})"
        ) from None
    if not isinstance(info, dict) or info.get("type") != "Scheduler":
        raise DaskUnavailable(f"Dask scheduler {address} not reachable: not a Dask scheduler")
    workers = info.get("workers") or {}
    if not workers:
        raise DaskUnavailable(f"Dask scheduler {address} has no workers; start some first")
    _clusters[address] = frozenset(str(worker.get("host", "")) for worker in workers.values())


async def _bounded(work: Any, seconds: float) -> Any:
    try:
        return await asyncio.wait_for(work, seconds)
    except TimeoutError:
        raise TimeoutError(f"no answer within {seconds:g} s") from None


def _shared_api(address: str) -> Any:
    from prefect.context import FlowRunContext
    from prefect.settings import PREFECT_API_URL, temporary_settings

    context = FlowRunContext.get()
    if PREFECT_API_URL.value() or context is None or not _started_here(address):
        return nullcontext()
    return temporary_settings({PREFECT_API_URL: str(context.client.api_url)})


def _started_here(address: str) -> bool:
    """Does the scheduler at ``address`` run in this process (a LocalCluster started by this
    command, a script or a test)? Its workers then end with this process."""
    from distributed.scheduler import Scheduler

    return any(scheduler.address == address for scheduler in list(Scheduler._instances))


def _this_machine() -> set[str]:
    """This machine's IP addresses, as a worker's host is reported."""
    import psutil  # a dependency of distributed

    return {
        address.address.split("%")[0]
        for addresses in psutil.net_if_addrs().values()
        for address in addresses
        if address.family.name in ("AF_INET", "AF_INET6")
    }


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
