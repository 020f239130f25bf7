# PyTorch 2.13 and later refuse C++17 in their headers ("C++20 or later compatible compiler is
# required to use ATen"); older ones accept both, so 17 stays the default there.
if(Torch_VERSION VERSION_GREATER_EQUAL 2.13 AND CMAKE_CXX_STANDARD LESS 20)
  set(CMAKE_CXX_STANDARD 20)
endif()
message(STATUS "drift: LibTorch ${Torch_VERSION}, C++${CMAKE_CXX_STANDARD}")

# drift_use_torch(target): link LibTorch and share one precompiled header, because the torch
# headers are most of the compile time of every trainer file on a 2-core machine.
set(DRIFT_TORCH_PCH ${CMAKE_SOURCE_DIR}/native/torch_pch.h)
add_library(drift_torch_pch STATIC ${CMAKE_SOURCE_DIR}/native/torch_pch.cpp)
# The header also includes <nlohmann/json.hpp>: its include path must be the one the build found
# (gpu-deps.sh --verify-build saw the system's copy leak into the .gch without this).
target_link_libraries(drift_torch_pch PUBLIC ${TORCH_LIBRARIES} nlohmann_json::nlohmann_json)
target_compile_options(drift_torch_pch PUBLIC ${TORCH_CXX_FLAGS_LIST})
target_precompile_headers(drift_torch_pch PRIVATE ${DRIFT_TORCH_PCH})

function(drift_use_torch target)
  target_link_libraries(${target} PUBLIC ${TORCH_LIBRARIES})
  target_precompile_headers(${target} REUSE_FROM drift_torch_pch)
endfunction()
