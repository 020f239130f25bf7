# The trainer must run on OpenBLAS (checked through ldd on the real binary).
if(TARGET drift-train)
  add_test(NAME trainer_uses_openblas
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/check_blas.sh $<TARGET_FILE:drift-train>)
  set_tests_properties(trainer_uses_openblas PROPERTIES LABELS unit)
endif()
