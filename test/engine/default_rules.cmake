# rules/ (pdig's default rule set): every rule loads and is active, -V gives
# no warning, each rule fires on a real scenario traced by pdig and benign
# programs fire nothing. Included from test/engine/CMakeLists.txt.

# a capture with producer drops, for the drop rule (pdig writes none)
add_executable(default_rules_gen_drops ${CMAKE_CURRENT_SOURCE_DIR}/default_rules/gen_drops.c)
target_link_libraries(default_rules_gen_drops shm)

# pdig-engine-rules (rules.cmake) is the engine's whole program, built for the tests
add_test(NAME engine.default_rules
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/default_rules.sh $<TARGET_FILE:pdig>
          $<TARGET_FILE:pdig-engine-rules> ${PROJECT_SOURCE_DIR}/rules
          $<TARGET_FILE:default_rules_gen_drops>)
set_tests_properties(engine.default_rules PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
