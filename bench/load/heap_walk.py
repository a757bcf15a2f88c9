#!/usr/bin/env python3
"""heap_walk.py: what keeps a running process's glibc heap resident after a burst.

glibc gives a thread arena's free pages back (malloc_trim) only where a whole page is free. After
a backlog the heap has grown; once the backlog drains, the region it added is mostly free, and
the pages that stay resident are those that still hold a live chunk. This tool walks the chunks
of one thread arena of a running process (read from /proc/PID/mem: run as root, or as the
process's user with ptrace allowed) and reports, for the region above a given address (the
arena's top before the burst), the bytes live and free, the pages that live chunks touch, and
the live chunks by C++ class (the vtable their first word points to) or else by size.

    heap_walk.py tops PID                 # every thread arena: start and current top
    heap_walk.py walk PID START [ABOVE]   # the arena at START (hex); ABOVE: an earlier top

Typical use (docs/performance.md, "Memory under load"): `tops` before the burst, `walk` with
that top as ABOVE once the burst's connections have closed. glibc 2.36 on x86-64 (Debian 12);
only reads the process, never stops it.
"""
import bisect
import collections
import os
import struct
import subprocess
import sys

PAGE = 4096
HEAP_MAX = 64 << 20  # glibc's HEAP_MAX_SIZE on 64-bit: thread arenas are 64-MiB aligned


def maps(pid):
    out = []
    with open(f"/proc/{pid}/maps") as f:
        for line in f:
            parts = line.split()
            lo, hi = (int(x, 16) for x in parts[0].split("-"))
            out.append((lo, hi, parts[1], int(parts[2], 16), parts[5] if len(parts) > 5 else ""))
    return out


def arenas(pid):
    """Thread-arena heaps: anonymous rw mappings that start on a 64-MiB boundary."""
    return [(lo, hi) for lo, hi, perms, _, path in maps(pid)
            if not path and perms.startswith("rw") and lo % HEAP_MAX == 0]


def first_chunk(data):
    """The offset whose chunk chain runs to the end of the heap (skips heap_info/malloc_state)."""
    for start in range(0x20, 0x1000, 16):
        off, n = start, 0
        while off < len(data) - 16:
            size = struct.unpack_from("<Q", data, off + 8)[0] & ~7
            if size < 32 or size % 16 or off + size > len(data):
                break
            off += size
            n += 1
        else:
            if n > 16:
                return start
    sys.exit("heap_walk: no consistent chunk chain found (not a glibc thread arena?)")


def vtables(pid):
    exe = os.readlink(f"/proc/{pid}/exe")
    bias = min(lo - off for lo, _, _, off, path in maps(pid) if path == exe)
    nm = subprocess.run(["nm", "-C", "--defined-only", exe], capture_output=True, text=True,
                        check=True).stdout
    syms = sorted((int(a, 16) + bias, name) for a, _, name in
                  (line.split(" ", 2) for line in nm.splitlines() if " " in line)
                  if name.startswith("vtable for "))
    return [a for a, _ in syms], [n[len("vtable for "):] for _, n in syms]


def walk(pid, start, above):
    hi = next(h for lo, h in arenas(pid) if lo == start)
    with open(f"/proc/{pid}/mem", "rb", 0) as mem:
        mem.seek(start)
        data = mem.read(hi - start)
    addrs, names = vtables(pid)
    chunks = []
    off = first_chunk(data)
    while off < len(data) - 16:
        size = struct.unpack_from("<Q", data, off + 8)[0] & ~7
        chunks.append((off, size))
        off += size
    live_pages, by_kind, kind_bytes = set(), collections.Counter(), collections.Counter()
    live = free = 0
    for i, (off, size) in enumerate(chunks[:-1]):  # the last is the top chunk
        addr = start + off
        if addr + size <= above:
            continue
        in_use = struct.unpack_from("<Q", data, chunks[i + 1][0] + 8)[0] & 1
        if not in_use:
            free += size
            continue
        live += size
        live_pages.update(range(addr // PAGE, (addr + size - 1) // PAGE + 1))
        word = struct.unpack_from("<Q", data, off + 16)[0]
        j = bisect.bisect_right(addrs, word) - 1
        kind = names[j] if j >= 0 and word - addrs[j] == 16 else f"{size}-byte chunks"
        by_kind[kind] += 1
        kind_bytes[kind] += size
    print(f"arena {start:#x}: {len(chunks)} chunks; above {above:#x}: live {live} B, "
          f"free {free} B, pages holding a live chunk {len(live_pages)} "
          f"({len(live_pages) * PAGE} B resident that malloc_trim cannot return)")
    for kind, n in by_kind.most_common(25):
        print(f"{n:8d} {kind_bytes[kind]:10d} B  {kind[:140]}")


def main(argv):
    if len(argv) >= 3 and argv[1] == "tops":
        for lo, hi in arenas(int(argv[2])):
            print(f"{lo:#x} {hi:#x}")
    elif len(argv) in (4, 5) and argv[1] == "walk":
        start = int(argv[3], 16)
        walk(int(argv[2]), start, int(argv[4], 16) if len(argv) == 5 else start)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
