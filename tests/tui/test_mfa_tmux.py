#!/usr/bin/env python3
"""An assume-role profile with mfa_serial asks for the code on the terminal before anything
else: `vpcx whoami --profile mfa` in tmux against moto shows the prompt naming the MFA
device, takes the typed code and answers with the assumed role. Cancelling (an empty line)
fails with a message that says so. Exit 77 (skip) when tmux or $VPCX_BIN is missing."""
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("VPCX_SRCDIR", os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(SRC, "tests", "tools"))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
import motoctl  # noqa: E402
import tmuxlib  # noqa: E402

SERIAL = "arn:aws:iam::123456789012:mfa/me"


def main():
    bin_path = os.environ.get("VPCX_BIN", "")
    if not (bin_path and os.access(bin_path, os.X_OK)) or not tmuxlib.available():
        print("SKIP: tmux or VPCX_BIN missing")
        return 77
    t = tmuxlib.Tmux("mfa")
    try:
        with motoctl.MotoServer(seed=5) as moto, tempfile.TemporaryDirectory() as home:
            config = os.path.join(home, "aws-config")
            with open(config, "w") as f:
                f.write("[profile base]\naws_access_key_id = testing\n"
                        "aws_secret_access_key = testing\n\n"
                        "[profile mfa]\nrole_arn = arn:aws:iam::123456789012:role/Oncall\n"
                        "source_profile = base\nmfa_serial = %s\n"
                        "role_session_name = oncall-mfa\n" % SERIAL)
            env = tmuxlib.clean_env(home, AWS_CONFIG_FILE=config, AWS_ACCESS_KEY_ID=None,
                                    AWS_SECRET_ACCESS_KEY=None)
            cmd = [bin_path, "whoami", "--profile", "mfa", "--endpoint-url", moto.url,
                   "--region", "us-east-1"]
            t.start("ok", 160, 30, cmd, env)
            t.wait_text("ok", "Enter MFA code for %s:" % SERIAL, timeout=30)
            t.keys("ok", "123456", "Enter")
            rc = t.wait_exit("ok", timeout=60)
            screen = t.screen("ok")
            assert rc == 0, "exit %d:\n%s" % (rc, screen)
            assert "assumed-role/Oncall/oncall-mfa" in screen, screen
            assert "assume role arn:aws:iam::123456789012:role/Oncall via profile base" in \
                screen, screen
            t.start("cancel", 160, 30, cmd, env)
            t.wait_text("cancel", "Enter MFA code", timeout=30)
            t.keys("cancel", "Enter")
            rc = t.wait_exit("cancel", timeout=60)
            screen = t.screen("cancel")
            assert rc == 3, "exit %d:\n%s" % (rc, screen)
            assert "needs an MFA code" in screen, screen
    finally:
        t.kill()
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
