"""Container health check of a Tocsin service: exit 0 when its /healthz answers 200.

One image runs either service, and a HEALTHCHECK cannot tell which one it was started
as. A container runs one service, so only one of the two ports accepts connections:
the check asks the ingest port, then the aggregator port (TOCSIN_INGEST_PORT and
TOCSIN_AGGREGATOR_PORT, 8080 and 8081 by default), and the first that answers
decides. When TOCSIN_INGEST_OPS_PORT is set, the ingest service answers /healthz
only there (404 on its main port), so that port is asked instead of the ingest port.
A refused connection means "not this service"; any other failure, or a
status other than 200 (the aggregator answers 503 once its consumer loop has
failed), means unhealthy. Standard library only: the slim image has no curl.
"""

from __future__ import annotations

import http.client
import os
import sys

_TIMEOUT_S = 3.0


def _status(port: int) -> int | None:
    """/healthz status on ``port``, or None when nothing listens there."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=_TIMEOUT_S)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status
    except ConnectionRefusedError:
        return None
    finally:
        connection.close()


def main() -> int:
    """Check the service listening in this container."""
    ingest = os.environ.get("TOCSIN_INGEST_OPS_PORT") or os.environ.get("TOCSIN_INGEST_PORT")
    ports = (int(ingest or 8080), int(os.environ.get("TOCSIN_AGGREGATOR_PORT") or 8081))
    for port in ports:
        try:
            status = _status(port)
        except (OSError, http.client.HTTPException) as exc:
            print(f"healthcheck: port {port}: {exc}", file=sys.stderr)
            return 1
        if status is not None:
            if status == 200:
                return 0
            print(f"healthcheck: port {port}: /healthz answered {status}", file=sys.stderr)
            return 1
    print(f"healthcheck: no service listens on port {ports[0]} or {ports[1]}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
