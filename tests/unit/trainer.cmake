# Unit tests of the trainer area: field, generators, training loop, CLI.
drift_unit_test(test_field SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_field.cpp LIBS drift_field)
drift_use_torch(test_field)
if(TARGET drift_models)
  drift_unit_test(test_models SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_models.cpp LIBS drift_models)
  drift_use_torch(test_models)
endif()
