#!/usr/bin/env python3
"""The modify form's policy in $EDITOR (issue item 9), in tmux: with room on disk the editor
gets the whole policy and its edit comes back into the form; when the file cannot be written
(a file size limit of 0, as a full disk would, makes fclose's flush fail) the status line says
so, the editor is not started on the truncated file, the temporary file is removed and the
policy is unchanged. Exit 77 (skip) without tmux."""
import os
import re
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tmuxlib  # noqa: E402

ENDPOINT = "vpce-c3c27dc11431791ac"  # prod-logs: the full-access policy
POLICY = '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"ssm:*","Resource":"*"}]}'
EDITOR = """#!/bin/sh
cp "$1" "%(dir)s/seen"
sed 's/ssm:\\*/ssm:Get*/' "$1" > "%(dir)s/edited" && cat "%(dir)s/edited" > "$1"
"""


def start(t, name, work, limit):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": work,
           "XDG_CONFIG_HOME": os.path.join(work, "cfg"), "LC_ALL": "C.UTF-8",
           "TERM": "screen-256color", "EDITOR": os.path.join(work, "editor"),
           "VPCX_THEMES_DIR": os.path.join(tmuxlib.SRC, "themes")}
    # The limit applies to vpcx alone; SIGXFSZ ignored, so a write fails with EFBIG.
    inner = "trap '' XFSZ; %sexec \"$0\" --demo" % ("ulimit -f 0; " if limit else "")
    t.start(name, 120, 40, ["sh", "-c", inner, tmuxlib.BIN], env)
    t.wait_text(name, "account 123456789012")
    t.keys(name, ":" + ENDPOINT, "Enter")
    t.keys(name, "e")
    t.wait_text(name, "Modify VPC endpoint")
    t.keys(name, *(["Down"] * 9))
    t.wait_text(name, "> Policy")
    t.keys(name, "Enter", "Down", "Enter")
    t.keys(name, "-l", POLICY)
    t.keys(name, "Enter")
    t.wait_text(name, ">   document        " + POLICY)
    t.keys(name, "E")


def main():
    if not tmuxlib.available():
        print("tmux not installed: skipped")
        return 77
    t = tmuxlib.Tmux("editor")
    with tempfile.TemporaryDirectory() as work:
        with open(os.path.join(work, "editor"), "w") as f:
            f.write(EDITOR % {"dir": work})
        os.chmod(os.path.join(work, "editor"), 0o755)
        try:
            # Room on disk: the editor sees the whole policy, its edit comes back.
            start(t, "ok", work, limit=False)
            s = t.wait_text("ok", "ssm:Get*")
            with open(os.path.join(work, "seen")) as f:
                seen = f.read()
            assert '"Action": "ssm:*"' in seen or '"Action":"ssm:*"' in seen, seen
            t.keys("ok", "q", "q")
            # No room: a clear error, no editor, no temporary file, the policy as it was.
            os.unlink(os.path.join(work, "seen"))
            start(t, "full", work, limit=True)
            s = t.wait_text("full", "cannot write the policy for $EDITOR")
            status = s.splitlines()[-1]
            assert "File too large" in status, status
            path = re.search(r"(/tmp/vpcx-policy-\w+)", status).group(1)
            assert not os.path.exists(path), "temporary file left: %s" % path
            assert not os.path.exists(os.path.join(work, "seen")), "the editor was started"
            assert ">   document        " + POLICY in s, s
            t.keys("full", "q", "q")
        finally:
            t.kill()
    print("ok: the policy editor gets a whole file or is not started")
    return 0


if __name__ == "__main__":
    sys.exit(main())
