"""Where the stack keeps everything: one data directory, absolute so children agree."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class StackLayout:
    """The folders and files of one stack under ``data_dir``.

    The broker and the services use the same sub-folders as ``tocsin kafka`` and
    ``tocsin serve`` do by default, so ``tocsin kafka status --data-dir
    .tocsin/kafka`` and friends see the stack that ``tocsin up`` started.
    """

    data_dir: Path

    @classmethod
    def at(cls, data_dir: Path | str) -> StackLayout:
        """The layout of ``data_dir``, made absolute (children run with other cwds in mind)."""
        return cls(Path(data_dir).expanduser().resolve())

    @property
    def kafka_dir(self) -> Path:
        """The local broker's data directory."""
        return self.data_dir / "kafka"

    @property
    def ingest_state(self) -> Path:
        """The ingest service's recent-articles index."""
        return self.data_dir / "ingest"

    @property
    def aggregator_state(self) -> Path:
        """The aggregator's SQLite state."""
        return self.data_dir / "aggregator"

    @property
    def logs_dir(self) -> Path:
        """Where each service's output goes, one ``NAME.log`` per service."""
        return self.data_dir / "logs"

    def log_file(self, name: str) -> Path:
        """The log file of the service ``name``."""
        return self.logs_dir / f"{name}.log"

    @property
    def lock_file(self) -> Path:
        """Locked by the running ``tocsin up``, so two never share a data directory."""
        return self.data_dir / "up.lock"

    @property
    def record_file(self) -> Path:
        """What the running ``tocsin up`` started: found again if it was killed."""
        return self.data_dir / "up.json"
