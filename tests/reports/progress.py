"""Progress objects for tests: one that remembers what it was told, one that stops."""

from __future__ import annotations

from station_desktop.domain.progress import Counter


class Seen(Counter):
    """Every ``(done, total)`` reported, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[int, int]] = []

    def __call__(self, done: int, total: int) -> None:
        super().__call__(done, total)
        self.seen.append((done, total))


class StopAfter(Seen):
    """取消 is pressed once the work has looked at the button ``n`` times."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n, self.asked = n, 0

    @property
    def cancelled(self) -> bool:
        self.asked += 1
        return self.asked > self.n
