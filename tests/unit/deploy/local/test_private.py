"""The local services' secret files are never readable by others, not even for a moment."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from deploy.local.private import private_dir, write_private
from deploy.local.services import ensure_local_secrets, local_env_file
from deploy.local.users import load_users, write_users_file


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_private_file_is_created_with_mode_600_and_an_old_one_is_narrowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = os.umask(0o022)  # the usual umask: a plain write would make the file 644
    try:
        created: list[int] = []
        real_open = os.open

        def spy(path: str, flags: int, mode: int = 0o777) -> int:
            created.append(mode)
            return real_open(path, flags, mode)

        monkeypatch.setattr(os, "open", spy)
        write_private(tmp_path / "new", "secret\n")
        (tmp_path / "old").write_text("was open")
        os.chmod(tmp_path / "old", 0o644)
        write_private(tmp_path / "old", "secret\n")
    finally:
        os.umask(old)
    assert created == [0o600, 0o600]  # restricted from the moment the file exists
    assert [_mode(tmp_path / name) for name in ("new", "old")] == [0o600, 0o600]
    assert (tmp_path / "old").read_text() == "secret\n"


def test_the_local_secrets_and_users_files_and_a_new_state_directory_are_private(
    tmp_path: Path,
) -> None:
    state = tmp_path / "state"
    ensure_local_secrets(state)
    write_users_file(state / "users.yaml", {"bi": ("pw", 1)})
    assert _mode(state) == 0o700
    assert _mode(local_env_file(state)) == 0o600 and _mode(state / "users.yaml") == 0o600
    assert load_users(state / "users.yaml")["bi"].readonly
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    private_dir(shared)
    assert _mode(shared) == 0o755  # a directory that was there keeps its mode
