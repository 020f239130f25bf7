# Metrics of native/eval (FD, precision/recall, diversity, memorisation, energy distance).
if(TARGET drift_eval)
  drift_unit_test(test_metrics SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_metrics.cpp LIBS drift_eval)
  drift_use_torch(test_metrics)
endif()
