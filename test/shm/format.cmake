# Parameter rendering (shm_format) and pdig-dump.

# Unit tests, one per value type (suite "format").
add_executable(check_format check_format.c)
target_link_libraries(check_format shm_asan PkgConfig::CHECK)
add_test(NAME shm.format COMMAND check_format)

# Our rendering against the real sysdig's, on every stateless event type.
add_executable(format_corpus format_corpus.c)
target_link_libraries(format_corpus shm)
add_test(NAME shm.format_sysdig
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/format_sysdig_test.sh $<TARGET_FILE:format_corpus> 60)
set_tests_properties(shm.format_sysdig PROPERTIES SKIP_RETURN_CODE 77)

# pdig-dump: exact output on a known capture, and its error messages.
add_executable(dump_sample dump_sample.c)
target_link_libraries(dump_sample shm)
add_test(NAME shm.dump
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/dump_test.sh $<TARGET_FILE:pdig-dump>
          $<TARGET_FILE:dump_sample> ${CMAKE_CURRENT_SOURCE_DIR}/dump_expected.txt)
set_tests_properties(shm.dump PROPERTIES SKIP_RETURN_CODE 77)

# Our syscall name table against libscap's (Debian's libfalcosecurity0-dev).
if(LIBSCAP AND LIBSCAP_INCLUDE)
  add_executable(format_names_test format_names_test.c)
  target_include_directories(format_names_test PRIVATE ${LIBSCAP_INCLUDE}
                             ${LIBSCAP_INCLUDE}/userspace/libscap)
  target_link_libraries(format_names_test shm ${LIBSCAP})
  add_test(NAME shm.format_names COMMAND format_names_test)
else()
  add_test(NAME shm.format_names COMMAND sh -c
    "echo 'SKIP: libscap (libfalcosecurity0-dev) not installed'; exit 77")
endif()
set_tests_properties(shm.format_names PROPERTIES SKIP_RETURN_CODE 77)
