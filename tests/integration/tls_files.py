"""A throwaway certificate authority and broker certificate, made with openssl for one test run."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest


@dataclass(frozen=True)
class TlsFiles:
    """The CA certificate clients trust, and the broker's PKCS12 keystore signed by that CA."""

    cafile: Path
    keystore: Path
    keystore_password: str = field(repr=False)


def make_tls_files(folder: Path) -> TlsFiles:
    """Create a CA and a certificate for 127.0.0.1 and localhost in ``folder``.

    Skips the calling test when openssl is not installed: TLS is then simply not
    exercised against a broker, which the skip reason says.
    """
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: SASL_SSL is not tested against a broker")
    folder.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(16)
    ca_key, ca_pem = folder / "ca.key", folder / "ca.pem"
    key, csr, pem = folder / "broker.key", folder / "broker.csr", folder / "broker.pem"
    keystore = folder / "broker.p12"
    extensions = folder / "broker.ext"
    extensions.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    _openssl("req", "-x509", *ec, "-keyout", ca_key, "-out", ca_pem, "-days", "2",
             "-subj", "/CN=Tocsin test CA", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign")  # fmt: skip
    _openssl("req", "-new", *ec, "-keyout", key, "-out", csr, "-subj", "/CN=localhost")
    _openssl("x509", "-req", "-in", csr, "-CA", ca_pem, "-CAkey", ca_key, "-CAcreateserial",
             "-days", "2", "-out", pem, "-extfile", extensions)  # fmt: skip
    _openssl("pkcs12", "-export", "-in", pem, "-inkey", key, "-certfile", ca_pem,
             "-out", keystore, "-passout", "env:TLS_KEYSTORE_PASSWORD",
             env={"TLS_KEYSTORE_PASSWORD": password})  # fmt: skip
    return TlsFiles(ca_pem, keystore, password)


def _openssl(*args: str | Path, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(
        ["openssl", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ | (env or {}),
        timeout=60,
    )
    assert done.returncode == 0, f"openssl {args[0]} failed: {done.stderr}"
