"""A small thread-safe LRU for what never changes once written: a course version's outline
and lesson HTML (a package with other content is another version with another hash).

Each process keeps its own; nothing here is shared between servers, and a cold cache only
costs the queries it saves.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Lru(Generic[V]):
    """At most ``max_weight`` worth of values (each weighed by ``weigh``), least recent out."""

    def __init__(self, max_weight: int, weigh: Callable[[V], int] = lambda _v: 1) -> None:
        self.max_weight = max_weight
        self.weigh = weigh
        self.weight = 0
        self._data: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            found = self._data.get(key)
            if found is None:
                return None
            self._data.move_to_end(key)
            return found[0]

    def put(self, key: Hashable, value: V) -> None:
        weight = self.weigh(value)
        if weight > self.max_weight:
            return
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self.weight -= old[1]
            self._data[key] = (value, weight)
            self.weight += weight
            while self.weight > self.max_weight:
                _key, (_value, dropped) = self._data.popitem(last=False)
                self.weight -= dropped

    def __len__(self) -> int:
        return len(self._data)
