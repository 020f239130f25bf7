# `drift-train train | sample | field` (cmd_train.cpp, cmd_sample.cpp, cmd_field.cpp).
target_link_libraries(drift-train PRIVATE drift_train drift_field drift_models)
