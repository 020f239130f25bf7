# drift-train export (cmd_export.cpp)
target_link_libraries(drift-train PRIVATE drift_export)
target_include_directories(drift-train PRIVATE ${CMAKE_SOURCE_DIR}/native)
