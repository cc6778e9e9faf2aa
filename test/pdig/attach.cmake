# pdig -p: attaching to running processes (test/pdig/attach.sh); a killed
# pdig's capture (test/pdig/killed.sh)
add_executable(pdprog_attach_target progs/attach_target.c)
target_link_libraries(pdprog_attach_target pthread)
set_target_properties(pdprog_attach_target PROPERTIES OUTPUT_NAME attach_target
                      RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/progs)
add_executable(pdprog_attach_ownfilter progs/attach_ownfilter.c)
target_link_libraries(pdprog_attach_ownfilter pthread)
set_target_properties(pdprog_attach_ownfilter PROPERTIES OUTPUT_NAME attach_ownfilter
                      RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/progs)
add_test(NAME pdig.attach COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/attach.sh
         $<TARGET_FILE:pdig> $<TARGET_FILE:pd_evdump> ${CMAKE_CURRENT_BINARY_DIR}/progs
         $<TARGET_FILE:pdig-engine>)
set_tests_properties(pdig.attach PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 180)

# a pdig killed with SIGKILL leaves its capture readable up to the last
# fraction of a second (test/pdig/killed.sh)
add_test(NAME pdig.killed COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/killed.sh
         $<TARGET_FILE:pdig> $<TARGET_FILE:pdig-dump> ${CMAKE_CURRENT_BINARY_DIR}/progs)
set_tests_properties(pdig.killed PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 60)
