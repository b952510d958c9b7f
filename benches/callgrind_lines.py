#!/usr/bin/env python3
"""Where the instructions go, by source line: the self cost of every instruction address
of one object in a callgrind profile (`valgrind --tool=callgrind --dump-instr=yes`),
mapped through `addr2line -i` to the innermost frame in meso's sources (so code the
compiler inlined is counted where it was written), summed by line and divided by ROWS.
Needs a build with line tables (`CARGO_PROFILE_RELEASE_DEBUG=line-tables-only`). The
recipe is in docs/performance.md ("From Python: Arrow in, Arrow out").

    python3 benches/callgrind_lines.py CG_OUT OBJECT_PART SO_PATH [FUNCTION_PART] [ROWS] [TOP]

e.g. `python3 benches/callgrind_lines.py cg.out _meso /tmp/w/meso/_meso.abi3.so
Decoder::decode 101000 40`: the 40 costliest lines of the functions whose name has
`Decoder::decode`, per row.
"""
import collections
import os
import re
import subprocess
import sys
path, objsub, so = sys.argv[1:4]
fnsub = sys.argv[4] if len(sys.argv) > 4 else ""
rows = float(sys.argv[5]) if len(sys.argv) > 5 else 1.0
names = {"ob": {}, "fn": {}, "cob": {}, "cfn": {}}
def name(kind, rest):
    m = re.match(r"\((\d+)\)(?: (.*))?", rest)
    if not m: return rest
    table = names["ob" if kind in ("ob", "cob") else "fn"]
    if m.group(2) is not None: table[m.group(1)] = m.group(2)
    return table.get(m.group(1), "?")
ob = fn = ""
last = 0
skip = False
cost = collections.Counter()
def pos(tok, prev):
    if tok == "*": return prev
    if tok[0] in "+-": return prev + int(tok, 0) if tok[0] == "+" else prev - int(tok[1:], 0)
    return int(tok, 0)
with open(path) as f:
    for line in f:
        if not line or line[0] in "#\n": continue
        c = line[0]
        if c.isalpha():
            k, _, rest = line.rstrip("\n").partition("=")
            if k == "ob": ob = name("ob", rest)
            elif k == "fn": fn = name("fn", rest)
            elif k in ("cob",): name("cob", rest)
            elif k in ("cfn",): name("cfn", rest)
            elif k == "calls": skip = True
            continue
        parts = line.split()
        if len(parts) < 3: continue
        addr = pos(parts[0], last); last = addr
        if skip: skip = False; continue
        if objsub in ob and fnsub in fn:
            cost[addr] += int(parts[2])
total = sum(cost.values())
print(f"total {total:,} ({total/rows:.1f}/row) over {len(cost)} addresses")
addrs = sorted(cost)
# addr2line -i prints several (fn, file:line) pairs per address; separate by running per address is slow,
# so use the sentinel trick: run with -a to print address markers.
out = subprocess.run(["addr2line", "-a", "-i", "-f", "-C", "-e", so] + [hex(a) for a in addrs],
                     capture_output=True, text=True).stdout.splitlines()
frames = {}
i = 0; cur = None
while i < len(out):
    l = out[i]
    if l.startswith("0x") and (i + 1 < len(out)):
        cur = int(l, 16); frames[cur] = []; i += 1; continue
    fnname = l; loc = out[i + 1] if i + 1 < len(out) else "?"
    frames[cur].append((fnname, loc)); i += 2
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ours = (ROOT + "/src", ROOT + "/bindings")
agg = collections.Counter()
for a, c in cost.items():
    fr = frames.get(a, [])
    mine = [loc for (_, loc) in fr if loc.startswith(ours)]
    key = mine[0] if mine else (fr[0][1] if fr else "?")
    agg[re.sub(r" \(discriminator \d+\)", "", key)] += c
src_cache = {}
def src(loc):
    m = re.match(r"(.*):(\d+)", loc)
    if not m: return ""
    p, n = m.group(1), int(m.group(2))
    try:
        lines = src_cache.setdefault(p, open(p).read().splitlines())
        return lines[n - 1].strip()[:90]
    except Exception: return ""
for loc, c in agg.most_common(int(sys.argv[6]) if len(sys.argv) > 6 else 60):
    print(f"{c/rows:8.1f} {loc.replace(ROOT + '/', ''):45s} {src(loc)}")
