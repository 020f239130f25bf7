# native/eval: metrics against closed forms, and the classifier/eval pipeline on synthetic data.
if(TARGET drift_eval)
  drift_unit_test(test_metrics SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_metrics.cpp LIBS drift_eval)
  drift_use_torch(test_metrics)
  drift_unit_test(test_eval_pipeline SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_eval_pipeline.cpp LIBS drift_eval)
  drift_use_torch(test_eval_pipeline)
endif()
