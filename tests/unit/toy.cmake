# Toy data, Eigen drift field, toy trainer (helper "toy").
drift_unit_test(test_toy_data SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_toy_data.cpp LIBS drift_core)
drift_unit_test(test_field_eigen SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_field_eigen.cpp LIBS drift_core)
# Parity of the Eigen field with a float64 torch transcription of the spec (needs /usr/bin/python3 + torch).
drift_unit_test(test_field_torch_ref SOURCES ${CMAKE_SOURCE_DIR}/tests/parity/test_field_torch_ref.cpp LIBS drift_core)
set_tests_properties(test_field_torch_ref PROPERTIES LABELS parity)
drift_unit_test(test_toy_trainer SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_toy_trainer.cpp LIBS drift_core)
# Field parity through the CLIs: drift-train field (LibTorch) vs the Eigen field (and drift-infer field).
if(TARGET drift-train AND TARGET drift_io)
  drift_unit_test(test_field_cli_parity SOURCES ${CMAKE_SOURCE_DIR}/tests/parity/test_field_cli_parity.cpp
                  LIBS drift_core drift_io)
  target_compile_definitions(test_field_cli_parity PRIVATE DRIFT_TRAIN_EXE="$<TARGET_FILE:drift-train>"
                             $<$<TARGET_EXISTS:drift-infer>:DRIFT_INFER_EXE="$<TARGET_FILE:drift-infer>">)
  set_tests_properties(test_field_cli_parity PROPERTIES LABELS parity)
endif()
