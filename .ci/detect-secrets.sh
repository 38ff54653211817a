#!/usr/bin/env bash
# Installs Yelp's detect-secrets (PyPI) in a virtualenv and prints the path of its
# executable: the redaction oracle test (crates/sk/tests/it/redaction_oracle.rs) runs it
# over a dump of everything sk stored when SK_DETECT_SECRETS names it. Used by .ci/run as
#   SK_DETECT_SECRETS=$(.ci/detect-secrets.sh); export SK_DETECT_SECRETS
# Fails loudly (non-zero, message on stderr) when the install fails: the check is required
# in CI, not optional. Reuses an existing venv holding the pinned version.
set -euo pipefail

venv=${SK_CI_VENV:-/tmp/sk-ci-venv}
version=1.5.0
exe="$venv/bin/detect-secrets"

if [ ! -x "$exe" ] || [ "$("$exe" --version 2>/dev/null)" != "$version" ]; then
    python3 -m venv "$venv" >&2 || {
        echo "detect-secrets: could not create a Python venv at $venv (python3 -m venv)" >&2
        exit 1
    }
    "$venv/bin/pip" install -q --disable-pip-version-check "detect-secrets==$version" >&2 || {
        echo "detect-secrets: pip install detect-secrets==$version failed" >&2
        exit 1
    }
fi
found=$("$exe" --version)
if [ "$found" != "$version" ]; then
    echo "detect-secrets: expected version $version, $exe says '$found'" >&2
    exit 1
fi
echo "detect-secrets $found in $venv" >&2
echo "$exe"
