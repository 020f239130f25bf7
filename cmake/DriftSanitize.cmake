# DRIFT_SANITIZE: every target compiled and linked with ASan + UBSan (any error aborts, so a
# test fails instead of printing a warning). DRIFT_FUZZ: libFuzzer needs clang; the libraries
# get coverage instrumentation (-fsanitize=fuzzer-no-link) so the harnesses are guided by it.
if(DRIFT_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "DRIFT_FUZZ needs clang (cmake --preset fuzz sets CC=clang CXX=clang++)")
  endif()
  set(DRIFT_SANITIZE ON)
endif()
if(DRIFT_SANITIZE)
  set(_drift_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_compile_options(${_drift_san})
  add_link_options(${_drift_san})
  if(DRIFT_FUZZ)
    add_compile_options(-fsanitize=fuzzer-no-link)
  endif()
endif()
