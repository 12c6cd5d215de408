#!/usr/bin/env bash
# The C++ suites under sanitizers (docs/reliability.md), each build in a directory of its own:
#   address  ASan+UBSan (-fno-sanitize-recover: any report fails its test): the unit suite
#            (with the robustness tests), the golden suite and the fuzz targets' corpus
#            replays, in build-asan/;
#   thread   ThreadSanitizer: the tests that run threads (see thread_tests), in build-tsan/.
# Only the library and the C++ suites are built (no Python module, CLI, benchmarks, example).
# Usage: scripts/sanitize.sh [address|thread]...   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."

kinds=("$@")
((${#kinds[@]})) || kinds=(address thread)

# The tests that start threads (each GoogleTest case is a CTest test of its own): engines and
# tables shared by threads, the batch at 1/2/3/8 threads (12,000 rows: 3 workers), the whole
# loss simulation suite (six of its eight tests run 2 to 8 threads, with progress reports and
# a stop), the remediation batch, exceptions thrown in workers, the claim sampler at the
# largest frequency (a simulation on all cores). A new threaded test belongs
# here (the script checks the count, so that none is lost to a rename); the whole unit suite
# under TSan would cost minutes more and start no other thread (batches under 8,192 rows run
# on one).
thread_tests='Threads|ThreadCount|LossSimulation\.|Remediation\.TheBatch|InAWorker|Defect16_'
thread_test_count=14

bash scripts/setup.sh --packages-only

for kind in "${kinds[@]}"; do
  case $kind in
    address) dir=build-asan sanitize=address,undefined select=() targets=(all) ;;
    thread) dir=build-tsan sanitize=thread select=(-R "$thread_tests") targets=(unit_tests) ;;
    *) echo "sanitize.sh: unknown sanitizer '$kind' (address or thread)" >&2; exit 2 ;;
  esac
  echo "sanitize: $kind ($sanitize) in $dir"
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE=-O1 -DCMAKE_CXX_COMPILER=clang++ \
        -DCYBERCOVER_SANITIZE="$sanitize" -DCYBERCOVER_BUILD_TESTS=ON -DCYBERCOVER_BUILD_TOOLS=OFF \
        -DCYBERCOVER_BUILD_PYTHON=OFF -DCYBERCOVER_BUILD_BENCH=OFF -DCYBERCOVER_BUILD_EXAMPLES=OFF \
        -DCYBERCOVER_INSTALL=OFF -DPython3_EXECUTABLE=/usr/bin/python3 >/dev/null
  cmake --build "$dir" -j"$(nproc)" --target "${targets[@]}"
  if [[ $kind == thread ]]; then
    n=$(cd "$dir" && ctest -N -L cpp "${select[@]}" | sed -n 's/^Total Tests: //p')
    ((n == thread_test_count)) || { echo "sanitize.sh: $n threaded tests match, expected $thread_test_count" >&2; exit 1; }
  fi
  # A report ends its process with an error: the test fails, and so does this script.
  (cd "$dir" &&
    ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    ctest -L cpp "${select[@]}" --output-on-failure -j"$(nproc)" --timeout 1200)
done
