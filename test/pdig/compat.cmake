# H2's tests: EINTR retries, 32-bit sendmsg/recvmsg, the snapshot re-sent
# to a new ring consumer.
add_executable(pdprog_sigretry progs/sigretry.c)
set_target_properties(pdprog_sigretry PROPERTIES OUTPUT_NAME sigretry
                      RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/progs)
# the same through int 0x80 (static and non-PIE like int80)
add_executable(pdprog_int80eintr progs/int80eintr.c)
target_compile_options(pdprog_int80eintr PRIVATE -fno-pie -fno-sanitize=all)
target_link_options(pdprog_int80eintr PRIVATE -static -no-pie -fno-sanitize=all)
set_target_properties(pdprog_int80eintr PROPERTIES OUTPUT_NAME int80eintr
                      RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/progs)
add_test(NAME pdig.eintr_retry COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/eintr_retry.sh
         $<TARGET_FILE:pdig> $<TARGET_FILE:pd_evdump> ${CMAKE_CURRENT_BINARY_DIR}/progs)
set_tests_properties(pdig.eintr_retry PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120)

# 32-bit sendmsg/recvmsg (int 0x80) against the same 64-bit calls; static and
# non-PIE like int80
add_executable(pdprog_int80msg progs/int80msg.c)
target_compile_options(pdprog_int80msg PRIVATE -fno-pie -fno-sanitize=all)
target_link_options(pdprog_int80msg PRIVATE -static -no-pie -fno-sanitize=all)
set_target_properties(pdprog_int80msg PROPERTIES OUTPUT_NAME int80msg
                      RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/progs)
add_test(NAME pdig.compat_msg COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/compat_msg.sh
         $<TARGET_FILE:pdig> $<TARGET_FILE:pd_evdump> ${CMAKE_CURRENT_BINARY_DIR}/progs)
set_tests_properties(pdig.compat_msg PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120)

# PPM_SC codes and their categories from our data file shm/ppm_sc.in
# (checked against libscap's header and table when they are installed)
add_test(NAME pdig.ppm_sc COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/ppm_sc.sh
         ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/scripts ${PROJECT_SOURCE_DIR}/pdig
         ${PROJECT_SOURCE_DIR}/shm/events.in ${PROJECT_SOURCE_DIR}/shm/ppm_sc.in)
set_tests_properties(pdig.ppm_sc PROPERTIES SKIP_RETURN_CODE 77)

# an engine restarted while pdig runs gets the traced tree again
add_executable(pdprog_longfd progs/longfd.c)
set_target_properties(pdprog_longfd PROPERTIES OUTPUT_NAME longfd
                      RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/progs)
add_test(NAME pdig.snapshot_restart COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/snapshot_restart.sh
         $<TARGET_FILE:pdig> $<TARGET_FILE:pdig-engine> ${CMAKE_CURRENT_BINARY_DIR}/progs)
set_tests_properties(pdig.snapshot_restart PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120)
