"""Read a worker's stdout/stderr without bound on what it writes, keeping head and tail."""
from __future__ import annotations

import os
import threading

KEEP = 4096


class BoundedOutput:
    """Drains a pipe in a thread; keeps the first and last ``keep`` bytes and a byte count."""

    def __init__(self, fd: int, keep: int = KEEP):
        self.fd, self.keep = fd, keep
        self.head, self.tail, self.total = bytearray(), bytearray(), 0
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self):
        while True:
            try:
                chunk = os.read(self.fd, 1 << 16)
            except OSError:
                break
            if not chunk:
                break
            with self._lock:
                self.total += len(chunk)
                room = self.keep - len(self.head)
                if room > 0:
                    self.head += chunk[:room]
                    chunk = chunk[room:]
                self.tail = (self.tail + chunk)[-self.keep:]
        try:
            os.close(self.fd)
        except OSError:
            pass

    def close(self, wait: float = 1.0):
        self._thread.join(wait)

    def text(self) -> str:
        with self._lock:
            head = self.head.decode("utf-8", "replace")
            tail = self.tail.decode("utf-8", "replace")
            hidden = self.total - len(self.head) - len(self.tail)
        if hidden > 0:
            return f"{head}\n[... {hidden} bytes not shown ...]\n{tail}"
        return head + tail
