#!/usr/bin/env bash
# RAI Chat's one entry point on a fresh machine.
#   bash rai.sh start   install everything (idempotent) and start the whole system
#   bash rai.sh test    install everything, including test tools, and run every test
#   bash rai.sh install install only
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
step() { printf '\n==> %s\n' "$*"; }

# llama.cpp is compiled for any CPU of this architecture, not for this one (-march=native):
# a native build may use instructions (AMX, AVX-512) that crash the engine on its first
# prompt under some hypervisors. CMAKE_ARGS set by the user (e.g. -DGGML_CUDA=on) wins.
LLAMA_CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF}"
LLAMA_PIN=$(grep -o '"llama-cpp-python==[^"]*"' pyproject.toml | tr -d '"')
LLAMA_KEY=$(printf '%s' "$LLAMA_PIN $LLAMA_CMAKE_ARGS" | sha256sum | cut -c1-12)
LLAMA_WHEELS="${XDG_CACHE_HOME:-$HOME/.cache}/rai-chat/llama-wheels/$LLAMA_KEY"

install_llama() {
  # pip's own cache keys a compiled wheel by version only, not by the build flags: the wheel
  # is built once per machine into a folder named after the version and the flags.
  if ! ls "$LLAMA_WHEELS"/llama_cpp_python-*.whl >/dev/null 2>&1; then
    step "Compiling llama.cpp ($LLAMA_PIN, $LLAMA_CMAKE_ARGS): about 10 minutes, once per machine"
    rm -rf "$LLAMA_WHEELS.partial"
    CMAKE_ARGS="$LLAMA_CMAKE_ARGS" "$PY" -m pip wheel --no-cache-dir --no-deps \
      --progress-bar off "$LLAMA_PIN" -w "$LLAMA_WHEELS.partial"
    mv "$LLAMA_WHEELS.partial" "$LLAMA_WHEELS"
  fi
  "$PY" -m pip install --quiet --no-deps --force-reinstall "$LLAMA_WHEELS"/llama_cpp_python-*.whl
}

install_python() {
  local extras="$1"
  if [ ! -x "$PY" ]; then
    step "Creating the virtual environment in .venv"
    python3 -m venv "$VENV"
  fi
  local stamp="$VENV/.installed-$extras"
  local want
  want=$( (cat pyproject.toml; echo "$LLAMA_KEY") | sha256sum | cut -c1-16)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "Python packages are up to date."
  else
    step "Installing Python packages"
    "$PY" -m pip install --upgrade --quiet "pip>=24"
    install_llama
    "$PY" -m pip install --progress-bar off -e ".[$extras]"
    echo "$want" > "$stamp"
  fi
  if [ -f llm_Engine/install.py ]; then
    step "Preparing the local model and the embedding model"
    "$PY" -m llm_Engine.install
  fi
}

install_frontend() {
  if [ -f RAI_Chat/frontend/package-lock.json ]; then
    step "Building the web page (npm ci && npm run build)"
    (cd RAI_Chat/frontend && npm ci --no-audit --no-fund --loglevel=error && npm run build)
  fi
}

install_browser() {
  if [ -f RAI_Chat/frontend/playwright.config.ts ] && [ ! -x /usr/bin/chromium ]; then
    step "Installing Debian's chromium for the browser tests"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
  fi
}

cmd="${1:-start}"
shift || true
case "$cmd" in
  install)
    install_python dev
    install_frontend
    ;;
  start)
    install_python dev
    install_frontend
    step "Starting RAI Chat"
    if [ -f RAI_Chat/scripts/launch_app.py ]; then
      exec "$PY" RAI_Chat/scripts/launch_app.py "$@"
    fi
    exec "$PY" -m RAI_Chat.backend.wsgi "$@"
    ;;
  test)
    install_python dev
    install_frontend
    install_browser
    step "Lint (ruff) and import contracts (import-linter: layers, no cycles)"
    "$VENV/bin/ruff" check .
    "$VENV/bin/ruff" format --check .
    "$VENV/bin/lint-imports"
    step "Python tests (SQLite and PostgreSQL)"
    "$PY" -m pytest "$@"
    if [ -f RAI_Chat/frontend/package-lock.json ]; then
      step "Web page tests (Vitest)"
      (cd RAI_Chat/frontend && npm test)
      step "Browser tests (Playwright in Debian's chromium, against the real API and engine)"
      (cd RAI_Chat/frontend && npm run e2e)
    fi
    ;;
  *)
    echo "usage: bash rai.sh [start|test|install]" >&2
    exit 2
    ;;
esac
