# Under Emscripten, find_package cannot see the host's Eigen and nlohmann/json (the toolchain
# restricts searches to its sysroot), and adding /usr/include would shadow the sysroot's libc
# headers. Both libraries are header-only, so expose just their folders.
find_path(DRIFT_EIGEN_INCLUDE Eigen/Core PATHS /usr/include/eigen3 NO_CMAKE_FIND_ROOT_PATH REQUIRED)
find_path(DRIFT_JSON_HEADER_DIR nlohmann/json.hpp PATHS /usr/include NO_CMAKE_FIND_ROOT_PATH REQUIRED)

add_library(Eigen3::Eigen INTERFACE IMPORTED)
set_target_properties(Eigen3::Eigen PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${DRIFT_EIGEN_INCLUDE})

# A folder holding only a link to nlohmann/, so nothing else from /usr/include comes along.
set(_json_dir ${CMAKE_BINARY_DIR}/host-json-include)
file(MAKE_DIRECTORY ${_json_dir})
file(CREATE_LINK ${DRIFT_JSON_HEADER_DIR}/nlohmann ${_json_dir}/nlohmann SYMBOLIC)
add_library(nlohmann_json::nlohmann_json INTERFACE IMPORTED)
set_target_properties(nlohmann_json::nlohmann_json PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${_json_dir})
