# The Falco rules language (issue 6): loader conformance and the shared rule sets.
find_package(Python3 COMPONENTS Interpreter)

add_executable(rules_dump rules_dump.c)
target_link_libraries(rules_dump engine_core)

if(Python3_FOUND)
  # Falco's rule-loader test vectors (exits 77 when ../shared is absent)
  add_test(NAME engine.rule_loader_conformance
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/rule_loader_conformance.py
            $<TARGET_FILE:rules_dump> ${SHARED_DIR}/conformance/rule_loader_cases.json)
  set_tests_properties(engine.rule_loader_conformance PROPERTIES SKIP_RETURN_CODE 77)
endif()

add_executable(pdig-engine-rules rules_engine.c)
target_link_libraries(pdig-engine-rules engine_core)
set_target_properties(pdig-engine-rules PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
add_executable(pdig-engine-rules-asan rules_engine.c)
target_link_libraries(pdig-engine-rules-asan engine_core_asan)
add_executable(rules_dump_asan rules_dump.c)
target_link_libraries(rules_dump_asan engine_core_asan)

# Falco's stable, incubating and sandbox sets load unmodified with no error
# (rules using fields pdig-engine lacks are reported and skipped); under
# ASan+UBSan, so a crash or a leak fails too.
add_test(NAME engine.rules_falco_sets
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/rules_sets.sh $<TARGET_FILE:rules_dump_asan>
          ${SHARED_DIR}/falco-rules)
set_tests_properties(engine.rules_falco_sets PROPERTIES SKIP_RETURN_CODE 77)

# real programs under pdig, their alerts with the stable rules
add_test(NAME engine.rules_alerts
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/rules_alerts.sh $<TARGET_FILE:pdig>
          $<TARGET_FILE:pdig-engine-rules-asan> ${SHARED_DIR}/falco-rules/falco_rules.yaml
          ${PROJECT_SOURCE_DIR}/rules/pdig_rules.yaml)
set_tests_properties(engine.rules_alerts PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)

# the loader's own unit tests
add_executable(check_engine_rules check_rules.c)
# ASan+UBSan: the rules-mode tests run the whole engine in-process
target_link_libraries(check_engine_rules engine_core_asan PkgConfig::CHECK)
# (gen_capture writes the captures its rules-mode tests replay)
add_test(NAME engine.rules COMMAND check_engine_rules $<TARGET_FILE:gen_capture>)

# libFuzzer target for the loader and the condition parser (CC=clang -DPDIG_FUZZ=ON).
# The engine's sources are compiled into it with coverage instrumentation.
if(PDIG_FUZZ)
  set(ENG_DIR ${PROJECT_SOURCE_DIR}/engine)
  add_executable(fuzz_rules fuzz_rules.c
    ${ENG_DIR}/filter_parse.c ${ENG_DIR}/ast_print.c ${ENG_DIR}/filter.c ${ENG_DIR}/filter_xform.c ${ENG_DIR}/xform.c ${ENG_DIR}/filter_eval.c
    ${ENG_DIR}/match.c ${ENG_DIR}/fields.c ${ENG_DIR}/map.c
    ${ENG_DIR}/fields_container.c ${ENG_DIR}/fields_evt.c ${ENG_DIR}/fields_fd.c
    ${ENG_DIR}/fields_proc.c ${ENG_DIR}/fields_user.c ${ENG_DIR}/fields_stack.c
    ${ENG_DIR}/output.c ${ENG_DIR}/output_render.c ${ENG_DIR}/state.c ${ENG_DIR}/rules_set.c ${ENG_DIR}/rules_load.c
    ${ENG_DIR}/rules_items.c
    ${ENG_DIR}/state_table.c ${ENG_DIR}/state_users.c ${ENG_DIR}/state_snapshot.c
    ${ENG_DIR}/state_proc.c ${ENG_DIR}/state_compat.c ${ENG_DIR}/state_file.c ${ENG_DIR}/state_net.c
    ${ENG_DIR}/rules_compile.c ${ENG_DIR}/rules_ast.c ${ENG_DIR}/rules_expand.c
    ${ENG_DIR}/rules_exceptions.c ${ENG_DIR}/container.c)
  target_include_directories(fuzz_rules PRIVATE ${ENG_DIR})
  target_compile_options(fuzz_rules PRIVATE -fsanitize=fuzzer,address,undefined
                         -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(fuzz_rules PRIVATE -fsanitize=fuzzer,address,undefined)
  # regex_re2.cc, the engine's one C++ file, is built apart without the fuzzer
  # flags (CXX may be g++, which has no libFuzzer); the target links as C
  add_library(fuzz_rules_regex STATIC ${ENG_DIR}/regex_re2.cc)
  target_link_libraries(fuzz_rules_regex PUBLIC PkgConfig::RE2 stdc++)
  target_link_libraries(fuzz_rules shm PkgConfig::YAML fuzz_rules_regex)
  set_target_properties(fuzz_rules PROPERTIES LINKER_LANGUAGE C)
  # Seeds: ours (corpus_rules/), plus Falco's rule-loader vectors from
  # ../shared when present, copied into the build tree at test time (they
  # are not ours to commit). New inputs stay in the build tree.
  set(FUZZ_RULES_WORK ${CMAKE_CURRENT_BINARY_DIR}/corpus_rules_work)
  file(MAKE_DIRECTORY ${FUZZ_RULES_WORK})
  add_test(NAME fuzz.rules
    COMMAND sh -c "python3 '${CMAKE_CURRENT_SOURCE_DIR}/rules_fuzz_seeds.py' \
'${SHARED_DIR}/conformance/rule_loader_cases.json' '${FUZZ_RULES_WORK}' && \
exec '$<TARGET_FILE:fuzz_rules>' -max_total_time=20 -timeout=10 -rss_limit_mb=2048 \
-max_len=8192 '${FUZZ_RULES_WORK}' '${CMAKE_CURRENT_SOURCE_DIR}/corpus_rules'")
endif()

# -V: errors with file:line:column, exit 1; a good file says Ok, exit 0
add_test(NAME engine.rules_validate
  COMMAND sh -c "\"$0\" -V \"$1\" >\"$3\"; rc=$?; cat \"$3\"; [ $rc -eq 1 ] && \
grep -q 'rules_bad.yaml:5:36: error: \\[LOAD_ERR_VALIDATE\\] rule .Shell spawned.: Undefined macro .shell_procs.' \"$3\" && \
\"$0\" -V \"$2\" | grep -q 'pdig_rules.yaml: Ok'"
    $<TARGET_FILE:pdig-engine-rules> ${CMAKE_CURRENT_SOURCE_DIR}/rules_bad.yaml
    ${PROJECT_SOURCE_DIR}/rules/pdig_rules.yaml ${CMAKE_CURRENT_BINARY_DIR}/rules_validate.out)

# Falco's output-formatter vectors against eng_output (text, JSON, ancestors and invalid
# formats); the second argument is the pass count reached so far: fewer is
# a regression.
add_executable(rules_formatter_conformance rules_formatter_conformance.c)
target_link_libraries(rules_formatter_conformance engine_core)
add_test(NAME engine.rules_formatter_conformance
  COMMAND rules_formatter_conformance ${SHARED_DIR}/conformance/formatter_cases.tsv 59)
set_tests_properties(engine.rules_formatter_conformance PROPERTIES SKIP_RETURN_CODE 77)
