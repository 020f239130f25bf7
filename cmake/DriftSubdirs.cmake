# drift_add_subdirs(dir): adds dir if it has a CMakeLists.txt. Lets each folder own its
# build file without a central list that every change has to edit.
function(drift_add_subdirs dir)
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/CMakeLists.txt)
    add_subdirectory(${dir})
  endif()
endfunction()

# drift_add_children(): adds every immediate child folder of the current one that has a
# CMakeLists.txt, in alphabetical order (targets may reference each other in any order).
macro(drift_add_children)
  file(GLOB _drift_children LIST_DIRECTORIES true RELATIVE ${CMAKE_CURRENT_SOURCE_DIR}
       ${CMAKE_CURRENT_SOURCE_DIR}/*)
  list(SORT _drift_children)
  foreach(_child IN LISTS _drift_children)
    if(IS_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/${_child}
       AND EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${_child}/CMakeLists.txt)
      add_subdirectory(${_child})
    endif()
  endforeach()
endmacro()
