"""The local ClickHouse server's users file: names, SHA-256 password digests, read-only flags."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml

from deploy.local.private import private_dir, write_private


@dataclass(frozen=True)
class User:
    name: str
    password_sha256_hex: str
    readonly: bool


def write_users_file(path: Path, users: dict[str, tuple[str, int]]) -> None:
    """``users``: name -> (password, readonly). Only digests are written; mode 600."""
    entries = {
        name: {
            "password_sha256_hex": hashlib.sha256(password.encode()).hexdigest(),
            "readonly": readonly,
        }
        for name, (password, readonly) in users.items()
    }
    private_dir(path.parent)
    write_private(path, yaml.safe_dump({"users": entries}, sort_keys=True))


def load_users(path: Path) -> dict[str, User]:
    entries = yaml.safe_load(path.read_text())["users"]
    return {
        name: User(name, entry["password_sha256_hex"], bool(entry.get("readonly", 0)))
        for name, entry in entries.items()
    }
