"""Identifiers.

New ids are UUIDv7 (RFC 9562): a millisecond timestamp followed by random bits, so rows
inserted together sit together in B-tree indexes instead of scattering like UUIDv4.
"""

from __future__ import annotations

import os
import random
import time
import uuid

# Ids need to be unique, not secret: a generator seeded from the OS (and reseeded in every
# forked child, which would otherwise repeat its parent's sequence) avoids a system call per id.
_random = random.Random(os.urandom(32))
os.register_at_fork(after_in_child=lambda: _random.seed(os.urandom(32)))


def new_id() -> uuid.UUID:
    millis = time.time_ns() // 1_000_000
    value = (millis & ((1 << 48) - 1)) << 80 | _random.getrandbits(80)
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return uuid.UUID(int=value)
