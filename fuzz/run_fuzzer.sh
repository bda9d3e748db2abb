#!/usr/bin/env bash
# run_fuzzer.sh BINARY CORPUS_DIR SECONDS: a bounded libFuzzer run that reads
# the checked-in corpus and writes new inputs to a temporary directory.
set -euo pipefail
bin=$(realpath "$1") corpus=$(realpath "$2") seconds=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$bin" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 "$work" "$corpus" 2>&1 | tail -n 25
