#!/usr/bin/env python3
"""Run spec_repr.py's main() over many jobs in one process (for the Go cross-check test).

Each line of the job file holds the arguments of one spec_repr.py call, tab separated.
For each job this prints one line: the job's index, then spec_repr's own output line.
"""
import contextlib
import io
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spec_repr  # noqa: E402

with open(sys.argv[1]) as f:
    for i, line in enumerate(f):
        argv = line.rstrip("\n").split("\t")
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            try:
                spec_repr.main(argv)
            except Exception as e:  # a crash of the reference is a result too
                print("SKIP: reference failed: %r" % (e,))
        print(i, buf.getvalue().strip().splitlines()[-1] if buf.getvalue().strip() else "SKIP: no output")
