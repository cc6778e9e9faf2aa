# Capture-file (.scap) tests: round trip, damaged files, sysdig interop, gzip.
add_executable(scap_write_sample scap_write_sample.c scap_sample.c)
target_link_libraries(scap_write_sample shm)
add_executable(scap_compare scap_compare.c)
target_link_libraries(scap_compare shm)

# Built against shm_asan: the damaged-file cases must not read out of bounds.
add_executable(check_scap check_scap.c scap_sample.c)
target_link_libraries(check_scap shm_asan PkgConfig::CHECK PkgConfig::ZLIB)
add_test(NAME shm.scap COMMAND check_scap)
# old event blocks and older event versions (shm/scap_read_old.c)
add_executable(check_scap_old check_scap_old.c)
target_link_libraries(check_scap_old shm_asan PkgConfig::CHECK)
add_test(NAME shm.scap_old COMMAND check_scap_old)

# Interop with Debian's sysdig (exits 77 when sysdig is missing).
add_test(NAME shm.scap_sysdig
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/scap_sysdig_test.sh
          $<TARGET_FILE:scap_write_sample> $<TARGET_FILE:scap_compare>
          ${CMAKE_CURRENT_SOURCE_DIR}/scap_sysdig_expected)
set_tests_properties(shm.scap_sysdig PROPERTIES SKIP_RETURN_CODE 77)
