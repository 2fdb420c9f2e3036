#!/usr/bin/env bash
# Regenerates data/demo.json, the demo inventory compiled into vpcx: a moto
# account seeded by tests/tools/seed_account.py (small mode), dumped by vpcx
# itself so the demo is exactly what the real parser produces. Only Metadata
# is rewritten, to name the demo instead of a loopback port.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
ninja -C "$build" vpcx >/dev/null
tmp=$(mktemp -d)
trap 'python3 tests/tools/motoctl.py stop --pidfile "$tmp/moto.pid" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
url=$(python3 tests/tools/motoctl.py start --pidfile "$tmp/moto.pid" --seed 7)
export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo AWS_CONFIG_FILE=/dev/null \
    AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_SESSION_TOKEN
python3 tests/tools/seed_account.py --endpoint-url "$url" --mode small --moto-seed 7 >/dev/null
"$build/vpcx" dump --region us-east-1 --endpoint-url "$url" --compact -o "$tmp/raw.json"
python3 - "$tmp/raw.json" data/demo.json <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
doc.pop("Derived", None)  # recomputed on load
doc["Metadata"].update({
    "Endpoint": "https://ec2.us-east-1.amazonaws.com",
    "Profile": "demo",
    "Source": "demo",
    "FetchedAt": "2026-11-26T09:00:00Z",
})
with open(sys.argv[2], "w") as out:
    json.dump(doc, out, indent=1, ensure_ascii=False)
    out.write("\n")
PY
echo "wrote data/demo.json ($(wc -c < data/demo.json) bytes)"
