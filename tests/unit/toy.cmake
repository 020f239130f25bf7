# Toy data, Eigen drift field, toy trainer (helper "toy").
drift_unit_test(test_toy_data SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_toy_data.cpp LIBS drift_core)
drift_unit_test(test_field_eigen SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_field_eigen.cpp LIBS drift_core)
# Parity of the Eigen field with a float64 torch transcription of the spec (needs /usr/bin/python3 + torch).
drift_unit_test(test_field_torch_ref SOURCES ${CMAKE_SOURCE_DIR}/tests/parity/test_field_torch_ref.cpp LIBS drift_core)
set_tests_properties(test_field_torch_ref PROPERTIES LABELS parity)
drift_unit_test(test_toy_trainer SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_toy_trainer.cpp LIBS drift_core)
