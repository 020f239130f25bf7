# Toy data, Eigen drift field, toy trainer (helper "toy").
drift_unit_test(test_toy_data SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_toy_data.cpp LIBS drift_core)
