"""Fetch Kafka's jars from Maven Central once and cache them by version."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import re
import shutil
import subprocess
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from tocsin.localbroker.errors import ArtifactFetchError

log = logging.getLogger(__name__)

CACHE_ENV = "TOCSIN_KAFKA_CACHE"
MVN_ENV = "TOCSIN_MVN"
KAFKA_MAIN = "kafka.Kafka"
STORAGE_TOOL = "kafka.tools.StorageTool"
DEFAULT_FETCH_TIMEOUT = 900.0

_MARKER = ".complete"
_REQUIRED_JAR_PREFIXES = ("log4j-core-", "log4j-slf4j2-impl-", "slf4j-api-2.")


def pom_text() -> str:
    """Return the pom that pins the broker's classpath, as shipped inside this package."""
    return resources.files("tocsin.localbroker").joinpath("pom.xml").read_text(encoding="utf-8")


def kafka_version(pom: str | None = None) -> str:
    """Return the Kafka version pinned in the pom."""
    text = pom_text() if pom is None else pom
    match = re.search(r"<kafka\.version>\s*([^<\s]+)\s*</kafka\.version>", text)
    if match is None:
        raise ArtifactFetchError("the packaged pom.xml names no <kafka.version>; reinstall tocsin")
    return match.group(1)


def default_cache_dir(version: str | None = None) -> Path:
    """Return where the jars are cached: $TOCSIN_KAFKA_CACHE, else ~/.cache/tocsin/kafka-VERSION."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser().absolute()
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return (base / "tocsin" / f"kafka-{version or kafka_version()}").absolute()


@dataclass(frozen=True)
class KafkaJars:
    """A complete, verified set of jars for one Kafka version."""

    version: str
    lib_dir: Path

    @property
    def classpath(self) -> str:
        """Return a classpath that java expands to every jar in the folder."""
        return str(self.lib_dir / "*")


def cached_jars(cache_dir: Path | None = None) -> KafkaJars | None:
    """Return the cached jars if a finished fetch of the current pom is there, else None."""
    pom = pom_text()
    root = cache_dir or default_cache_dir(kafka_version(pom))
    marker = root / _MARKER
    lib = root / "lib"
    # The marker is written last and names the pom it was made from, so a download
    # that was interrupted, or one made for another pom, is never taken as complete.
    if lib.is_dir() and marker.is_file() and marker.read_text().strip() == _digest(pom):
        return KafkaJars(kafka_version(pom), lib)
    return None


def ensure_jars(
    cache_dir: Path | None = None,
    *,
    java: str | None = None,
    timeout: float = DEFAULT_FETCH_TIMEOUT,
) -> KafkaJars:
    """Return the cached jars, fetching them with Maven first if they are missing."""
    found = cached_jars(cache_dir)
    if found is not None:
        return found
    pom = pom_text()
    version = kafka_version(pom)
    root = cache_dir or default_cache_dir(version)
    root.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    with _exclusive(root / ".lock", deadline):
        # Another process may have finished the same fetch while this one waited.
        found = cached_jars(root)
        if found is not None:
            return found
        _fetch(root, pom, version, java, deadline)
        return KafkaJars(version, root / "lib")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@contextlib.contextmanager
def _exclusive(lock_path: Path, deadline: float) -> Iterator[None]:
    """Hold an exclusive lock on a file so two processes never fetch into one folder."""
    with lock_path.open("a") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise ArtifactFetchError(
                        f"timed out waiting for another fetch holding {lock_path}; "
                        "if no other tocsin process is running, delete that file and retry"
                    ) from None
                time.sleep(0.5)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _find_mvn() -> str:
    mvn = os.environ.get(MVN_ENV) or shutil.which("mvn")
    if mvn is None or shutil.which(mvn) is None:
        raise ArtifactFetchError(
            "Maven is needed once to fetch Kafka's jars: install it (apt-get install maven) "
            f"or set {MVN_ENV} to the mvn executable"
        )
    return mvn


def _fetch(root: Path, pom: str, version: str, java: str | None, deadline: float) -> None:
    """Download the jars into a scratch folder, verify them, then move them into place."""
    mvn = _find_mvn()
    lib = root / "lib"
    partial = root / "lib.partial"
    (root / _MARKER).unlink(missing_ok=True)
    for stale in (lib, partial):
        shutil.rmtree(stale, ignore_errors=True)
    pom_path = root / "pom.xml"
    pom_path.write_text(pom, encoding="utf-8")
    env = dict(os.environ)
    if java is not None:
        # Maven must run on the same, already checked, Java as the broker.
        env["JAVA_HOME"] = str(Path(java).resolve().parents[1])
    command = [
        mvn,
        "-q",
        "-B",
        "-f",
        str(pom_path),
        "dependency:copy-dependencies",
        f"-DoutputDirectory={partial}",
        "-DincludeScope=runtime",
    ]
    log.info("fetching Kafka %s jars from Maven Central into %s (once)", version, root)
    started = time.monotonic()
    try:
        done = subprocess.run(  # noqa: S603 - fixed arguments, mvn from PATH or the user's env
            command,
            capture_output=True,
            text=True,
            timeout=max(1.0, deadline - time.monotonic()),
            env=env,
            cwd=root,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ArtifactFetchError(
            f"fetching Kafka {version} with Maven took longer than allowed; check access to "
            "Maven Central and retry (what was downloaded stays in ~/.m2)"
        ) from exc
    except OSError as exc:
        raise ArtifactFetchError(f"could not run {mvn}: {exc}") from exc
    if done.returncode != 0:
        output = (done.stdout + done.stderr).strip().splitlines()
        tail = "\n".join(output[-25:])
        raise ArtifactFetchError(
            f"Maven could not fetch Kafka {version} (exit code {done.returncode}); check access "
            f"to Maven Central and retry. Command: {' '.join(command)}\n{tail}"
        )
    _verify(partial, version)
    partial.rename(lib)
    marker_tmp = root / f"{_MARKER}.tmp"
    marker_tmp.write_text(_digest(pom) + "\n")
    marker_tmp.replace(root / _MARKER)
    log.info("fetched Kafka %s jars in %.1f s", version, time.monotonic() - started)


def _verify(lib: Path, version: str) -> None:
    """Check that the download holds the broker, the storage tool and a logging backend."""
    names = sorted(p.name for p in lib.glob("*.jar"))
    missing = [
        prefix for prefix in _REQUIRED_JAR_PREFIXES if not any(n.startswith(prefix) for n in names)
    ]
    core = lib / f"kafka_2.13-{version}.jar"
    if not core.is_file():
        missing.append(core.name)
    if missing:
        raise ArtifactFetchError(
            f"the Kafka {version} download in {lib} lacks {', '.join(missing)}; "
            "check the packaged pom.xml"
        )
    with zipfile.ZipFile(core) as jar:
        entries = set(jar.namelist())
    for main_class in (KAFKA_MAIN, STORAGE_TOOL):
        if main_class.replace(".", "/") + ".class" not in entries:
            raise ArtifactFetchError(
                f"{core.name} has no {main_class}; "
                "the pinned Kafka version does not fit tocsin.localbroker"
            )
