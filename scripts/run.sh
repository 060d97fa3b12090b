#!/usr/bin/env bash
# The main job on a fresh machine: install, start a local Kafka broker and the ingest
# service, feed the sample article, show the events it produced and where to look.
# Ctrl-C stops the service and the broker.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
. .venv/bin/activate

DATA=${TOCSIN_DATA_DIR:-.tocsin}
PORT=${TOCSIN_INGEST_PORT:-8080}
KAFKA_PORT=${TOCSIN_LOCAL_KAFKA_PORT:-9092}
SAMPLE=../shared/corpus/seed-article.json
[ -f "$SAMPLE" ] || SAMPLE=examples/sample-article.json

export TOCSIN_KAFKA_BOOTSTRAP="127.0.0.1:$KAFKA_PORT"
export TOCSIN_INGEST_STATE_DIR="$DATA/ingest"

cleanup() {
    [ -n "${INGEST_PID:-}" ] && kill "$INGEST_PID" 2>/dev/null && wait "$INGEST_PID" 2>/dev/null
    tocsin kafka stop --data-dir "$DATA/kafka" >/dev/null 2>&1 || true
    echo "stopped."
}
trap cleanup EXIT INT TERM

tocsin kafka status --data-dir "$DATA/kafka" >/dev/null 2>&1 \
    || tocsin kafka start --data-dir "$DATA/kafka" --port "$KAFKA_PORT"
tocsin topics create

tocsin serve ingest --port "$PORT" &
INGEST_PID=$!
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
    sleep 0.3
done

echo
echo "== posting $SAMPLE"
curl -fsS -H 'Content-Type: application/json' --data-binary "@$SAMPLE" \
    "http://127.0.0.1:$PORT/v1/articles" | python -m json.tool | head -20
echo
echo "== events on the topics"
tocsin tail --from-beginning --max 200 --idle-timeout 3
cat <<TXT

Tocsin is running:
  ingest API docs   http://127.0.0.1:$PORT/docs
  ingest metrics    http://127.0.0.1:$PORT/metrics
  Kafka bootstrap   $TOCSIN_KAFKA_BOOTSTRAP   (watch events: tocsin tail)
Post more articles:  curl -H 'Content-Type: application/json' --data-binary @FILE http://127.0.0.1:$PORT/v1/articles
Press Ctrl-C to stop.
TXT
wait "$INGEST_PID"
