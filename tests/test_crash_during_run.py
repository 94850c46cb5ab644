"""kill -9 of a real ``berdaya report`` while it fits the models, saves them and writes the report.

One project, one corpus of 300 generated abstracts (enough for the fit to take seconds), one
complete run to start from; then ``berdaya report`` is killed with SIGKILL at each stage in turn,
and after every kill the project is checked:

- ``reports/latest`` points at a complete report whose manifest verifies, and every visible
  folder under ``reports/`` and ``models/`` is complete: a half-written one exists only under its
  temporary ``.tmp-<run>-<pid>`` name, and only for the process that was killed;
- the corpus store is unchanged (documents, corpus hash) and passes SQLite's integrity check;
- the project lock is free at once (checked before the killed run's temporary Prefect server,
  which a SIGKILL leaves running, is ended: the lock does not depend on it).

Each killed run is also the rerun after the kill before it (it gets the lock, and removes the
leftovers of the dead run before it); a last run after all of them exits 0, removes every
leftover, passes over a model folder whose files no longer match its manifest (carrying topic ids
from the newest sound one instead), writes a complete report and moves ``latest`` to it.

To land a kill inside a write (a model folder, a report folder), the run is frozen with SIGSTOP
when its condition holds (checked again once frozen), and where the moment is too short to catch
by watching (the model folder, the report's last file) it is moved on from an earlier freeze in
the shortest steps (SIGCONT, at once SIGSTOP) until the condition holds; only then is SIGKILL
sent, so the state at the kill is the state that was checked.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pipeline.artifacts import MANIFEST, verify_artifact_dir
from pipeline.locking import ProjectLock
from pipeline.store import Store

BERDAYA = Path(sys.executable).parent / "berdaya"
DOCUMENTS = 300
FIT_KILL_DELAYS = (1.5, 5.0)  # seconds after "Analysing the corpus" is printed
LAST_REPORT_FILE = "stemming_audit.csv"  # the last one written before the manifest
FILE_BEFORE_LAST = "explorer.html"  # written just before it (pipeline/runs.py, write_run_report)
RUN_TIMEOUT = 600.0  # a safety net against a hung run, not a measure of anything
STEP = 0.0003  # seconds a stepped run runs between two freezes
STEPPING_LIMIT = 60.0  # stepping that long means the moment is far off: kill where it is

ANALYSING = "Analysing the corpus"
SAVING = "Saving the models"
WRITING = "Writing the report"

_TOPICS = (
    "pemberdayaan masyarakat desa kelompok tani pendampingan kemitraan lembaga swadaya "
    "pemerintah daerah partisipasi warga kapasitas",
    "community empowerment village participation partnership local government capacity "
    "building livelihood non-governmental organisation",
    "anggaran dana desa transparansi akuntabilitas pengelolaan keuangan musyawarah "
    "perencanaan pembangunan",
    "usaha mikro koperasi pemasaran digital pelatihan kewirausahaan perempuan ekonomi kreatif",
    "kesehatan posyandu gizi balita sanitasi air bersih penyuluhan kader puskesmas stunting",
    "education school teachers literacy training curriculum students digital learning rural youth",
)


def _write_abstracts(folder: Path, count: int, seed: int = 8) -> None:
    """``count`` short abstracts, each mostly one topic's words and partly another's."""
    rng = random.Random(seed)
    pools = [words.split() for words in _TOPICS]
    for i in range(count):
        main, other = rng.sample(range(len(pools)), 2)
        words = [rng.choice(pools[main]) for _ in range(60)]
        words += [rng.choice(pools[other]) for _ in range(25)]
        rng.shuffle(words)
        sentences = [" ".join(words[j : j + 12]).capitalize() for j in range(0, len(words), 12)]
        text = f"Kajian lapangan nomor {i}\n\n" + ". ".join(sentences) + ".\n"
        (folder / f"abstrak{i:04d}.txt").write_text(text, encoding="utf-8")


@dataclass
class CliRun:
    """A ``berdaya`` process in its own session (so its Prefect server can be found and ended),
    its output in files (nothing blocks on a full pipe)."""

    process: subprocess.Popen[bytes]
    out: Path
    err: Path
    seen: dict[str, float] = field(default_factory=dict)  # progress line -> when first seen

    @classmethod
    def start(cls, command: str, project: Path, logs: Path) -> CliRun:
        logs.mkdir(parents=True, exist_ok=True)
        out, err = logs / "stdout.txt", logs / "stderr.txt"
        with out.open("wb") as stdout, err.open("wb") as stderr:
            process = subprocess.Popen(
                [str(BERDAYA), command, "--project", str(project)],
                cwd=project,
                stdout=stdout,
                stderr=stderr,
                env={**os.environ, "COLUMNS": "200"},
                start_new_session=True,
            )
        return cls(process, out, err)

    def stdout(self) -> str:
        return self.out.read_text(encoding="utf-8", errors="replace")

    def stderr(self) -> str:
        return self.err.read_text(encoding="utf-8", errors="replace")

    def stage(self) -> str:
        """The last progress line printed."""
        text = self.stdout()
        marks = [(text.rfind(m), m) for m in (ANALYSING, SAVING, WRITING) if m in text]
        return max(marks)[1] if marks else "starting"

    def has_said(self, line: str) -> bool:
        if line not in self.seen and line in self.stdout():
            self.seen[line] = time.monotonic()
        return line in self.seen

    def freeze(self) -> bool:
        """SIGSTOP, returning once the process is stopped; False if it had ended."""
        os.kill(self.process.pid, signal.SIGSTOP)
        _, status = os.waitpid(self.process.pid, os.WUNTRACED)
        if os.WIFSTOPPED(status):
            return True
        self.process.returncode = os.waitstatus_to_exitcode(status)  # reaped here
        return False

    def freeze_when(self, condition: Callable[[], bool], poll: float = 0.005) -> bool:
        """Poll ``condition``; once it holds, freeze the process and check it again, so that it
        holds in the frozen state. False if the run ended first."""
        deadline = time.monotonic() + RUN_TIMEOUT
        while self.process.poll() is None and time.monotonic() < deadline:
            if condition():
                if not self.freeze():
                    return False
                if condition():
                    return True
                os.kill(self.process.pid, signal.SIGCONT)
            time.sleep(poll)
        return False

    def step_until(self, condition: Callable[[], bool], passed: Callable[[], bool]) -> bool:
        """From frozen, let the process run in the shortest steps (SIGCONT, at once SIGSTOP)
        until ``condition`` holds, frozen. False if ``passed`` (the moment was gone) or the run
        ended."""
        deadline = time.monotonic() + STEPPING_LIMIT
        while not condition():
            if passed() or time.monotonic() > deadline:
                return False
            os.kill(self.process.pid, signal.SIGCONT)
            time.sleep(STEP)
            if not self.freeze():
                return False
        return True

    def kill_9(self) -> None:
        if self.process.returncode is None:  # frozen, or running
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def end_leftovers(self) -> None:
        """SIGKILL what the killed run left running in its session (its Prefect server)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)


def _visible(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".") and p.name != "latest")


def _hidden(folder: Path) -> list[str]:
    return (
        sorted(p.name for p in folder.iterdir() if p.name.startswith("."))
        if folder.is_dir()
        else []
    )


def _temporary_holding(folder: Path, name: str | None) -> bool:
    """A ``.tmp-`` folder under ``folder`` holds ``name`` (None: any file)."""
    if not folder.is_dir():
        return False
    for entry in os.scandir(folder):
        if entry.name.startswith(".tmp-"):
            try:
                names = os.listdir(entry.path)
            except FileNotFoundError:  # renamed into place meanwhile
                continue
            if name in names if name else names:
                return True
    return False


def _contents(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _store_state(store: Path) -> tuple[int, str]:
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with Store(store) as opened:
        return opened.count(), opened.corpus_hash()


def _assert_nothing_partial_presented(
    project: Path, killed_pids: set[int], altered: tuple[Path, ...] = ()
) -> None:
    reports, models = project / "reports", project / "models"
    latest = reports / "latest"
    assert latest.is_symlink()
    target = latest.resolve()
    assert target.parent == reports.resolve() and not target.name.startswith(".")
    manifest = verify_artifact_dir(latest)
    assert manifest["kind"] == "report" and manifest["run_id"] == target.name
    for folder in _visible(reports):
        assert verify_artifact_dir(folder)["kind"] == "report", folder
    for folder in _visible(models):
        if folder in altered:
            continue
        assert verify_artifact_dir(folder)["kind"] == "topic-model", folder
    # What is not complete is hidden, and was left by a process that was killed.
    for name in _hidden(reports) + _hidden(models):
        assert name.startswith((".tmp-", ".latest-")), name
        assert int(name.rsplit("-", 1)[1]) in killed_pids, name


def _run_to_the_end(command: str, project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BERDAYA), command, "--project", str(project)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )


def _assert_lock_free(project: Path) -> None:
    with ProjectLock(project / "corpus", "crash test"):  # wait=0: ProjectBusy if still held
        pass


@pytest.mark.slow
def test_kill_9_while_fitting_saving_models_or_writing_the_report_never_presents_a_partial_run(
    project: Path, tmp_path: Path
) -> None:
    _write_abstracts(project / "corpus" / "inbox", DOCUMENTS)
    first = _run_to_the_end("run", project)
    assert first.returncode == 0, first.stdout + first.stderr
    reports, models = project / "reports", project / "models"
    store = project / "corpus" / "berdaya.sqlite"
    first_report = (reports / "latest").resolve().name
    assert [p.name for p in _visible(models)] == [first_report]
    store_before = _store_state(store)
    assert store_before[0] == DOCUMENTS + 16

    killed: set[int] = set()
    stages: list[str] = []

    def kill(
        run: CliRun,
        what: str,
        when: Callable[[], bool],
        then: tuple[Callable[[], bool], Path] | None = None,
        poll: float = 0.005,
    ) -> bool:
        """Freeze ``run`` once ``when`` holds; if ``then`` (a condition and the folder the run
        writes into) is given, step it on until the condition holds; then SIGKILL it, there or,
        if the write was done before that, just after it. True if the kill was where asked."""
        try:
            frozen = run.freeze_when(when, poll)
            assert frozen, f"{what}: the run ended first\n{run.stdout()}{run.stderr()}"
            hit = True
            if then is not None:
                condition, folder = then
                renamed = len(_visible(folder))
                hit = run.step_until(condition, lambda: len(_visible(folder)) > renamed)
            run.kill_9()
            killed.add(run.process.pid)
            stages.append(f"{what}: killed at '{run.stage()}'" + ("" if hit else ", too late"))
            assert run.process.returncode == -signal.SIGKILL
            _assert_lock_free(project)  # before its Prefect server is ended: it holds no lock
        finally:
            run.end_leftovers()
        _assert_nothing_partial_presented(project, killed)
        assert _store_state(store) == store_before
        return hit

    # 1. During the analysis, at several delays: preprocessing, the topic fit, the classifier.
    for delay in FIT_KILL_DELAYS:
        run = CliRun.start("report", project, tmp_path / f"fit-{delay}")
        kill(
            run,
            f"{delay} s into the analysis",
            lambda run=run, delay=delay: (
                run.has_said(ANALYSING) and time.monotonic() >= run.seen[ANALYSING] + delay
            ),
        )
        assert (reports / "latest").resolve().name == first_report
        if run.stage() == ANALYSING:  # killed before saving: no model of this run, not even hidden
            assert [p.name for p in _visible(models)] == [first_report]
            assert not any(n.endswith(f"-{run.process.pid}") for n in _hidden(models))
    assert any(stage.endswith(f"'{ANALYSING}'") for stage in stages), stages

    # 2. In the middle of writing the model folder, once it holds a file. The write takes a few
    # milliseconds: a watch that sees it too late kills the run just after it (a valid crash
    # too, checked the same way), and the next run tries again.
    for attempt in range(3):
        run = CliRun.start("report", project, tmp_path / f"save-{attempt}")
        if kill(
            run,
            "while saving the models",
            lambda run=run: run.has_said(SAVING) or _temporary_holding(models, None),
            (lambda: _temporary_holding(models, None), models),
            poll=0.0005,
        ):
            break
    partial_model = [n for n in _hidden(models) if n.endswith(f"-{run.process.pid}")]
    assert len(partial_model) == 1, stages
    stages.append(f"  left {partial_model[0]}: {_contents(models / partial_model[0])}")
    assert (reports / "latest").resolve().name == first_report

    # 3. In the middle of writing the report folder (this run's models are saved by then): as
    # soon as its first file is there, and once its last file is. For the last, the run is
    # frozen once the file before it is there and stepped from that point only: stepping
    # through the whole report write can outlast STEPPING_LIMIT on a slow machine.
    report_kills = (
        ("with the report's first file written", None, None),
        ("with the report's last file written", FILE_BEFORE_LAST, LAST_REPORT_FILE),
    )
    partial_reports: list[str] = []
    models_before = len(_visible(models))
    for what, freeze_at, last in report_kills:
        run = CliRun.start("report", project, tmp_path / what.replace(" ", "-"))
        steps = None if last is None else (lambda last=last: _temporary_holding(reports, last))
        assert kill(
            run,
            what,
            lambda freeze_at=freeze_at: _temporary_holding(reports, freeze_at),
            None if steps is None else (steps, reports),
            poll=0.0005,
        ), stages
        partial = [n for n in _hidden(reports) if n.endswith(f"-{run.process.pid}")]
        assert len(partial) == 1, _hidden(reports)
        stages.append(f"  left {partial[0]}: {_contents(reports / partial[0])}")
        saved = _visible(models)[-1]  # this run's models: complete, but no report of the run
        assert partial == [f".tmp-{saved.name}-{run.process.pid}"]
        assert not (reports / saved.name).exists()
        assert (reports / "latest").resolve().name == first_report
        # What the runs killed before left behind is gone: they are dead, this run cleaned up.
        assert not set(partial_reports + partial_model) & set(_hidden(reports) + _hidden(models))
        partial_reports += partial
    assert len(_visible(models)) == models_before + len(report_kills)  # each one verified complete

    # A model whose files no longer match its manifest (say a disk that lost a write) is passed
    # over by the next run, never loaded: it carries the topic ids of the newest sound model.
    damaged, fallback = _visible(models)[-1], _visible(models)[-2]
    model_file = max(
        (p for p in damaged.iterdir() if p.name != MANIFEST), key=lambda p: p.stat().st_size
    )
    with model_file.open("r+b") as handle:
        handle.truncate(model_file.stat().st_size // 2)

    # 4. The run after all that: completes, cleans up, moves latest.
    rerun = _run_to_the_end("report", project)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    latest = (reports / "latest").resolve()
    report_md = (latest / "report.md").read_text(encoding="utf-8")
    assert f"since run {fallback.name}" in report_md
    assert damaged.name not in report_md
    assert latest.name == _visible(models)[-1].name != damaged.name  # the rerun's own models
    manifest = verify_artifact_dir(reports / "latest")
    assert manifest["corpus_hash"] == store_before[1]
    assert manifest["documents"] == store_before[0]
    assert sorted(json.loads((latest / MANIFEST).read_text(encoding="utf-8"))["files"]) == sorted(
        str(p.relative_to(latest)) for p in latest.rglob("*") if p.is_file() and p.name != MANIFEST
    )
    assert _hidden(reports) == [] and _hidden(models) == []
    assert [p.name for p in _visible(reports)] == sorted([first_report, latest.name])
    _assert_nothing_partial_presented(project, set(), altered=(damaged,))
    assert _store_state(store) == store_before
    _assert_lock_free(project)
    print("\n".join(stages))
