#!/usr/bin/env bash
# Checks that two meshsim binaries write byte-identical outputs for every builtin scenario:
# `meshsim run NAME --out DIR` (every file) and `meshsim run NAME --json`. For changes that must
# not move a number (queue internals, statistics bookkeeping).
# Usage: bench/same_outputs.sh OLD_BINARY NEW_BINARY [NAME...]   (default: every builtin)
set -euo pipefail
old=$1 new=$2
shift 2
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  mapfile -t names < <("$new" list | awk '{print $1}')
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for name in "${names[@]}"; do
  for side in old new; do
    bin=${!side}
    "$bin" run "$name" --out "$work/$side-$name" | sed "s|$work/$side-|OUT/|" > "$work/$side-$name.stdout"
    "$bin" run "$name" --json > "$work/$side-$name.json"
  done
  if diff -r "$work/old-$name" "$work/new-$name" > /dev/null \
    && cmp -s "$work/old-$name.json" "$work/new-$name.json" \
    && cmp -s "$work/old-$name.stdout" "$work/new-$name.stdout"; then
    echo "same      $name"
  else
    echo "DIFFERENT $name"
    status=1
  fi
done
exit $status
