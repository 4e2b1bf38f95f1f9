# SPDX-License-Identifier: GPL-2.0-only
"""Runs one case_* function of a Python test file (tests/lib.sh py_cases).

usage: test_X.py --list   prints NAME<TAB>docstring per case
       test_X.py NAME     runs case_NAME: exit 0 when it holds
A case prints why it does not hold and returns False."""
import sys


def main(g):
    cases = {n[5:]: f for n, f in g.items() if n.startswith("case_")}
    argv = sys.argv
    if len(argv) == 2 and argv[1] == "--list":
        for n in sorted(cases):
            print("%s\t%s" % (n, " ".join(cases[n].__doc__.split())))
        return 0
    if len(argv) != 2 or argv[1] not in cases:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    return 0 if cases[argv[1]]() else 1
