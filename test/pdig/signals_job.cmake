# Signals to the whole job reach the command once; a stopped job does not
# freeze the rest of the traced tree (test/pdig/signals_job*.sh).
add_executable(pdprog_sigcount progs/sigcount.c)
set_target_properties(pdprog_sigcount PROPERTIES OUTPUT_NAME sigcount
                      RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/progs)
add_test(NAME pdig.signals_job_count COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/signals_job_count.sh
         $<TARGET_FILE:pdig> ${CMAKE_CURRENT_BINARY_DIR}/progs)
add_test(NAME pdig.signals_job_stop COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/signals_job_stop.sh
         $<TARGET_FILE:pdig>)
set_tests_properties(pdig.signals_job_count pdig.signals_job_stop PROPERTIES
                     SKIP_RETURN_CODE 77 TIMEOUT 120)
