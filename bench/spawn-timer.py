#!/usr/bin/env python3
"""Times a command as Claude Code runs a statusLine: a new process each time, stdin piped from a file.

usage: spawn-timer.py RUNS WARMUPS STDIN_FILE COMMAND [ARGS...]
Prints one line of JSON: the median wall time and the median CPU time (user + system of the process and every
process it waited for) per run, in ms, and the first run's output line. No shell in between: what is measured is the
command alone, spawned and waited for.
"""
import json, os, statistics, sys, time

runs, warmups, stdin_file, command = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4:]
walls, cpus, line = [], [], None
for i in range(warmups + runs):
    with open(stdin_file, "rb") as stdin:
        read_end, write_end = os.pipe()
        start = time.perf_counter()
        pid = os.posix_spawnp(command[0], command, os.environ,
                              file_actions=[(os.POSIX_SPAWN_DUP2, stdin.fileno(), 0),
                                            (os.POSIX_SPAWN_DUP2, write_end, 1),
                                            (os.POSIX_SPAWN_OPEN, 2, "/dev/null", os.O_WRONLY, 0),
                                            (os.POSIX_SPAWN_CLOSE, read_end)])
        os.close(write_end)
        out = b""
        while chunk := os.read(read_end, 65536):
            out += chunk
        os.close(read_end)
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - start
    if line is None:
        line = out.decode("utf-8", "replace").split("\n")[0]
    if i >= warmups:
        walls.append(wall * 1000)
        cpus.append((usage.ru_utime + usage.ru_stime) * 1000)
print(json.dumps({"median_ms": statistics.median(walls), "cpu_ms": statistics.median(cpus), "line": line}))
