#!/usr/bin/env bash
# Installs the official MCP Python SDK (`mcp` on PyPI), pinned, in a virtualenv and prints
# the path of its Python: crates/sk/tests/it/mcp.rs drives `sk mcp` with it (an independent
# client) when SK_MCP_PYTHON names it. Used by .ci/run as
#   SK_MCP_PYTHON=$(.ci/mcp-client.sh); export SK_MCP_PYTHON SK_MCP_CLIENT_REQUIRED=1
# Fails loudly (non-zero, message on stderr) when the install fails. Reuses an existing
# venv holding the pinned version.
set -euo pipefail

venv=${SK_CI_MCP_VENV:-/tmp/sk-ci-mcp-venv}
version=2.3.0
python="$venv/bin/python"

installed() { "$python" -c 'import importlib.metadata as m; print(m.version("mcp"))' 2>/dev/null; }

if [ ! -x "$python" ] || [ "$(installed)" != "$version" ]; then
    python3 -m venv "$venv" >&2 || {
        echo "mcp client: could not create a Python venv at $venv (python3 -m venv)" >&2
        exit 1
    }
    "$venv/bin/pip" install -q --disable-pip-version-check "mcp==$version" >&2 || {
        echo "mcp client: pip install mcp==$version failed" >&2
        exit 1
    }
fi
found=$(installed)
if [ "$found" != "$version" ]; then
    echo "mcp client: expected mcp $version, $venv has '$found'" >&2
    exit 1
fi
echo "mcp (Python SDK) $found in $venv" >&2
echo "$python"
