#!/usr/bin/env python3
"""`meson install` into a temporary prefix, then every installed file checked.

A fresh build is configured with --prefix in a temporary folder (the themes
folder is compiled in from the prefix, so a --destdir copy of another build
would not show whether --theme finds them). Then: the binary runs and finds an
installed theme by name from an empty folder, VPCX_THEMES_DIR still first; the
man page renders with no warnings and lists what --help lists; the bash and zsh
completions load and complete a command, an option, a profile from a temporary
AWS config and a region.

Skips (exit 77) only when man, bash or zsh is missing: scripts/bootstrap
installs them.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

SRC = os.environ.get("VPCX_SRCDIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
THEMES = ["dark", "high-contrast", "light", "mono"]


def run(cmd, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    return subprocess.run(cmd, **kw)


class Installed(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="vpcx-install-")
        cls.prefix = os.path.join(cls.tmp.name, "prefix")
        build = os.path.join(cls.tmp.name, "build")
        for cmd in (["meson", "setup", build, SRC, "--prefix", cls.prefix,
                     "--buildtype=plain", "-Dtests=false"],
                    ["ninja", "-C", build],
                    ["meson", "install", "-C", build, "--quiet"]):
            p = run(cmd)
            if p.returncode != 0:
                raise AssertionError("%s failed:\n%s%s" % (" ".join(cmd), p.stdout, p.stderr))
        cls.bin = os.path.join(cls.prefix, "bin", "vpcx")
        cls.man = os.path.join(cls.prefix, "share", "man", "man1", "vpcx.1")
        cls.bash = os.path.join(cls.prefix, "share", "bash-completion", "completions", "vpcx")
        cls.zsh = os.path.join(cls.prefix, "share", "zsh", "site-functions", "_vpcx")
        cls.themes = os.path.join(cls.prefix, "share", "vpcx", "themes")
        home = os.path.join(cls.tmp.name, "home")
        os.makedirs(home)
        with open(os.path.join(home, "aws-config"), "w") as f:
            f.write("[default]\nregion = us-east-1\n\n[profile prod-admin]\nregion = eu-west-1\n"
                    "[ profile  spaced ]\n[sso-session corp]\nsso_region = us-east-1\n"
                    "[services local]\nec2 =\n  endpoint_url = http://127.0.0.1:1\n")
        with open(os.path.join(home, "aws-credentials"), "w") as f:
            f.write("[ci-robot]\naws_access_key_id = AKIDEXAMPLE\n")
        cls.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home,
                   "LC_ALL": "C.UTF-8", "TERM": "xterm-256color",
                   "AWS_CONFIG_FILE": os.path.join(home, "aws-config"),
                   "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "aws-credentials")}
        cls.home = home

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_each_file_is_installed(self):
        self.assertTrue(os.access(self.bin, os.X_OK), self.bin)
        for path in (self.man, self.bash, self.zsh):
            self.assertTrue(os.path.isfile(path), path)
            self.assertGreater(os.path.getsize(path), 0, path)
        self.assertEqual(sorted(os.listdir(self.themes)), [t + ".theme" for t in THEMES])
        for t in THEMES:
            with open(os.path.join(SRC, "themes", t + ".theme")) as a, \
                    open(os.path.join(self.themes, t + ".theme")) as b:
                self.assertEqual(a.read(), b.read(), t)
        p = run([self.bin, "--version"], env=self.env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"^vpcx \d+\.\d+\.\d+\n$")

    def explore(self, theme, **env):
        keys = os.path.join(self.home, "quit.keys")
        with open(keys, "w") as f:
            f.write("q\n")
        e = dict(self.env, **env)
        # From an empty folder: no ./themes to fall back on.
        return run([self.bin, "--demo", "--theme", theme, "--headless", "80x24", "--keys", keys],
                   env=e, cwd=self.home)

    def test_theme_found_by_name_in_the_installed_folder(self):
        for t in THEMES:
            p = self.explore(t)
            self.assertEqual(p.returncode, 0, "%s: %s" % (t, p.stderr))
        p = self.explore("nosuch")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(self.themes, p.stderr)

    def test_vpcx_themes_dir_still_comes_first(self):
        mine = os.path.join(self.home, "mythemes")
        os.makedirs(mine, exist_ok=True)
        with open(os.path.join(mine, "light.theme"), "w") as f:
            f.write("warn = nosuchcolour default\n")
        p = self.explore("light", VPCX_THEMES_DIR=mine)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("nosuchcolour", p.stderr)

    def help_terms(self):
        """Every option (-o, --output) in `vpcx --help`."""
        out = run([self.bin, "--help"], env=self.env).stdout
        return out, sorted(set(re.findall(r"(?m)^  (?:-\w, )?(--[\w-]+)", out)) |
                           set(re.findall(r"(?m)^  (-\w),", out)) |
                           set(re.findall(r"(?m)^  --[\w-]+, (--[\w-]+)", out)))

    def test_man_page_renders_without_warnings(self):
        if not shutil.which("man"):
            self.skipTest("man is not installed (scripts/bootstrap installs man-db)")
        env = dict(self.env, MANWIDTH="80")
        p = run(["man", "--warnings", "-l", self.man], env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
        page = p.stdout
        for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "EXIT STATUS",
                        "ENVIRONMENT", "FILES"):
            self.assertRegex(page, r"(?m)^%s$" % section)
        self.assertIn(self.themes, page)
        # The page says what --help says, term for term.
        _, terms = self.help_terms()
        self.assertGreater(len(terms), 20)
        for term in terms:
            self.assertIn(term, page)
        for word in ("dump", "whoami", "snapshot save", "diff", "cache list", "cache clear"):
            self.assertIn(word, page)

    def test_help_lists_every_option_the_parser_takes(self):
        with open(os.path.join(SRC, "src", "cli", "cli.c")) as f:
            src = f.read()
        block = src[src.index("long_options[] = {"):]
        block = block[:block.index("};")]
        parsed = set("--" + n for n in re.findall(r'\{"([\w-]+)",', block))
        _, terms = self.help_terms()
        self.assertEqual(sorted(parsed - set(terms)), [], "options --help does not mention")
        self.assertEqual(sorted(set(t for t in terms if t.startswith("--")) - parsed), [],
                         "options --help mentions that the parser does not take")

    def bash_complete(self, *words):
        script = ('source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); '
                  '_vpcx; printf "%s\\n" "${COMPREPLY[@]}"')
        p = run(["bash", "--norc", "-c", script, "bash", self.bash, "vpcx"] + list(words),
                env=self.env, cwd=self.home)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
        return p.stdout.split()

    def test_bash_completion(self):
        if not shutil.which("bash"):
            self.skipTest("bash is not installed")
        p = run(["bash", "--norc", "-c", 'source "$1"; complete -p vpcx', "bash", self.bash],
                env=self.env)
        self.assertEqual(p.stdout.strip(), "complete -F _vpcx vpcx", p.stderr)
        self.assertEqual(self.bash_complete("wh"), ["whoami"])
        self.assertEqual(self.bash_complete("--region", "us-east-1", "sn"), ["snapshot"])
        self.assertEqual(self.bash_complete("cache", ""), ["list", "clear"])
        self.assertEqual(self.bash_complete("--pro"), ["--profile", "--profiles"])
        self.assertEqual(self.bash_complete("--regions", "eu-west-"),
                         ["eu-west-1", "eu-west-2", "eu-west-3"])
        self.assertEqual(self.bash_complete("--max-"), ["--max-attempts", "--max-age"])
        self.assertEqual(self.bash_complete("--profile", ""),
                         ["ci-robot", "default", "prod-admin", "spaced"])
        self.assertEqual(self.bash_complete("--profile", "pr"), ["prod-admin"])
        self.assertEqual(self.bash_complete("--profile", "=", "pr"), ["prod-admin"])
        self.assertEqual(self.bash_complete("--region", "eu-west-"),
                         ["eu-west-1", "eu-west-2", "eu-west-3"])
        self.assertEqual(self.bash_complete("--format", ""),
                         ["json", "text", "terraform", "cloudformation", "cfn-import", "cli", "sarif",
                          "csv"])
        self.assertEqual(self.bash_complete("--theme", "hi"), ["high-contrast"])

    def zsh_complete(self, *words):
        """Runs _vpcx with compadd and _describe replaced by ones that print what they
        are given, filtered by the word being completed as compsys would."""
        script = r'''
autoload -U compinit; compinit -u -D
source $1; shift
[[ ${_comps[vpcx]} == _vpcx ]] || { print -u2 "vpcx is not bound to _vpcx"; exit 1; }
compadd() {
    while [[ $1 == -* && $1 != -- ]]; do shift; done
    [[ $1 == -- ]] && shift
    local w; for w in "$@"; do [[ $w == ${words[CURRENT]}* ]] && print -r -- $w; done
    return 0
}
_describe() {
    local -a all; all=("${(@P)${@[-1]}}")
    compadd -- "${all[@]%%:*}"
}
_files() { print -r -- FILES; }
words=(vpcx "$@"); CURRENT=$#words
_vpcx
'''
        p = run(["zsh", "-f", "-c", script, "zsh", self.zsh] + list(words), env=self.env,
                cwd=self.home)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
        return p.stdout.split()

    def test_zsh_completion(self):
        if not shutil.which("zsh"):
            self.skipTest("zsh is not installed (scripts/bootstrap installs it)")
        # Installed in a folder on $fpath, compinit binds it by its #compdef line.
        p = run(["zsh", "-f", "-c", 'fpath=($1 $fpath); autoload -U compinit; compinit -u -D; '
                 'print -r -- ${_comps[vpcx]}', "zsh", os.path.dirname(self.zsh)], env=self.env)
        self.assertEqual((p.stdout.strip(), p.stderr), ("_vpcx", ""))
        self.assertEqual(self.zsh_complete("wh"), ["whoami"])
        self.assertEqual(self.zsh_complete("--region", "us-east-1", "sn"), ["snapshot"])
        self.assertEqual(self.zsh_complete("cache", ""), ["list", "clear"])
        self.assertEqual(self.zsh_complete("--pro"), ["--profile", "--profiles"])
        self.assertEqual(sorted(self.zsh_complete("--profile", "")),
                         ["ci-robot", "default", "prod-admin", "spaced"])
        self.assertEqual(self.zsh_complete("--region", "eu-west-"),
                         ["eu-west-1", "eu-west-2", "eu-west-3"])
        self.assertEqual(self.zsh_complete("--format", ""),
                         ["json", "text", "terraform", "cloudformation", "cfn-import", "cli", "sarif",
                          "csv"])
        self.assertEqual(self.zsh_complete("--theme", "hi"), ["high-contrast"])
        self.assertEqual(self.zsh_complete("-o", ""), ["FILES"])


if __name__ == "__main__":
    missing = [t for t in ("man", "bash", "zsh") if not shutil.which(t)]
    if missing:
        print("test_install: skipped: %s not installed (scripts/bootstrap installs them)"
              % ", ".join(missing))
        sys.exit(77)
    unittest.main(verbosity=2)
