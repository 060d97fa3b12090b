"""Give the client's login SCRAM credentials on a running local broker.

SCRAM credentials live in the cluster metadata, not in ``server.properties``.
They could be added when the log dir is formatted (``--add-scram``), but that
happens once per data directory and would put the password on a command line;
an AlterUserScramCredentials request after each start keeps them in step with
the stored password instead.
"""

from __future__ import annotations

import time
from typing import Any

from kafka import KafkaAdminClient
from kafka.admin import UserScramCredentialUpsertion
from kafka.errors import KafkaError

from tocsin.localbroker.errors import BrokerStartError
from tocsin.localbroker.process import local_admin
from tocsin.localbroker.security import SCRAM_MECHANISMS, Login


def add_scram_credentials(
    bootstrap: str, options: dict[str, Any], login: Login, deadline: float
) -> None:
    """Store ``login`` for every SCRAM mechanism; return once the broker knows them."""
    try:
        admin = local_admin(bootstrap, "tocsin-localbroker-scram", deadline, options)
    except KafkaError as exc:
        raise BrokerStartError(f"could not connect to add SCRAM credentials: {exc}") from exc
    try:
        # One request per mechanism: Kafka refuses two changes to one user in one request.
        for mechanism in SCRAM_MECHANISMS:
            upsert = UserScramCredentialUpsertion(login.username, mechanism, login.password)
            error = admin.alter_user_scram_credentials([upsert]).get(login.username)
            if error:
                raise BrokerStartError(f"Kafka refused the {mechanism} credentials: {error}")
        # The request returns once the controller committed them; the broker applies
        # them a moment later, and a login before that would fail.
        while not _known(admin, login.username):
            if time.monotonic() >= deadline:
                raise BrokerStartError(
                    f"Kafka did not show SCRAM credentials for {login.username!r} in time"
                )
            time.sleep(0.05)
    except KafkaError as exc:
        raise BrokerStartError(f"could not add SCRAM credentials: {exc}") from exc
    finally:
        admin.close()


def _known(admin: KafkaAdminClient, username: str) -> bool:
    described = admin.describe_user_scram_credentials([username]).get(username, {})
    known = {info["mechanism"].name for info in described.get("credential_infos", [])}
    return {m.replace("-", "_") for m in SCRAM_MECHANISMS} <= known
