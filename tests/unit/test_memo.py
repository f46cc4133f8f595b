"""The per-process LRU that keeps outlines and lesson HTML."""

from __future__ import annotations

import threading

from lms.memo import Lru


def test_the_least_recently_used_goes_first():
    lru: Lru[str] = Lru(2)
    lru.put("a", "A")
    lru.put("b", "B")
    assert lru.get("a") == "A"  # a is now the most recent
    lru.put("c", "C")
    assert lru.get("b") is None
    assert lru.get("a") == "A" and lru.get("c") == "C"


def test_weight_bounds_what_is_kept():
    lru: Lru[str] = Lru(10, weigh=len)
    lru.put("a", "x" * 6)
    lru.put("b", "x" * 4)
    assert lru.weight == 10 and len(lru) == 2
    lru.put("c", "x" * 3)
    assert lru.get("a") is None and lru.weight == 7
    lru.put("huge", "x" * 11)  # bigger than the whole cache: not kept, nothing evicted
    assert lru.get("huge") is None and len(lru) == 2


def test_replacing_a_key_keeps_the_weight_right():
    lru: Lru[str] = Lru(100, weigh=len)
    lru.put("a", "x" * 30)
    lru.put("a", "x" * 10)
    assert lru.weight == 10 and lru.get("a") == "x" * 10


def test_threads_share_it_safely():
    lru: Lru[int] = Lru(50)

    def work(offset: int) -> None:
        for n in range(2000):
            lru.put(n % 80 + offset, n)
            lru.get((n * 7) % 80 + offset)

    threads = [threading.Thread(target=work, args=(k * 100,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(lru) == 50 and lru.weight == 50
