# The shared-memory ring: Check suite "ring", the multi-producer stress test,
# and the udig compatibility test against the real sysdig -u.
add_executable(check_ring check_ring.c)
target_link_libraries(check_ring shm PkgConfig::CHECK)
add_test(NAME shm.ring COMMAND check_ring)
set_tests_properties(shm.ring PROPERTIES TIMEOUT 300)

# Three producer processes, one consumer, millions of events: every event
# arrives once and in order, or is counted as dropped.
add_executable(ring_stress ring_stress.c)
target_link_libraries(ring_stress shm)
add_test(NAME shm.ring_stress_lossy COMMAND ring_stress -p 3 -n 2000000)
add_test(NAME shm.ring_stress_lossless COMMAND ring_stress -p 3 -n 1000000 -l)
set_tests_properties(shm.ring_stress_lossy shm.ring_stress_lossless PROPERTIES TIMEOUT 600)

# The same library with ASan+UBSan against damaged rings.
add_executable(check_ring_asan check_ring.c)
target_link_libraries(check_ring_asan shm_asan PkgConfig::CHECK)
target_compile_options(check_ring_asan PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer)
target_link_options(check_ring_asan PRIVATE -fsanitize=address,undefined)
add_test(NAME shm.ring_asan COMMAND check_ring_asan)
set_tests_properties(shm.ring_asan PROPERTIES TIMEOUT 600
  ENVIRONMENT "CK_FORK=yes;ASAN_OPTIONS=detect_leaks=1")

add_executable(udig_producer udig_producer.c)
target_link_libraries(udig_producer shm)
add_test(NAME shm.udig_sysdig
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/udig_sysdig.sh $<TARGET_FILE:udig_producer>)
set_tests_properties(shm.udig_sysdig PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)

# The engine stops and starts again every 100000 events under load.
add_test(NAME shm.ring_stress_restart COMMAND ring_stress -p 3 -n 1000000 -l -r 100000)
set_tests_properties(shm.ring_stress_restart PROPERTIES TIMEOUT 600)

# Our udig structures against libscap's headers (libfalcosecurity0-dev).
if(LIBSCAP_INCLUDE)
  add_executable(udig_layout_test udig_layout_test.c)
  target_include_directories(udig_layout_test PRIVATE ${LIBSCAP_INCLUDE})
  target_link_libraries(udig_layout_test shm)
  add_test(NAME shm.udig_layout COMMAND udig_layout_test)
else()
  add_test(NAME shm.udig_layout COMMAND sh -c
    "echo 'SKIP: libscap headers (libfalcosecurity0-dev) not installed'; exit 77")
endif()
set_tests_properties(shm.udig_layout PROPERTIES SKIP_RETURN_CODE 77)
