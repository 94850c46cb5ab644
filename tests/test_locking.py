"""Two runs at once: the second is refused with a message naming the first, or waits for it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from pipeline.locking import ProjectBusy, ProjectLock

HOLD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from pipeline.locking import ProjectLock
    with ProjectLock(Path(sys.argv[1]), "berdaya run"):
        print("held", flush=True)
        time.sleep(float(sys.argv[2]))
    print("released", flush=True)
    """
)


def hold_lock(corpus, seconds: float) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(corpus), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "held"
    return process


def test_second_writer_is_refused_naming_the_first(tmp_path):
    holder = hold_lock(tmp_path, 30)
    try:
        with (
            pytest.raises(ProjectBusy, match=rf"berdaya run, pid {holder.pid}"),
            ProjectLock(tmp_path, "berdaya refresh"),
        ):
            pass
    finally:
        holder.kill()
        holder.wait()


def test_second_writer_can_wait_for_the_first(tmp_path):
    holder = hold_lock(tmp_path, 1)
    try:
        with ProjectLock(tmp_path, "berdaya refresh", wait=60):
            # Only now that the first holder has let go (it says so) do we hold the lock.
            assert holder.stdout.readline().strip() == "released"
    finally:
        holder.kill()
        holder.wait()


def test_a_killed_holder_leaves_no_stale_lock(tmp_path):
    holder = hold_lock(tmp_path, 30)
    holder.kill()  # SIGKILL: no cleanup runs
    holder.wait()
    with ProjectLock(tmp_path, "berdaya run"):
        pass


def test_ingest_command_stops_with_a_clear_message_while_a_run_writes(tmp_path):
    from pathlib import Path

    berdaya = Path(sys.executable).parent / "berdaya"
    note = tmp_path / "note.txt"
    note.write_text("Catatan\n\nPemberdayaan masyarakat desa.", encoding="utf-8")
    holder = hold_lock(tmp_path / "corpus", 30)
    try:
        result = subprocess.run(
            [str(berdaya), "ingest", str(note), "--project", str(tmp_path)],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 3
    assert "busy: another berdaya process is writing to this project (berdaya run" in result.stderr
    assert not (tmp_path / "corpus" / "berdaya.sqlite").exists()


@pytest.mark.parametrize("command", ["run", "refresh", "report"])
def test_flow_commands_stop_with_one_line_while_another_command_writes(tmp_path, command):
    from pathlib import Path

    berdaya = Path(sys.executable).parent / "berdaya"
    (tmp_path / "corpus").mkdir()
    holder = hold_lock(tmp_path / "corpus", 30)
    try:
        result = subprocess.run(
            [str(berdaya), command, "--project", str(tmp_path)],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 3
    assert "busy: another berdaya process is writing to this project (berdaya run" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
