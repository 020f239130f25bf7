# drift_use_torch(target): link LibTorch and share one precompiled header, because the torch
# headers are most of the compile time of every trainer file on a 2-core machine.
set(DRIFT_TORCH_PCH ${CMAKE_SOURCE_DIR}/native/torch_pch.h)
add_library(drift_torch_pch STATIC ${CMAKE_SOURCE_DIR}/native/torch_pch.cpp)
target_link_libraries(drift_torch_pch PUBLIC ${TORCH_LIBRARIES})
target_compile_options(drift_torch_pch PUBLIC ${TORCH_CXX_FLAGS_LIST})
target_precompile_headers(drift_torch_pch PRIVATE ${DRIFT_TORCH_PCH})

function(drift_use_torch target)
  target_link_libraries(${target} PUBLIC ${TORCH_LIBRARIES})
  target_precompile_headers(${target} REUSE_FROM drift_torch_pch)
endfunction()
