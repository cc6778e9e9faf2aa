# bench/ring: producer ns per event against memcpy of the same bytes, same run.
add_executable(ring_bench ring_bench.c)
target_link_libraries(ring_bench shm)
# A quick run that it works and prints the ratio; timings are not asserted
# (the machine is shared and noisy).
add_test(NAME bench.ring_quick COMMAND ring_bench -n 300000)
set_tests_properties(bench.ring_quick PROPERTIES TIMEOUT 300
  PASS_REGULAR_EXPRESSION "ratio producer/memcpy for 100-byte events, 1 producer: [0-9.]+")
