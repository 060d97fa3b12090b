#!/usr/bin/env bash
# Create .venv and install Tocsin with its development tools, from this repo's own files.
# Idempotent and quick when nothing changed (pip's own cache does the rest).
#
# The install compiles the extraction core with mypyc (setup.py) into C extensions
# that sit beside their .py files, and Python imports the compiled module first. So
# the install is redone whenever one of their sources changes: a stale extension would
# silently run the old code. TOCSIN_COMPILE=0 installs it uncompiled (no C compiler
# needed; extraction about half as fast).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "bootstrap: Python 3.11+ is required (found: $("$PYTHON" --version 2>&1))" >&2
    exit 2
fi
if [ ! -x .venv/bin/python ]; then
    echo "bootstrap: creating .venv"
    "$PYTHON" -m venv .venv
fi

case "${TOCSIN_COMPILE:-1}" in
    0 | false | no | off) mode=interpreted ;;
    *) mode=compiled ;;
esac
stamp=.venv/.tocsin-installed
reason=""
if [ ! -f "$stamp" ]; then
    reason="first install"
elif [ "$(cat "$stamp")" != "$mode" ]; then
    reason="extraction was $(cat "$stamp"), now $mode"
elif [ pyproject.toml -nt "$stamp" ] || [ setup.py -nt "$stamp" ]; then
    reason="pyproject.toml or setup.py changed"
elif [ -n "$(find services/tocsin/extraction services/tocsin/contract/ids.py -name '*.py' \
    -newer "$stamp" -print -quit)" ]; then
    reason="sources of compiled modules changed"
fi

if [ -n "$reason" ]; then
    echo "bootstrap: installing tocsin ($mode extraction) and its dependencies into .venv ($reason)"
    # Extensions of an earlier build would shadow the sources of an interpreted one.
    rm -f services/tocsin/extraction/*.so services/tocsin/contract/ids.*.so \
        services/tocsin_extraction__mypyc*.so
    .venv/bin/python -m pip install --quiet --upgrade pip
    if [ "$mode" = compiled ]; then
        if ! command -v "${CC:-cc}" >/dev/null 2>&1; then
            echo "bootstrap: no C compiler (${CC:-cc}) to compile the extraction core:" \
                "install one (Debian: apt-get install gcc), or set TOCSIN_COMPILE=0" >&2
            exit 2
        fi
        echo "bootstrap: compiling the extraction core with mypyc (about a minute)"
    fi
    TOCSIN_COMPILE=$([ "$mode" = compiled ] && echo 1 || echo 0) \
        .venv/bin/python -m pip install --quiet -e '.[dev]'
    echo "$mode" >"$stamp"
fi
