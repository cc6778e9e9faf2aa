# container.id and friends (engine/container.c): a Check suite under
# ASan+UBSan, and the differential test against sysdig 0.29.3 on captures
# with the cgroups of container runtimes (exits 77 without sysdig).
add_executable(check_engine_container container_check.c)
target_link_libraries(check_engine_container engine_core_asan PkgConfig::CHECK)
add_test(NAME engine.container COMMAND check_engine_container)

add_executable(container_gen container_gen.c)
target_link_libraries(container_gen shm)

# real commands recorded by pdig (given --container-id) too
add_test(NAME engine.container_diff
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/container_diff.sh $<TARGET_FILE:pdig-engine-asan>
          $<TARGET_FILE:container_gen> $<TARGET_FILE:pdig>)
set_tests_properties(engine.container_diff PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
