"""A task for runner tests: succeed, fail, sleep, fail until the n-th attempt, or fail while a flag file exists."""

import argparse
import os
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--mode", choices=("ok", "fail", "sleep", "flaky", "flag"), default="ok")
parser.add_argument("--seconds", type=float, default=0)
parser.add_argument("--succeed-on", type=int, default=3, help="flaky: the attempt (1-based) that succeeds")
parser.add_argument("--state", help="flaky: counter file; flag: fail while this file exists")
parser.add_argument("--marker", help="append a line here when the task runs")
parser.add_argument("--print-env", action="append", default=[], metavar="NAME", help="print NAME=value of the task's environment")
args = parser.parse_args()
for name in args.print_env:
    print(f"{name}={os.environ.get(name, '')}")
if args.marker:
    with open(args.marker, "a") as handle:
        handle.write(f"{os.environ.get('MEDIALAKE_TASK_KEY')} {time.time()} {' '.join(sys.argv[1:])}\n")
if args.mode == "sleep":
    time.sleep(args.seconds)
if args.mode == "fail" or (args.mode == "flag" and os.path.exists(args.state)):
    sys.exit("task failed on purpose: RuntimeError boom")
if args.mode == "flaky":
    count = int(open(args.state).read()) + 1 if os.path.exists(args.state) else 1
    open(args.state, "w").write(str(count))
    if count < args.succeed_on:
        sys.exit(f"flaky task failed on attempt {count}")
print("task done")
