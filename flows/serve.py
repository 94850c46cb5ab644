"""berdaya serve: refresh the corpus on the schedule of corpus/sources.toml, for as long as it runs.

Why a real server: Prefect's temporary in-process server (what `berdaya run` uses) never fires
schedules; it ran a served deployment 0 times in 60 s, silently. So this process starts
`prefect server start` (its embedded SQLite database under <project>/.prefect, bound to
127.0.0.1), waits until its /api/health answers, points PREFECT_API_URL at it, and serves a
deployment of `refresh_corpus` with the cron schedule (or a test interval). The server's scheduler
creates the runs; this process's runner picks each up and executes it in a subprocess. Ctrl-C or
SIGTERM stops the runner, then the server (its whole process group).

Choices:
- one run at a time (``limit=1``): two refreshes would only queue on the project lock;
- a scheduled run waits up to ``LOCK_WAIT`` for the project lock, so a manual `berdaya run` in
  progress delays it rather than failing it;
- the cron is read in the machine's time zone (sources.toml says "server time"), not Prefect's
  default UTC; ``--timezone`` overrides it;
- the deployment's entrypoint is the module path ``flows.refresh.refresh_corpus``, so runs work
  whatever the working directory (systemd starts services in /).

Prefect's settings are read when prefect is first imported, so ``serve`` sets the environment
before importing it; call it in a fresh process (the CLI does).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx

from pipeline.harvest import DEFAULT_CRON, ConfigError, load_sources
from pipeline.project import ProjectPaths

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4242  # not Prefect's 4200, so a user's own Prefect server is left alone
DEPLOYMENT_NAME = "scheduled-refresh"
LOCK_WAIT = 3600.0
STARTUP_TIMEOUT = 180.0  # the first start creates and migrates the database


class ServeError(RuntimeError):
    """The scheduler could not start; the message names what failed and where its log is."""


# -- the local Prefect server ------------------------------------------------------------------


@dataclass
class LocalServer:
    """A `prefect server start` subprocess in its own process group; ``stop()`` ends the group."""

    process: subprocess.Popen[bytes]
    api_url: str
    log_path: Path

    def stop(self, grace: float = 20.0) -> None:
        """SIGTERM to the server's process group, SIGKILL after ``grace`` seconds."""
        if self.process.poll() is not None:
            return
        _signal_group(self.process, signal.SIGTERM)
        try:
            self.process.wait(grace)
        except subprocess.TimeoutExpired:
            _signal_group(self.process, signal.SIGKILL)
            self.process.wait(10)


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    # start_new_session made the server the leader of a group whose id is its pid: this reaches
    # the server and any worker it started, and nothing else.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def _die_with_parent() -> None:
    """In the child before exec (Linux): SIGTERM when the serving process dies, even by kill -9."""
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def prefect_environment(home: Path, api_url: str) -> dict[str, str]:
    """Environment for the server and for this process's Prefect client and flow runs."""
    return {
        "PREFECT_HOME": str(home),
        "PREFECT_API_URL": api_url,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }


def start_local_server(
    home: Path,
    port: int = DEFAULT_PORT,
    host: str = DEFAULT_HOST,
    timeout: float = STARTUP_TIMEOUT,
) -> LocalServer:
    """Start `prefect server start` with its database under ``home``; return once it is healthy.

    Its output goes to ``home/server.log``. Raises ServeError naming the reason (it exited, the
    port is taken, it did not answer in time) after stopping whatever was started.
    """
    home.mkdir(parents=True, exist_ok=True)
    api_url = f"http://{host}:{port}/api"
    if _healthy(api_url):
        raise ServeError(
            f"something already answers at {api_url}; choose another --port, or pass "
            f"--api-url {api_url} to use that Prefect server"
        )
    env = {**os.environ, **prefect_environment(home, api_url)}
    env.pop("PREFECT_PROFILES_PATH", None)
    log_path = home / "server.log"
    command = [
        sys.executable,
        "-m",
        "prefect",
        "server",
        "start",
        "--host",
        host,
        "--port",
        str(port),
        "--analytics-off",
    ]
    with log_path.open("ab") as log_file:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
    server = LocalServer(process, api_url, log_path)
    try:
        wait_until_healthy(server, timeout)
    except BaseException:
        server.stop()
        raise
    return server


def wait_until_healthy(server: LocalServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        code = server.process.poll()
        if code is not None:
            raise ServeError(
                f"the Prefect server exited (code {code}) before answering at {server.api_url}; "
                f"see {server.log_path}: {_tail(server.log_path)}"
            )
        if _healthy(server.api_url):
            return
        time.sleep(0.5)
    raise ServeError(
        f"the Prefect server did not answer at {server.api_url}/health within {timeout:g} s; "
        f"see {server.log_path}"
    )


def _healthy(api_url: str) -> bool:
    try:
        return httpx.get(f"{api_url}/health", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def _tail(path: Path, lines: int = 3) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return "(no log)"
    return " | ".join(line.strip() for line in text[-lines:]) or "(empty log)"


# -- the schedule ------------------------------------------------------------------------------


def local_timezone() -> str:
    """The machine's IANA time zone name (TZ, /etc/timezone, /etc/localtime), else UTC."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    with contextlib.suppress(OSError):
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    for name in candidates:
        if name and _valid_zone(name):
            return name
    return "UTC"


def _valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@dataclass(frozen=True)
class Plan:
    """What will be served: the project, and a cron (in a time zone) or an interval."""

    root: Path
    cron: str | None = None
    interval: float | None = None
    timezone: str = "UTC"

    @property
    def described(self) -> str:
        if self.interval is not None:
            return f"every {self.interval:g} s"
        return f"cron {self.cron!r} ({self.timezone})"


def plan(
    root: Path,
    *,
    cron: str | None = None,
    interval: float | None = None,
    timezone: str | None = None,
) -> Plan:
    """The schedule: ``interval`` (tests), else ``cron``, else sources.toml [schedule] cron."""
    paths = ProjectPaths.discover(root)
    if not paths.registry.is_file():
        raise ServeError(f"no project at {paths.root}: {paths.registry} is missing")
    zone = timezone or local_timezone()
    if not _valid_zone(zone):
        raise ServeError(f"unknown time zone {zone!r} (an IANA name such as Asia/Jakarta)")
    if interval is not None:
        if interval <= 0:
            raise ServeError(f"--interval must be a positive number of seconds, got {interval:g}")
        return Plan(paths.root, interval=interval, timezone=zone)
    if cron is None and paths.sources.is_file():
        try:
            cron = load_sources(paths.sources).cron
        except ConfigError as exc:
            raise ServeError(str(exc)) from None
    cron = cron or DEFAULT_CRON
    if len(cron.split()) != 5:
        raise ServeError(f"cron {cron!r} must have five fields")
    return Plan(paths.root, cron=cron, timezone=zone)


def _deployment(schedule: Plan):
    """The refresh flow as a deployment on ``schedule``; imports prefect (settings must be set)."""
    from prefect.schedules import Cron, Interval
    from prefect.types.entrypoint import EntrypointType

    from flows.refresh import refresh_corpus

    if schedule.interval is not None:
        when = Interval(timedelta(seconds=schedule.interval), timezone=schedule.timezone)
    else:
        when = Cron(str(schedule.cron), timezone=schedule.timezone)
    return refresh_corpus.to_deployment(
        name=DEPLOYMENT_NAME,
        schedule=when,
        parameters={"root": str(schedule.root), "wait_for_lock": LOCK_WAIT},
        description="berdaya: refresh the corpus store from the registry, inbox and journals.",
        tags=["berdaya"],
        entrypoint_type=EntrypointType.MODULE_PATH,
    )


# -- serving -----------------------------------------------------------------------------------


class _Stop(Exception):
    """SIGTERM before the runner took over its handling."""


def _raise_stop(signum: int, frame: object) -> None:
    raise _Stop()


def serve(
    schedule: Plan,
    *,
    port: int = DEFAULT_PORT,
    api_url: str | None = None,
    startup_timeout: float = STARTUP_TIMEOUT,
    say=print,
) -> None:
    """Run the local server (unless ``api_url`` names one) and the scheduled refresh until stopped.

    Returns after Ctrl-C or SIGTERM, with the server stopped; raises ServeError if it cannot start.
    """
    home = schedule.root / ".prefect"
    server: LocalServer | None = None
    # Until prefect's runner installs its own handler, SIGTERM must still unwind through the
    # finally below, or the server would outlive us.
    previous = signal.signal(signal.SIGTERM, _raise_stop)
    try:
        if api_url is None:
            say(f"Starting a Prefect server on 127.0.0.1:{port} (data in {home})")
            server = start_local_server(home, port, timeout=startup_timeout)
            api_url = server.api_url
            os.environ.update(prefect_environment(home, api_url))
        else:
            os.environ["PREFECT_API_URL"] = api_url
            os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
        if "prefect" in sys.modules:
            log.warning("prefect was imported before serve(); its settings may ignore %s", api_url)
        say(f"Prefect API at {api_url}; UI at {api_url.removesuffix('/api')}")
        import prefect

        deployment = _deployment(schedule)
        say(f"Serving refresh_corpus/{DEPLOYMENT_NAME}: {schedule.described}; Ctrl-C to stop")
        prefect.serve(deployment, limit=1, print_starting_message=False)
    except (_Stop, KeyboardInterrupt):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        if server is not None:
            say("Stopping the Prefect server")
            server.stop()
