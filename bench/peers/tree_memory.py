#!/usr/bin/env python3
"""Samples the memory of a process and its descendants until the process ends.

    tree_memory.py PID [INTERVAL_S=0.1]

Prints one JSON line: the peak, over the samples, of the summed PSS (proportional set size:
shared pages split between their sharers, so Chromium's many processes are not counted N times)
of PID's descendants ("children_pss_mb": for a driver, its Chromium) and of PID itself
("self_pss_mb"), and the peak summed RSS of the descendants for reference. Linux /proc only."""
import json
import os
import sys
import time


def children_map():
    kids = {}
    for d in os.listdir('/proc'):
        if not d.isdigit():
            continue
        try:
            with open(f'/proc/{d}/stat') as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(')') + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(d))
    return kids


def descendants(pid, kids):
    out, todo = [], list(kids.get(pid, []))
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def rollup(pid):
    """(pss_kb, rss_kb) of pid, (0, 0) when it is gone."""
    pss = rss = 0
    try:
        with open(f'/proc/{pid}/smaps_rollup') as f:
            for line in f:
                if line.startswith('Pss:'):
                    pss = int(line.split()[1])
                elif line.startswith('Rss:'):
                    rss = int(line.split()[1])
    except OSError:
        pass
    return pss, rss


def main():
    pid = int(sys.argv[1])
    interval = float(sys.argv[2]) if len(sys.argv) > 2 else 0.1
    peak_children_pss = peak_children_rss = peak_self = 0
    while os.path.exists(f'/proc/{pid}') and not open(f'/proc/{pid}/stat').read().split(')')[1].split()[0] == 'Z':
        tree = descendants(pid, children_map())
        sums = [rollup(p) for p in tree]
        peak_children_pss = max(peak_children_pss, sum(s[0] for s in sums))
        peak_children_rss = max(peak_children_rss, sum(s[1] for s in sums))
        peak_self = max(peak_self, rollup(pid)[0])
        time.sleep(interval)
    print(json.dumps({'children_pss_mb': peak_children_pss / 1024, 'children_rss_mb': peak_children_rss / 1024,
                      'self_pss_mb': peak_self / 1024}))


if __name__ == '__main__':
    main()
