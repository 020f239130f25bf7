# Unit test of the fused optimizer tail (clip + AdamW + EMA) against LibTorch's.
if(TARGET drift_train)
  drift_unit_test(test_fused_adamw SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_fused_adamw.cpp LIBS drift_train)
  drift_use_torch(test_fused_adamw)
endif()
