#!/usr/bin/env bash
# tools/step.sh TARGET LABEL COMMAND...: one quiet step of a make target, e.g. `tools/step.sh install requirements.txt pip install ...`.
# Prints "[TARGET] LABEL ..." when it starts, the elapsed seconds every STEP_HEARTBEAT_SECONDS (30) while it runs and
# "[TARGET] LABEL ... 74 s" when it ends; the command's own output goes to STEP_LOG_DIR/TARGET.log (build/logs), whose
# tail is printed when it fails, so a long install is neither silent nor a wall of pip output.
set -uo pipefail

target=$1 label=$2
shift 2
log="${STEP_LOG_DIR:-build/logs}/$target.log"
every="${STEP_HEARTBEAT_SECONDS:-30}"
started=$(date +%s)

elapsed() { echo "$(($(date +%s) - started)) s"; }

heartbeat() {  # runs in the background until the step ends
  while sleep "$every" </dev/null >/dev/null 2>&1; do echo "[$target] $label ... $(elapsed), still running"; done
}

mkdir -p "$(dirname "$log")"
printf '\n== %s [%s] %s: %s\n' "$(date -u +%FT%TZ)" "$target" "$label" "$*" >>"$log"
first=$(($(wc -l <"$log") + 1))  # this step's first line: the tail shown on failure is this step's alone
echo "[$target] $label ..."
heartbeat &
beat=$!
"$@" >>"$log" 2>&1
status=$?
kill "$beat" 2>/dev/null
wait "$beat" 2>/dev/null
if [ "$status" -ne 0 ]; then
  echo "[$target] $label ... failed after $(elapsed) (exit $status); its last 40 lines of output ($log):" >&2
  tail -n "+$first" "$log" | tail -n 40 >&2
  exit "$status"
fi
echo "[$target] $label ... $(elapsed)"
