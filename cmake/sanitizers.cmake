# Sanitizer and fuzzing builds (docs/reliability.md), each in a build directory of its own:
#
#   cmake -S . -B build-asan -DCMAKE_CXX_COMPILER=clang++ -DCYBERCOVER_SANITIZE=address,undefined
#   cmake -S . -B build-tsan -DCMAKE_CXX_COMPILER=clang++ -DCYBERCOVER_SANITIZE=thread
#   cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCYBERCOVER_FUZZ=ON
#
# scripts/sanitize.sh and scripts/fuzz.sh configure, build and run these. The flags apply to
# every target of the build, the library included; Debian's GoogleTest and libstdc++ are not
# instrumented, which costs some coverage inside them and nothing else. _GLIBCXX_ASSERTIONS
# turns an out-of-range std::vector/std::string index into an abort, which ASan alone misses
# inside a container's spare capacity.

set(CYBERCOVER_SANITIZE "" CACHE STRING
    "Sanitizers for every target: address,undefined or thread (empty: none)")
option(CYBERCOVER_FUZZ "Build the libFuzzer targets of tests/fuzz (clang only; implies address,undefined)" OFF)

if(CYBERCOVER_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "CYBERCOVER_FUZZ needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++")
  endif()
  if(CYBERCOVER_SANITIZE AND NOT CYBERCOVER_SANITIZE STREQUAL "address,undefined")
    message(FATAL_ERROR "CYBERCOVER_FUZZ builds with address,undefined; drop CYBERCOVER_SANITIZE=${CYBERCOVER_SANITIZE}")
  endif()
  set(CYBERCOVER_SANITIZE "address,undefined")
endif()

if(CYBERCOVER_SANITIZE STREQUAL "address,undefined")
  # A UB report aborts (a finding), as an ASan report does.
  set(_cybercover_sanitize_flags -fsanitize=address,undefined -fno-sanitize-recover=all)
elseif(CYBERCOVER_SANITIZE STREQUAL "thread")
  set(_cybercover_sanitize_flags -fsanitize=thread)
elseif(CYBERCOVER_SANITIZE)
  message(FATAL_ERROR "CYBERCOVER_SANITIZE must be address,undefined or thread, not '${CYBERCOVER_SANITIZE}'")
endif()

if(CYBERCOVER_SANITIZE)
  # Line tables are all a report's stack trace needs, at a fraction of -g's compile time.
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    set(_cybercover_debug_flag -gline-tables-only)
  else()
    set(_cybercover_debug_flag -g1)
  endif()
  add_compile_options(${_cybercover_sanitize_flags} -fno-omit-frame-pointer ${_cybercover_debug_flag} -D_GLIBCXX_ASSERTIONS)
  add_link_options(${_cybercover_sanitize_flags})
  if(CYBERCOVER_FUZZ)
    # Coverage instrumentation everywhere; only the fuzz targets link libFuzzer's main.
    add_compile_options(-fsanitize=fuzzer-no-link)
  endif()
endif()
