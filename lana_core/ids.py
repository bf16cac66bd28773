"""Identifiers.

New ids are UUIDv7 (RFC 9562): a millisecond timestamp followed by random bits, so rows
inserted together sit together in B-tree indexes instead of scattering like UUIDv4.
"""

from __future__ import annotations

import os
import random
import time
import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lana_core.clock import Clock

# Ids need to be unique, not secret: a generator seeded from the OS (and reseeded in every
# forked child, which would otherwise repeat its parent's sequence) avoids a system call per id.
_random = random.Random(os.urandom(32))
os.register_at_fork(after_in_child=lambda: _random.seed(os.urandom(32)))


def new_id() -> uuid.UUID:
    return _uuid7(time.time_ns() // 1_000_000, _random.getrandbits(80))


def _uuid7(millis: int, bits: int) -> uuid.UUID:
    value = (millis & ((1 << 48) - 1)) << 80 | bits
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return uuid.UUID(int=value)


class SeededIds:
    """Ids a simulation can reproduce: UUIDv7 from its clock's time and a generator seeded by
    the simulation (``reseed`` at each simulated day), so the same run gives the same ids."""

    def __init__(self, clock: Clock, seed: str) -> None:
        self.clock = clock
        self._random = random.Random(seed)

    def reseed(self, seed: str) -> None:
        self._random.seed(seed)

    def __call__(self) -> uuid.UUID:
        millis = int(self.clock.now().timestamp() * 1000)
        return _uuid7(millis, self._random.getrandbits(80))
