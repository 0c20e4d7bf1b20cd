"""Files only their owner may read: the local services' passwords and users."""

from __future__ import annotations

import os
from pathlib import Path


def private_dir(path: Path) -> None:
    """Creates ``path`` (and its parents) if need be, ``path`` itself open to its owner only: it
    holds the secrets, the database and the logs. A directory that exists keeps its mode (it may
    be one others use too)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)


def write_private(path: Path, text: str) -> None:
    """Writes ``text`` to ``path`` with mode 600 from the start: written first and restricted
    after, the file was readable by anyone for a moment."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # a file that was there keeps its mode through O_CREAT
    with os.fdopen(descriptor, "w") as out:
        out.write(text)
