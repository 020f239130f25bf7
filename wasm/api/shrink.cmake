# cmake -DWASM=x.wasm -DWASM_DIS=.. -DWASM_METADCE=.. -DWASM_OPT=.. -P shrink.cmake
# After emcc's link: drop what only Emscripten's JS runtime would call (stackSave/Restore/Alloc,
# malloc, __errno_location, the table export: module.js uses the drift_* exports only), then a
# second binaryen pass at -O4 with emcc's own feature set. ~0.6 KB less gzipped, same speed.
execute_process(COMMAND ${WASM_DIS} ${WASM} OUTPUT_VARIABLE wat RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${WASM_DIS} ${WASM} failed")
endif()
string(REGEX MATCHALL "\\(export \"[^\"]+\"" exports "${wat}")
set(nodes "")
set(roots "")
foreach(e IN LISTS exports)
  string(REGEX REPLACE "^\\(export \"" "" name "${e}")
  string(REGEX REPLACE "\"$" "" name "${name}")
  string(APPEND nodes ",{\"name\":\"e_${name}\",\"export\":\"${name}\"}")
  if(name MATCHES "^(drift_.*|memory|_initialize)$")
    list(APPEND roots "\"e_${name}\"")
  endif()
endforeach()
list(JOIN roots "," roots)
file(WRITE ${WASM}.graph.json "[{\"name\":\"root\",\"root\":true,\"reaches\":[${roots}]}${nodes}]\n")
# Validate and optimise with the MVP + SIMD (-msimd128), plus the post-MVP features the link
# already uses: Emscripten 3.1.6 emits none, later ones (3.1.69) emit sign-extension ops by default,
# and binaryen rejects a module that uses a feature it was not given.
set(features --mvp-features --enable-simd)
if(wat MATCHES "i(32|64)\\.extend(8|16|32)_s")
  list(APPEND features --enable-sign-ext)
endif()
if(wat MATCHES "\\.trunc_sat_")
  list(APPEND features --enable-nontrapping-float-to-int)
endif()
if(wat MATCHES "memory\\.(copy|fill|init)|data\\.drop")
  list(APPEND features --enable-bulk-memory)
endif()
execute_process(COMMAND ${WASM_METADCE} ${features} -f ${WASM}.graph.json ${WASM} -o ${WASM}
                OUTPUT_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${WASM_METADCE} ${WASM} failed")
endif()
execute_process(COMMAND ${WASM_OPT} ${features} -O4 ${WASM} -o ${WASM} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${WASM_OPT} ${WASM} failed")
endif()
file(REMOVE ${WASM}.graph.json)
