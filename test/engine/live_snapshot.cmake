# live: the tracer's snapshot (parent, inherited fds, cwd, users) reaches
# pdig-engine through the ring, as it reaches a capture (exits 77 without
# ptrace). The engine runs under ASan+UBSan.
add_test(NAME engine.live_snapshot
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/live_snapshot.sh $<TARGET_FILE:pdig-engine-asan>
          $<TARGET_FILE:pdig>)
set_tests_properties(engine.live_snapshot PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120)
