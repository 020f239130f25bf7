# drift_io: IDX reader, .npy, atomic writes.
drift_unit_test(test_idx SOURCES test_idx.cpp LIBS drift_io ZLIB::ZLIB)
drift_unit_test(test_npy SOURCES test_npy.cpp LIBS drift_io)
