#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, ASan+UBSan, clang) and runs each for a bounded time
# from a copy of its seed corpus (tests/fuzz/corpus/<target>/, never changed unless asked) with
# its dictionary. Fails on any crash, leak, timeout, out-of-memory or UB report, printing the
# reproducer; prints each target's executions and coverage. docs/reliability.md explains it.
#
# Usage: scripts/fuzz.sh [--seconds N] [--parallel N] [--merge-into-repo] [--no-build] [TARGET...]
#   --seconds N        fuzzing time per target (default $FUZZ_SECONDS, else 120); 0 = no fuzzing
#   --parallel N       targets run at a time (default $FUZZ_PARALLEL, else 1)
#   --merge-into-repo  afterwards, minimise (libFuzzer -merge=1) the repo corpus, what this run
#                      found and fresh seeds from examples/ and tests/golden/ into the repo corpus
#   --no-build         use the existing build directory as it is
#   TARGET             fuzz_quote fuzz_assess fuzz_csv fuzz_tables (default: all)
# Environment: FUZZ_BUILD_DIR (default build-fuzz), FUZZ_NICE (e.g. 10: run the fuzzers niced),
#   FUZZ_EXTRA_ARGS (more libFuzzer flags, e.g. "-use_value_profile=1").
# Reproduce a finding: <build>/tests/fuzz/<target> <reproducer file>
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

seconds=${FUZZ_SECONDS:-120}
parallel=${FUZZ_PARALLEL:-1}
build_dir=${FUZZ_BUILD_DIR:-build-fuzz}
merge=0
build=1
targets=()
while (($#)); do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --parallel) parallel=$2; shift 2 ;;
    --merge-into-repo) merge=1; shift ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    fuzz_*) targets+=("$1"); shift ;;
    *) echo "fuzz.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
((${#targets[@]})) || targets=(fuzz_quote fuzz_assess fuzz_csv fuzz_tables)
[[ $seconds =~ ^[0-9]+$ && $parallel =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: --seconds and --parallel take whole numbers" >&2; exit 2; }
[[ $build_dir == /* ]] || build_dir=$root/$build_dir

# Per target: the longest input, the dictionary. Requests are a few KB (98 answers); a CSV
# needs its ~1 KB header and a few rows; a table input must hold the largest table as
# fuzz_tables holds it (the questionnaire, 15 KB minified with its item texts cut short).
max_len() { case $1 in fuzz_quote|fuzz_assess) echo 8192 ;; fuzz_csv) echo 16384 ;; fuzz_tables) echo 24576 ;; esac; }
dict() { case $1 in fuzz_quote|fuzz_assess) echo request ;; fuzz_csv) echo csv ;; fuzz_tables) echo tables ;; esac; }

if ((build)); then
  bash scripts/setup.sh --packages-only
  cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE=-O2 -DCMAKE_CXX_COMPILER=clang++ \
        -DCYBERCOVER_FUZZ=ON -DCYBERCOVER_BUILD_TESTS=OFF -DCYBERCOVER_BUILD_TOOLS=OFF \
        -DCYBERCOVER_BUILD_PYTHON=OFF -DCYBERCOVER_BUILD_BENCH=OFF -DCYBERCOVER_BUILD_EXAMPLES=OFF \
        -DCYBERCOVER_INSTALL=OFF >/dev/null
  cmake --build "$build_dir" -j"$(nproc)" --target cybercover_fuzz_targets
fi

work=$build_dir/fuzz-work
nice_cmd=()
[[ -n ${FUZZ_NICE:-} ]] && nice_cmd=(nice -n "$FUZZ_NICE")
read -r -a extra <<<"${FUZZ_EXTRA_ARGS:-}"

# Runs one target; its log, working corpus and reproducers are in $work/<target>/.
run_target() {
  local t=$1 dir=$work/$1
  rm -rf "$dir"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp "$root/tests/fuzz/corpus/$t/"* "$dir/corpus/" 2>/dev/null || true
  local status=0
  (cd "$dir" && ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "${nice_cmd[@]}" "$build_dir/tests/fuzz/$t" -max_total_time="$seconds" -max_len="$(max_len "$t")" \
      -timeout=10 -rss_limit_mb=2048 -dict="$root/tests/fuzz/dict/$(dict "$t").dict" \
      -artifact_prefix="$dir/artifacts/" -print_final_stats=1 "${extra[@]}" "$dir/corpus" >"$dir/log" 2>&1) || status=$?
  echo "$status" >"$dir/status"
}

# One summary line per target from libFuzzer's last coverage line and final stats.
report() {
  local t=$1 dir=$work/$1 status execs rate cov ft corp
  status=$(cat "$dir/status")
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$dir/log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$dir/log" | tail -1 | cut -d' ' -f2)
  corp=$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' "$dir/log" | tail -1 | cut -d' ' -f2)
  printf '%-12s %12s execs %7s/s  cov %6s  ft %7s  corpus %-10s %s\n' "$t" "${execs:-?}" "${rate:-?}" \
         "${cov:-?}" "${ft:-?}" "${corp:-?}" "$( ((status == 0)) && echo ok || echo "FAILED (exit $status)")"
  if ((status != 0)) || [[ -z $execs ]]; then
    echo "---- $t: last lines of $dir/log" >&2
    grep -v '^#[0-9]' "$dir/log" | tail -40 >&2
    local a
    for a in "$dir"/artifacts/*; do
      [[ -e $a ]] && echo "reproducer: $a   (run: $build_dir/tests/fuzz/$t $a)" >&2
    done
    return 1
  fi
}

failed=0
if ((seconds > 0)); then
  echo "fuzz: ${targets[*]} for ${seconds}s each, $parallel at a time"
  running=0
  for t in "${targets[@]}"; do
    if ((running >= parallel)); then
      wait -n || true
      running=$((running - 1))
    fi
    run_target "$t" &
    running=$((running + 1))
  done
  wait || true
  for t in "${targets[@]}"; do report "$t" || failed=1; done
fi

if ((merge)); then
  seeds=$(mktemp -d)
  trap 'rm -rf "$seeds"' EXIT
  /usr/bin/python3 tests/fuzz/make_seeds.py "$seeds"
  for t in "${targets[@]}"; do
    repo=$root/tests/fuzz/corpus/$t
    fresh=$(mktemp -d)
    mkdir -p "$repo"
    inputs=("$repo" "$seeds/$t")
    [[ -d $work/$t/corpus ]] && inputs+=("$work/$t/corpus")
    "$build_dir/tests/fuzz/$t" -merge=1 -max_len="$(max_len "$t")" -timeout=10 "$fresh" "${inputs[@]}" \
      >"$fresh.log" 2>&1 || { tail -20 "$fresh.log" >&2; exit 1; }
    rm -rf "$repo"
    mkdir -p "$repo"
    cp "$fresh"/* "$repo"/
    rm -rf "$fresh"
    echo "merge: $t: $(ls "$repo" | wc -l) inputs, $(du -sk "$repo" | cut -f1) KB in tests/fuzz/corpus/$t"
    rm -f "$fresh.log"
  done
fi
exit $failed
