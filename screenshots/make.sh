#!/bin/sh
# Screenshots of the real program: vpcx --demo runs in tmux (a private server
# on its own socket), is driven with send-keys, captured with colours
# (capture-pane -e) and rendered to PNG by ansi2png.py (Debian's python3-pil
# and fonts-dejavu-core, installed here when missing). The metrics shot needs
# CloudWatch, which the demo has not: vpcx runs against a moto server started
# here (tests/tools/motoctl.py, stopped by its pid) and seeded by
# tests/tools/seed_metrics.py, with the python3 on PATH that has moto and boto3.
#   screenshots/make.sh [path/to/vpcx]     (default: build/vpcx)
#   SHOTS="metrics" screenshots/make.sh    (only these: demo, metrics)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(dirname "$HERE")
BIN=${1:-$SRC/build/vpcx}
COLS=120
ROWS=36
SOCKET=vpcx-shots-$$
PY=/usr/bin/python3

[ -x "$BIN" ] || { echo "no vpcx binary at $BIN (build it, or pass its path)" >&2; exit 1; }
need=""
command -v tmux >/dev/null || need="$need tmux"
$PY -c 'import PIL' 2>/dev/null || need="$need python3-pil"
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf ] || need="$need fonts-dejavu-core"
if [ -n "$need" ]; then
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get install -y $need
fi

WORK=$(mktemp -d)
cleanup() {
    tmux -L "$SOCKET" kill-server 2>/dev/null || true
    [ -f "$WORK/moto.pid" ] && python3 "$SRC/tests/tools/motoctl.py" stop --pidfile "$WORK/moto.pid"
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

t() { tmux -L "$SOCKET" -f /dev/null "$@"; }

# Starts vpcx with extra arguments in a fresh session of the fixed size.
start() {
    t kill-session -t shot 2>/dev/null || true
    t new-session -d -s shot -x "$COLS" -y "$ROWS" \
        "env HOME=$WORK XDG_CONFIG_HOME=$WORK/cfg XDG_CACHE_HOME=$WORK/cache LC_ALL=C.UTF-8 \
TERM=xterm-256color VPCX_THEMES_DIR=$SRC/themes $BIN --demo $*; sleep 60"
    settle
}

# Waits until the screen stops changing.
settle() {
    prev=""
    for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
        sleep 0.2
        cur=$(t capture-pane -p -t shot)
        [ -n "$cur" ] && [ "$cur" = "$prev" ] && return 0
        prev=$cur
    done
}

keys() {
    for k in "$@"; do
        t send-keys -t shot "$k"
    done
    settle
}

shot() { # name [light]
    t capture-pane -e -p -t shot > "$WORK/$1.ansi"
    $PY "$HERE/ansi2png.py" "$WORK/$1.ansi" "$HERE/$1.png" "$COLS" "$ROWS" ${2:-}
    echo "wrote screenshots/$1.png"
}

want() { [ -z "${SHOTS:-}" ] || case " $SHOTS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# Starts vpcx against url (moto) instead of the demo.
start_live() { # url
    t kill-session -t shot 2>/dev/null || true
    t new-session -d -s shot -x "$COLS" -y "$ROWS" \
        "env HOME=$WORK XDG_CONFIG_HOME=$WORK/cfg XDG_CACHE_HOME=$WORK/cache LC_ALL=C.UTF-8 \
TERM=xterm-256color VPCX_THEMES_DIR=$SRC/themes AWS_ACCESS_KEY_ID=testing \
AWS_SECRET_ACCESS_KEY=testing AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
AWS_EC2_METADATA_DISABLED=true $BIN --endpoint-url $1 --region us-east-1 --no-cache; sleep 60"
    settle
}

if want demo; then
start
keys :vpc-a544ff1e02cee8941 Enter
shot tree
keys :vpce-cd4e6989a506452aa Enter Tab
shot detail
keys :vpc-a544ff1e02cee8941 Enter m
shot matrix
keys q :vpce-4715873ba1fc0c37f Enter p
shot policy
keys d
shot policy-diff
keys q ?
shot help
start --theme light
keys :vpc-a544ff1e02cee8941 Enter
shot light light
start
keys :vpce-cd4e6989a506452aa Enter :sg Enter
shot security-groups
keys q :subnet-ccabbfb4a7ed286b0 Enter :acl Enter
shot nacl
keys q !
shot findings
# The smallest terminal the explorer is made for: the single-AZ endpoint's findings.
COLS=80
ROWS=24
start
keys :vpce-11cbb5606ad9a5d72 Enter Tab
shot narrow-80x24
COLS=120
ROWS=36
fi

if want metrics; then
    URL=$(python3 "$SRC/tests/tools/motoctl.py" start --pidfile "$WORK/moto.pid")
    IDS=$(python3 "$SRC/tests/tools/seed_metrics.py" "$URL")
    EP=$(printf '%s' "$IDS" | python3 -c 'import json,sys; print(json.load(sys.stdin)["endpoint"])')
    # Wider and taller than the others: the whole detail with full-width sparklines.
    COLS=200
    ROWS=60
    start_live "$URL"
    sleep 2
    keys ":$EP" Enter Tab
    sleep 2
    settle
    shot metrics
fi
