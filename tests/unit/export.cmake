# native/export (LibTorch side of the weights format).
drift_unit_test(test_export_snapshots SOURCES test_export_snapshots.cpp LIBS drift_export)
