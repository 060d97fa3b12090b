"""API keys of the ingest service: their stored form, the key file, and checking a key.

A key is an opaque random token. The service never keeps a plaintext key: keys given
in the environment are hashed as soon as they are read, and the key file holds only
hashes, one per line::

    # who holds which key
    sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08  feeder-2025
    sha256:60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752

SHA-256 without salt or stretching is the right hash here, unlike for passwords:
the keys are long random tokens (``tocsin keys new`` draws 256 bits), so nothing is
gained by slowing down guesses, and a fast hash keeps every request cheap. Keys
shorter than ``MIN_KEY_LENGTH`` are refused for the same reason.

This module imports nothing heavy, so ``tocsin keys`` starts quickly.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from tocsin.errors import TocsinError

log = logging.getLogger(__name__)

DIGEST_PREFIX = "sha256:"
MIN_KEY_LENGTH = 16
RECHECK_S = 1.0
"""How often, at most, the key file's modification time is looked at."""

_LINE = re.compile(r"sha256:(?P<hex>[0-9a-fA-F]{64})(?:\s+(?P<label>.*))?")
_NEW_KEY_PREFIX = "tocsin_"


class KeyConfigError(TocsinError):
    """The API keys cannot be used: a bad key file line, a short key, an unreadable file."""


def new_token() -> str:
    """A fresh API key: 256 random bits, URL-safe, with a prefix that secret scanners can spot."""
    return _NEW_KEY_PREFIX + secrets.token_urlsafe(32)


def digest(token: str) -> bytes:
    """The SHA-256 digest a key is stored and compared as."""
    return hashlib.sha256(token.encode("utf-8")).digest()


def file_line(token: str, label: str | None = None) -> str:
    """The key file line that lets ``token`` in: ``sha256:<hex>`` and an optional label."""
    line = DIGEST_PREFIX + digest(token).hex()
    label = " ".join((label or "").split())  # one line, whatever the caller passed
    return f"{line}  {label}" if label else line


def check_token_shape(token: str, where: str) -> None:
    """Refuse a key that is too short to be a random token, or that no header can carry."""
    if len(token) < MIN_KEY_LENGTH:
        raise KeyConfigError(
            f"{where}: an API key must be at least {MIN_KEY_LENGTH} characters long "
            "(make one with `tocsin keys new`)"
        )
    if any(c.isspace() or not c.isprintable() for c in token):
        raise KeyConfigError(f"{where}: an API key cannot contain spaces or control characters")


def parse_env_keys(text: str) -> frozenset[bytes]:
    """Digests of the comma-separated plaintext keys of ``TOCSIN_INGEST_API_KEYS``."""
    digests = set()
    for n, token in enumerate((t.strip() for t in text.split(",")), start=1):
        if token:
            # The position, never the key itself: error messages end up in logs.
            check_token_shape(token, f"TOCSIN_INGEST_API_KEYS, key {n}")
            digests.add(digest(token))
    return frozenset(digests)


def parse_key_file(text: str, source: str) -> frozenset[bytes]:
    """The digests of a key file's lines; ``KeyConfigError`` names the first bad line."""
    digests = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.fullmatch(line)
        if match is None:
            # The line is not quoted: it may well be a plaintext key pasted by mistake.
            raise KeyConfigError(
                f"{source}, line {number}: expected 'sha256:<64 hex digits>' and an optional "
                "label; a plaintext key does not belong in this file (store its hash, "
                "made by `tocsin keys hash`)"
            )
        digests.add(bytes.fromhex(match["hex"]))
    return frozenset(digests)


@dataclass(frozen=True, slots=True)
class _Stamp:
    """What tells that a file changed: replaced (inode), rewritten (mtime) or resized."""

    inode: int
    mtime_ns: int
    size: int

    @classmethod
    def of(cls, path: Path) -> _Stamp:
        st = path.stat()
        return cls(st.st_ino, st.st_mtime_ns, st.st_size)


class KeyFile:
    """The digests of a key file, read again when the file changes.

    The file is looked at (one ``stat``) at most every ``recheck_s`` seconds, so keys
    can be added and removed while the service runs. A file that becomes unreadable
    or invalid lets no key in until it is fixed: failing closed means that an edit
    meant to revoke a key can never leave that key working by accident.
    """

    def __init__(
        self,
        path: Path,
        *,
        recheck_s: float = RECHECK_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = path
        self._recheck_s = recheck_s
        self._clock = clock
        self._stamp = _Stamp.of(path) if path.exists() else None
        self.digests = self._read()  # at start, a bad file is an error, not an empty set
        self._checked_at = clock()

    def _read(self) -> frozenset[bytes]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise KeyConfigError(f"cannot read the API key file {self.path}: {exc}") from exc
        return parse_key_file(text, str(self.path))

    def current(self) -> frozenset[bytes]:
        """The digests in force now, re-reading the file if it changed since last time."""
        now = self._clock()
        if now - self._checked_at < self._recheck_s:
            return self.digests
        self._checked_at = now
        try:
            stamp = _Stamp.of(self.path)
        except OSError:
            stamp = None
        if stamp != self._stamp:
            self._stamp = stamp
            self._reload()
        return self.digests

    def _reload(self) -> None:
        try:
            self.digests = self._read()
        except KeyConfigError as exc:
            self.digests = frozenset()
            log.error("no key from the API key file is accepted until it is fixed: %s", exc)
        else:
            log.info("API key file %s reloaded: %d keys", self.path, len(self.digests))


class KeyRing:
    """Every API key accepted right now: fixed ones (from the environment) and a key file.

    Several keys are accepted at once, so a key can be rotated: add the new one,
    move clients over, then remove the old one.
    """

    def __init__(self, fixed: Iterable[bytes] = (), key_file: KeyFile | None = None) -> None:
        self._fixed = frozenset(fixed)
        self._file = key_file

    def digests(self) -> frozenset[bytes]:
        """The digests of every key accepted now."""
        if self._file is None:
            return self._fixed
        return self._fixed | self._file.current()

    def accepts(self, token: str) -> bool:
        """Whether ``token`` is one of the keys, in time independent of which one matched.

        The presented key is compared with every stored digest, without stopping at a
        match, and each comparison runs in constant time.
        """
        presented = digest(token)
        matched = False
        for stored in self.digests():
            matched |= hmac.compare_digest(presented, stored)
        return matched

    def describe(self) -> str:
        """Where the keys come from, for the start-up log (never the keys themselves)."""
        parts = [f"{len(self._fixed)} from TOCSIN_INGEST_API_KEYS"] if self._fixed else []
        if self._file:
            parts.append(f"{len(self._file.digests)} from {self._file.path}")
        return ", ".join(parts)


def load_key_ring(env_keys: str | None, key_file: Path | None) -> KeyRing | None:
    """The key ring configured by the settings, or None when no key is configured at all.

    Raises ``KeyConfigError`` when a configured key or the key file is unusable.
    A key file that exists but holds no key is a ring that accepts nothing (not an
    open service): emptying the file revokes every key it held.
    """
    fixed = parse_env_keys(env_keys) if env_keys else frozenset()
    if key_file is None:
        return KeyRing(fixed) if fixed else None
    if not key_file.is_file():
        raise KeyConfigError(f"the API key file {key_file} does not exist or is not a file")
    _warn_if_writable_by_others(key_file)
    return KeyRing(fixed, KeyFile(key_file))


def _warn_if_writable_by_others(path: Path) -> None:
    # Hashes are not secret, but whoever can write the file can let themselves in.
    if path.stat().st_mode & 0o002:
        log.warning("the API key file %s is writable by every user", path)
