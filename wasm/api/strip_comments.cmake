# cmake -DIN=module.js -DOUT=x.js -P strip_comments.cmake: copies the loader without its
# whole-line // comments and indentation (the shipped copy; module.js stays the readable source).
file(STRINGS ${IN} lines)
set(out "")
foreach(l IN LISTS lines)
  string(STRIP "${l}" s)
  if(s STREQUAL "" OR s MATCHES "^//")
    continue()
  endif()
  string(APPEND out "${s}\n")
endforeach()
file(WRITE ${OUT} "${out}")
