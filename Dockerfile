# syntax=docker/dockerfile:1
# One image for both Tocsin services. The default command runs the ingest service;
#   docker run IMAGE serve aggregator
# runs the aggregator. Settings are TOCSIN_* environment variables (README,
# "Configuration"); the defaults below suit a container on the compose network.

ARG PYTHON_VERSION=3.11

# --- build: a wheel of Tocsin, plus wheels of every dependency ----------------------
FROM python:${PYTHON_VERSION}-slim-bookworm AS build
WORKDIR /src
# Only what the wheel is made of: metadata (pyproject.toml names README.md as the
# long description) and the package. Copied first and alone so that edits to tests or
# docs do not invalidate this layer.
COPY pyproject.toml setup.py README.md ./
COPY services ./services
# A C compiler: setup.py compiles the extraction core with mypyc. Only this stage has
# it; the runtime stage gets the compiled modules inside the wheel.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
# `pip wheel` resolves the dependencies too, so the runtime stage installs offline
# from /wheels and never needs a compiler or the network.
RUN python -m pip wheel --no-cache-dir --wheel-dir /wheels .

# --- runtime ------------------------------------------------------------------------
FROM python:${PYTHON_VERSION}-slim-bookworm AS runtime

# The wheels are bind-mounted rather than copied, so they take no space in the image.
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    python -m pip install --no-cache-dir --no-index --find-links=/wheels tocsin

# A fixed numeric uid, so that orchestrators can verify "not root" without reading
# /etc/passwd. The state directories are created here, owned by that user: a named
# volume mounted on them starts as a copy of them, with their owner.
RUN groupadd --system --gid 10001 tocsin \
    && useradd --system --uid 10001 --gid tocsin --home-dir /var/lib/tocsin \
        --shell /usr/sbin/nologin tocsin \
    && install -d -o tocsin -g tocsin -m 0750 \
        /var/lib/tocsin /var/lib/tocsin/ingest /var/lib/tocsin/aggregator

COPY deploy/docker/healthcheck.py /opt/tocsin/healthcheck.py

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TOCSIN_KAFKA_BOOTSTRAP=kafka:9092 \
    TOCSIN_INGEST_HOST=0.0.0.0 \
    TOCSIN_INGEST_PORT=8080 \
    TOCSIN_INGEST_STATE_DIR=/var/lib/tocsin/ingest \
    TOCSIN_AGGREGATOR_HOST=0.0.0.0 \
    TOCSIN_AGGREGATOR_PORT=8081 \
    TOCSIN_AGGREGATOR_STATE_DIR=/var/lib/tocsin/aggregator \
    TOCSIN_LOG_LEVEL=INFO

USER 10001:10001
WORKDIR /var/lib/tocsin
EXPOSE 8080 8081

# Works for either service (see the script). A one-off command such as `tocsin tail`
# serves nothing and shows as unhealthy: run it with --no-healthcheck.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "/opt/tocsin/healthcheck.py"]

ENTRYPOINT ["tocsin"]
CMD ["serve", "ingest", "--host", "0.0.0.0"]
