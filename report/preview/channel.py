"""The reload channel: each open page is told the builder's state over Server-Sent Events.

Server-Sent Events are a plain HTTP response that stays open (``text/event-stream``); the browser's
``EventSource`` reads it and reconnects by itself when the server restarts. The channel only
speaks: nothing a page sends is read, so it accepts no commands. A WebSocket would add a second
protocol (and a library) for a direction nobody uses.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

from report.preview.builder import State

KEEPALIVE_SECONDS = 15.0  # a comment line this often: proxies and the browser keep the stream open


class ReloadChannel:
    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._serial = 0  # one more per published state
        self._message = ""
        self._closed = False

    def publish(self, state: State) -> None:
        with self._changed:
            self._serial += 1
            self._message = json.dumps(state.as_json())
            self._changed.notify_all()

    def close(self) -> None:
        """End every stream (the server is stopping)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def stream(self, write: Callable[[bytes], None]) -> None:
        """Write the current state, then each new one, until the channel closes or ``write`` fails
        (the page went away: the caller catches the connection error)."""
        seen = -1
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._closed or self._serial != seen, timeout=KEEPALIVE_SECONDS)
                if self._closed:
                    return
                message = None if self._serial == seen else self._message
                seen = self._serial
            write(b": keep-alive\n\n" if message is None else f"event: state\ndata: {message}\n\n".encode())
