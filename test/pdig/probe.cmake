# What the kernel and the machine offer, asked natively before the checks
# that depend on it (test/lib/probe.sh); progs/kprobe asks what only a
# program can (int 0x80, x32, ptrace, seccomp, the CPUs), and runs a command
# with the 32-bit entry refused.
add_executable(pdprog_kprobe progs/kprobe.c)
set_target_properties(pdprog_kprobe PROPERTIES OUTPUT_NAME kprobe
                      RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/progs)
# what this machine offers (printed), the skip paths (PDIG_TEST_PRETEND_NO_*),
# and pdig where the 32-bit entry is refused
add_test(NAME pdig.probes COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/probes.sh
         $<TARGET_FILE:pdig> $<TARGET_FILE:pd_evdump> ${CMAKE_CURRENT_BINARY_DIR}/progs
         ${CMAKE_CURRENT_SOURCE_DIR})
set_tests_properties(pdig.probes PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
