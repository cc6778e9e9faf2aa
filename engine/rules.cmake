# The Falco rules language (issue 6): loader and compiler, linked into the
# engine library so that pdig-engine and the tests share them.
set(ENG_RULES_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/rules_set.c
  ${CMAKE_CURRENT_SOURCE_DIR}/rules_load.c
  ${CMAKE_CURRENT_SOURCE_DIR}/rules_items.c
  ${CMAKE_CURRENT_SOURCE_DIR}/rules_compile.c
  ${CMAKE_CURRENT_SOURCE_DIR}/rules_ast.c
  ${CMAKE_CURRENT_SOURCE_DIR}/rules_expand.c
  ${CMAKE_CURRENT_SOURCE_DIR}/rules_exceptions.c
)
foreach(lib engine_core engine_core_asan)
  if(NOT TARGET ${lib})
    continue()
  endif()
  target_sources(${lib} PRIVATE ${ENG_RULES_SOURCES})
  target_link_libraries(${lib} PUBLIC PkgConfig::YAML)
endforeach()
