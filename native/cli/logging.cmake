# `drift-train gif` (cmd_gif.cpp) and the trainer's logging.
target_link_libraries(drift-train PRIVATE drift_logging)
