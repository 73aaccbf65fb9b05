#!/usr/bin/env python3
"""Code-size figures of the Rust sources git tracks: median file length, files over 300/400
lines, functions over 50/80 lines (brace matching from each `fn` line). `--src` leaves out
tests and the benchmark; `-v` lists the long functions and the longest files.
Run from the repository root: python3 scripts/code-metrics.py [--src] [-v]"""
import re, statistics, subprocess, sys
files = [f for f in subprocess.check_output(["git", "ls-files", "*.rs"], text=True).split() if f]
if "--src" in sys.argv:
    files = [f for f in files if "/tests/" not in f and not f.startswith("bench/")]
lengths, long_fns = {}, []
fn_re = re.compile(r'^\s*(pub(\([^)]*\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?fn\s+(\w+)')
for f in files:
    lines = open(f, encoding="utf-8").read().split("\n")
    lengths[f] = len(lines)
    i = 0
    while i < len(lines):
        m = fn_re.match(lines[i])
        if m:
            depth, started, j = 0, False, i
            while j < len(lines):
                code = re.sub(r'"(\\.|[^"\\])*"', '""', lines[j].split("//")[0])
                if not started and ';' in code and '{' not in code: break
                depth += code.count("{") - code.count("}")
                if "{" in code: started = True
                if started and depth <= 0: break
                j += 1
            n = j - i + 1
            if started and n > 50: long_fns.append((n, f, i + 1, m.group(6)))
        i += 1
v = sorted(lengths.values())
print(f"rust files: {len(v)}, lines: {sum(v)}, median file: {statistics.median(v):.0f}")
print(f"files over 300 lines: {sum(1 for x in v if x > 300)}, over 400: {sum(1 for x in v if x > 400)}")
print(f"functions over 50 lines: {len(long_fns)}, over 80: {sum(1 for x in long_fns if x[0] > 80)}")
if "-v" in sys.argv:
    for n, f, l, name in sorted(long_fns, reverse=True): print(f"  {n:4} {f}:{l} {name}")
    for f, n in sorted(lengths.items(), key=lambda x: -x[1])[:25]: print(f"  {n:5} {f}")
