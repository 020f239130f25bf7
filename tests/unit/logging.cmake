# Logging (native/logging, torch-free) and datasets (native/data, torch).
drift_unit_test(test_tensorboard SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_tensorboard.cpp LIBS drift_logging)
drift_unit_test(test_images SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_images.cpp LIBS drift_logging)
drift_unit_test(test_datasets SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_datasets.cpp LIBS drift_data)
drift_use_torch(test_datasets)
