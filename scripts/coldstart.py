#!/usr/bin/env python3
"""Times whole processes, interleaved, the way BENCHMARKS.md reports them.

usage: scripts/coldstart.py RUNS LABEL=COMMAND...

Each command (split on spaces, run without a shell; leading NAME=VALUE words
are set in its environment, e.g. HUIQI_CACHE=/tmp/a so that two builds do not
replace each other's index snapshot) runs RUNS times after 3
warm-ups, the commands taking turns so that a change in the machine's load
touches them alike; prints min, median and p90 wall time of each and its
median as a multiple of the first command's (put a hello-world first).
HUIQI_NOW is fixed so every run answers alike.
"""
import os
import statistics
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    runs = int(sys.argv[1])
    cmds = [a.split("=", 1) for a in sys.argv[2:]]
    env = dict(os.environ, HUIQI_NOW=os.environ.get("HUIQI_NOW", "2026-11-27T10:00:00+08:00"))
    times = {label: [] for label, _ in cmds}
    argv, envs = {}, {}
    for label, cmd in cmds:
        words = cmd.split(" ")
        envs[label] = dict(env)
        while words and "=" in words[0] and not words[0].startswith("/"):
            k, v = words.pop(0).split("=", 1)
            envs[label][k] = v
        argv[label] = words
    for i in range(runs + 3):
        for label, cmd in cmds:
            t = time.perf_counter()
            subprocess.run(argv[label], env=envs[label], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if i >= 3:
                times[label].append((time.perf_counter() - t) * 1000)
    base = None
    for label, _ in cmds:
        ts = sorted(times[label])
        med = statistics.median(ts)
        base = base or med
        print(f"{label:14s} min {ts[0]:6.2f} ms  median {med:6.2f} ms  p90 {ts[int(len(ts) * 0.9)]:6.2f} ms  median {med / base:5.2f}x the first")


if __name__ == "__main__":
    main()
