"""A directory that refuses new entries even to root, for the "unwritable home" checks.

Permission bits don't stop root, and CI runs the tests as root. So as root the directory
is made immutable (`chattr +i`, where the filesystem and capabilities allow it), or,
failing that, is a sysfs directory (`/sys/kernel`), which no one can create files in.
Each way is proved by trying to create something before it is used.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _refuses_entries(directory: Path) -> bool:
    probe = directory / "momentum-probe"
    try:
        probe.mkdir()
    except OSError:
        return True
    probe.rmdir()
    return False


@contextmanager
def unwritable_directory(parent: Path) -> Iterator[Path]:
    """An existing, readable directory in which no new file or directory can be made."""
    locked = parent / "locked"
    locked.mkdir()
    if os.geteuid() != 0:
        locked.chmod(0o555)
        try:
            yield locked
        finally:
            locked.chmod(0o755)
        return
    chattr = shutil.which("chattr")
    if chattr and subprocess.run([chattr, "+i", str(locked)], capture_output=True).returncode == 0:
        try:
            if _refuses_entries(locked):
                yield locked
                return
        finally:
            subprocess.run([chattr, "-i", str(locked)], capture_output=True, check=True)
    sysfs = Path("/sys/kernel")
    if sysfs.is_dir() and _refuses_entries(sysfs):
        yield sysfs
        return
    pytest.skip("as root, neither `chattr +i` nor a sysfs directory refuses new files here")
