"""A tiny progress channel from tasks to whoever runs the flow in this process (the CLI)."""

from __future__ import annotations

from collections.abc import Callable

_listeners: list[Callable[[str], None]] = []


def listen(callback: Callable[[str], None]) -> None:
    _listeners.append(callback)


def clear() -> None:
    _listeners.clear()


def say(message: str) -> None:
    for callback in list(_listeners):
        callback(message)
