#!/usr/bin/env python3
"""scripts/check-layers: passes on the repository, and catches each kind of
offence in a temporary tree (so it cannot pass by checking nothing)."""
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("VPCX_SRCDIR", os.path.dirname(os.path.dirname(HERE)))
SCRIPT = os.path.join(SRC, "scripts", "check-layers")

# A small clean tree: every include points down or within its layer.
CLEAN = {
    "src/core/xalloc.c": '#include "vpcx/core/xalloc.h"\n',
    "include/vpcx/core/xalloc.h": "#include <stddef.h>\n",
    "src/model/inventory.c": '#include "vpcx/model/inventory.h"\n#include "vpcx/core/xalloc.h"\n',
    "include/vpcx/model/inventory.h": '#include "vpcx/core/xalloc.h"\n',
    "src/model/ipusage.c": '#include "vpcx/model/ipusage.h"\n',
    "include/vpcx/model/ipusage.h": '#include "vpcx/model/inventory.h"\n',
    "src/aws/config.c": '#include "vpcx/model/inventory.h"\n',
    "src/store/cache.c": '#include "vpcx/model/inventory.h"\n',
    "src/sync/fetch.c": '#include "vpcx/aws/config.h"\n#include "vpcx/store/cache.h"\n',
    "src/ui/app.c": '#include "vpcx/sync/fetch.h"\n#include "app_internal.h"\n',
    "src/cli/main.c": '#include "vpcx/ui/app.h"\n#include "vpcx/core/xalloc.h"\n',
}


def run(root):
    p = subprocess.run([sys.executable, SCRIPT, root], capture_output=True, text=True,
                       timeout=60)
    return p.returncode, p.stdout


class CheckLayers(unittest.TestCase):
    def tree(self, extra):
        d = tempfile.TemporaryDirectory()
        self.addCleanup(d.cleanup)
        files = dict(CLEAN)
        files.update(extra)
        for rel, text in files.items():
            path = os.path.join(d.name, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        return d.name

    def assert_offence(self, extra, *expected):
        code, out = run(self.tree(extra))
        self.assertEqual(code, 1, out)
        for e in expected:
            self.assertIn(e, out)

    def test_repository_is_clean(self):
        code, out = run(SRC)
        self.assertEqual(code, 0, out)

    def test_clean_tree_passes(self):
        code, out = run(self.tree({}))
        self.assertEqual((code, out), (0, ""))

    def test_upward_include_in_header(self):
        self.assert_offence(
            {"include/vpcx/store/cache.h": '#include <time.h>\n\n#include "vpcx/ui/app.h"\n'},
            "include/vpcx/store/cache.h:3: includes vpcx/ui/app.h: layer store may not include "
            "layer ui")

    def test_sibling_layers(self):
        self.assert_offence({"src/store/cache.c": '#include "vpcx/aws/config.h"\n',
                             "src/aws/config.c": '  # include <vpcx/store/cache.h>\n'},
                            "src/store/cache.c:1: includes vpcx/aws/config.h",
                            "src/aws/config.c:1: includes vpcx/store/cache.h")

    def test_model_and_core_see_nothing_above(self):
        self.assert_offence({"src/model/cidr.c": '#include "vpcx/model/cidr.h"\n'
                                                 '#include "vpcx/sync/fetch.h"\n',
                             "src/core/strbuf.c": '#include "vpcx/model/cidr.h"\n'},
                            "src/model/cidr.c:2: includes vpcx/sync/fetch.h",
                            "src/core/strbuf.c:1: includes vpcx/model/cidr.h")

    def test_unknown_layer(self):
        self.assert_offence({"src/ui/app.c": '#include "vpcx/gui/app.h"\n'},
                            "src/ui/app.c:1: includes vpcx/gui/app.h: no such layer")

    def test_model_cycle(self):
        # inventory.c includes ipusage.h while ipusage.h includes inventory.h.
        self.assert_offence({"src/model/inventory.c": '#include "vpcx/model/inventory.h"\n'
                                                      '#include "vpcx/model/ipusage.h"\n'},
                            "src/model/inventory.c:2: include cycle between model modules "
                            "{inventory, ipusage}: inventory includes ipusage",
                            "include/vpcx/model/ipusage.h:1: include cycle")

    def test_longer_model_cycle(self):
        self.assert_offence({"src/model/cidr.c": '#include "vpcx/model/ipusage.h"\n',
                             "include/vpcx/model/inventory.h": '#include "vpcx/model/cidr.h"\n'},
                            "{cidr, inventory, ipusage}", "src/model/cidr.c:1:")


if __name__ == "__main__":
    unittest.main(verbosity=2)
