# bench/engine: pdig-engine's replay rate against sysdig -r on the same large
# capture and filter, and with Falco's stable rules (issues 5 and 6).
add_executable(engine_mult engine_mult.c)
target_link_libraries(engine_mult shm)

set(ENG_BENCH_ARGS
  --engine $<TARGET_FILE:pdig-engine>
  --mult $<TARGET_FILE:engine_mult>
  --gen $<TARGET_FILE:gen_capture>
  --rules ${PROJECT_SOURCE_DIR}/../shared/falco-rules/falco_rules.yaml
  --cache ${CMAKE_CURRENT_BINARY_DIR})
if(TARGET pdig)
  list(APPEND ENG_BENCH_ARGS --pdig $<TARGET_FILE:pdig>)
endif()

# A quick run on a small capture: it works, and pdig-engine prints what
# sysdig prints; the ratio is printed, never asserted (the machine is shared).
# Exits 77 without sysdig.
add_test(NAME bench.engine_quick
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/engine.sh --quick ${ENG_BENCH_ARGS})
set_tests_properties(bench.engine_quick PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600
  PASS_REGULAR_EXPRESSION "engine: [0-9.]+x sysdig \\(filter\\)")

# The real measurement (a few million events, 5 rounds); the binaries named
# by $<TARGET_FILE:...> are built first:
#   cmake --build BUILD --target bench_engine
add_custom_target(bench_engine
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/engine.sh ${ENG_BENCH_ARGS}
  USES_TERMINAL
  COMMENT "bench/engine: pdig-engine against sysdig on a large capture")
