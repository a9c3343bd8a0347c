#!/usr/bin/env bash
# Set up ion7400-hmi on a fresh Debian/Ubuntu machine: system libraries Qt needs, a CJK font,
# Xvfb for the window tests, then the virtual environment .venv with the pinned dependencies.
# Idempotent: run it as often as you like; it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

debian_packages=(
    # Qt runtime (offscreen and xcb platforms)
    libegl1 libgl1 libfontconfig1 libxkbcommon0 libdbus-1-3 libglib2.0-0
    libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxkbcommon-x11-0
    # the TFT's fonts: DejaVu Sans (Latin, Cyrillic; golden images are drawn with it) and
    # WenQuanYi Micro Hei (Chinese)
    fontconfig fonts-dejavu-core fonts-wqy-microhei
    # a virtual screen for window tests and screenshots
    xvfb xauth
)

if command -v dpkg-query >/dev/null 2>&1; then
    missing=()
    for p in "${debian_packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        echo "setup: installing Debian packages: ${missing[*]}" >&2
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
else
    echo "setup: not a Debian-like system; install the Qt runtime libraries yourself" >&2
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
# Reinstall only when the pins or the project metadata changed since the last run.
stamp=.venv/.ion7400-setup-stamp
want=$(cat constraints.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    log=$(mktemp)
    if ! { .venv/bin/python -m pip install -q --upgrade pip &&
           .venv/bin/python -m pip install -q -c constraints.txt -e '.[dev]'; } >"$log" 2>&1; then
        cat "$log" >&2
        echo "setup: installing the Python packages failed (see above)" >&2
        exit 1
    fi
    rm -f "$log"
    echo "$want" > "$stamp"
fi
