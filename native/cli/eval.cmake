# `drift-train classifier` and `drift-train eval` (native/eval).
target_link_libraries(drift-train PRIVATE drift_eval)
