"""Find a Java runtime and check that it is recent enough for Kafka 4."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from tocsin.localbroker.errors import JavaNotFoundError, JavaVersionError

MIN_JAVA_MAJOR = 17
JAVA_ENV = "TOCSIN_JAVA"

_INSTALL_HINT = (
    f"Java {MIN_JAVA_MAJOR}+ is required to run Kafka: install openjdk-17-jre-headless "
    f"(apt-get install openjdk-17-jre-headless), or point {JAVA_ENV} or JAVA_HOME at one"
)
# Matches `openjdk version "17.0.15"`, `java version "1.8.0_292"` and `"21-ea"`.
_VERSION_RE = re.compile(r'version "(\d+)(?:\.(\d+))?[^"]*"')


def find_java(java: str | None = None) -> str:
    """Return the path of the java executable to use, in order: argument, env, JAVA_HOME, PATH."""
    if java is None:
        java = os.environ.get(JAVA_ENV) or None
    if java is None and os.environ.get("JAVA_HOME"):
        java = str(Path(os.environ["JAVA_HOME"]) / "bin" / "java")
    if java is None:
        found = shutil.which("java")
        if found is None:
            raise JavaNotFoundError(f"no `java` on PATH. {_INSTALL_HINT}")
        java = found
    # An explicit path is checked rather than trusted, so a typo fails here, not in Kafka.
    resolved = shutil.which(java)
    if resolved is None:
        raise JavaNotFoundError(f"{java!r} is not an executable java. {_INSTALL_HINT}")
    return str(Path(resolved).absolute())


def parse_java_major(version_output: str) -> int:
    """Return the major version named in the output of ``java -version``."""
    match = _VERSION_RE.search(version_output)
    if match is None:
        raise JavaVersionError(
            f"could not read a version from `java -version`: {version_output.strip()[:200]!r}. "
            f"{_INSTALL_HINT}"
        )
    major = int(match.group(1))
    # Java 8 and older report themselves as 1.x.
    if major == 1 and match.group(2) is not None:
        major = int(match.group(2))
    return major


def require_java(java: str | None = None) -> str:
    """Return a java executable that is at least version 17, or raise a ``JavaError``."""
    path = find_java(java)
    try:
        done = subprocess.run(  # noqa: S603 - the path comes from the user's own configuration
            [path, "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise JavaNotFoundError(f"could not run {path} -version: {exc}. {_INSTALL_HINT}") from exc
    major = parse_java_major(done.stderr + done.stdout)
    if major < MIN_JAVA_MAJOR:
        raise JavaVersionError(f"{path} is Java {major}. {_INSTALL_HINT}")
    return path
