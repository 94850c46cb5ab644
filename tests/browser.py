"""A real headless Chromium driven over the Chrome DevTools Protocol, for tests of report pages.

Why not Selenium or Playwright: both bring a driver or a browser download; CDP is a JSON protocol
over one websocket, and the ``websockets`` package (already pinned, via Prefect) has a blocking
client. One browser per test module, one tab per page; the browser's process group is killed in
``close`` whatever happened.

Offline: this machine has no network, and without the flags below Chromium spends its start-up
retrying refused connections (component updates, sync, QUIC probes) and can hang.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--remote-debugging-port=0",
    "--window-size=1280,900",
)
START_TIMEOUT = 20.0
COMMAND_TIMEOUT = 20.0


class BrowserError(RuntimeError):
    """The browser did not start or did not answer; the message holds its stderr tail."""


def find_chromium() -> str:
    """The Chromium executable; skip the test where there is none, but fail under CI=true."""
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    reason = f"no Chromium found (looked for {', '.join(CANDIDATES)} on PATH)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true, so this is an error: .ci/run installs chromium")
    pytest.skip(reason)


@dataclass
class PageLog:
    """What a page did while loading: requests, console errors, exceptions, dialogs."""

    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


class Browser:
    """A headless Chromium process and one CDP connection to it (flattened sessions)."""

    def __init__(self, executable: str) -> None:
        self._profile = tempfile.mkdtemp(prefix="berdaya-chromium-")
        self._stderr = open(Path(self._profile) / "stderr.log", "wb")  # noqa: SIM115
        self._process = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={self._profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
            start_new_session=True,  # its own process group: close() kills renderers too
        )
        self._next_id = 0
        self._events: list[dict[str, Any]] = []
        try:
            self._ws: ClientConnection = connect(
                self._wait_for_endpoint(), max_size=None, proxy=None, open_timeout=10
            )
        except BaseException:
            self.close()
            raise

    def _wait_for_endpoint(self) -> str:
        """Chromium writes its port and browser path to DevToolsActivePort once it listens."""
        marker = Path(self._profile) / "DevToolsActivePort"
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise BrowserError(
                    f"chromium exited with {self._process.returncode}: {self._tail()}"
                )
            if marker.exists():
                lines = marker.read_text().split()
                if len(lines) >= 2:
                    return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
            time.sleep(0.05)
        raise BrowserError(
            f"chromium did not open its DevTools port in {START_TIMEOUT:.0f} s: {self._tail()}"
        )

    def _tail(self) -> str:
        self._stderr.flush()
        text = (Path(self._profile) / "stderr.log").read_text(errors="replace")
        return text[-2000:]

    # -- protocol ----------------------------------------------------------------------------

    def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        """Send one command and wait for its answer; events that arrive meanwhile are kept."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._ws.send(json.dumps(message))
        deadline = time.monotonic() + COMMAND_TIMEOUT
        while True:
            reply = self._receive(deadline, f"the answer to {method}")
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method} failed: {reply['error']}")
                return reply.get("result", {})
            self._events.append(reply)

    def _receive(self, deadline: float, waiting_for: str) -> dict[str, Any]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise BrowserError(f"no {waiting_for} within {COMMAND_TIMEOUT:.0f} s: {self._tail()}")
        try:
            return json.loads(self._ws.recv(timeout=remaining))
        except TimeoutError as exc:
            raise BrowserError(f"no {waiting_for} within {COMMAND_TIMEOUT:.0f} s") from exc

    def wait_for_event(self, method: str, session: str) -> dict[str, Any]:
        deadline = time.monotonic() + COMMAND_TIMEOUT
        while True:
            for i, event in enumerate(self._events):
                if event.get("method") == method and event.get("sessionId") == session:
                    return self._events.pop(i)
            self._events.append(self._receive(deadline, f"event {method}"))

    def drain(self, session: str) -> list[dict[str, Any]]:
        """Every event received so far for ``session`` (and forget them)."""
        mine = [e for e in self._events if e.get("sessionId") == session]
        self._events = [e for e in self._events if e.get("sessionId") != session]
        return mine

    # -- pages -------------------------------------------------------------------------------

    def open(self, path: Path, before_load: str = "") -> Page:
        """Open ``path`` in a new tab, logging from before the first request until load."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=session)
        if before_load:
            self.send("Page.addScriptToEvaluateOnNewDocument", {"source": before_load}, session)
        page = Page(self, session, path.resolve().as_uri())
        self.send("Page.navigate", {"url": page.url}, session)
        self.wait_for_event("Page.loadEventFired", session)
        page.collect()
        return page

    def close(self) -> None:
        try:
            if getattr(self, "_ws", None) is not None:
                self._ws.close()
        finally:
            if self._process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait(timeout=10)
            self._stderr.close()
            shutil.rmtree(self._profile, ignore_errors=True)


class Page:
    """One tab: evaluate script, take screenshots, and the log of what it did."""

    def __init__(self, browser: Browser, session: str, url: str) -> None:
        self.browser = browser
        self.session = session
        self.url = url
        self.log = PageLog()

    def collect(self) -> PageLog:
        """Fold the events received so far into ``log``."""
        for event in self.browser.drain(self.session):
            method, params = event.get("method"), event.get("params", {})
            if method == "Network.requestWillBeSent":
                self.log.requests.append(params["request"]["url"])
            elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
                args = [
                    str(a.get("value", a.get("description", ""))) for a in params.get("args", [])
                ]
                self.log.errors.append("console.error: " + " ".join(args))
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                entry = params["entry"]
                self.log.errors.append(f"log: {entry.get('text')} {entry.get('url', '')}".strip())
            elif method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                text = details.get("exception", {}).get("description") or details.get("text")
                self.log.errors.append(f"exception: {text}")
            elif method == "Page.javascriptDialogOpening":
                self.log.dialogs.append(params.get("message", ""))
        return self.log

    def evaluate(self, expression: str) -> Any:
        """The JSON value of ``expression`` in the page; a thrown exception fails loudly."""
        result = self.browser.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            self.session,
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression!r} threw: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path) -> Path:
        data = self.browser.send(
            "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, self.session
        )["data"]
        path.write_bytes(base64.b64decode(data))
        return path
