# wasm/core: loader, SHA-256, f16, noise stream, generator forward, fuzzing (helper "format").
drift_unit_test(test_core_sha256 SOURCES test_core_sha256.cpp LIBS drift_core)
drift_unit_test(test_core_rng SOURCES test_core_rng.cpp LIBS drift_core)
drift_unit_test(test_core_f16 SOURCES test_core_f16.cpp LIBS drift_core)
drift_unit_test(test_core_loader SOURCES test_core_loader.cpp LIBS drift_core drift_export_writer)
drift_unit_test(test_core_generator SOURCES test_core_generator.cpp LIBS drift_core drift_export_writer)
drift_unit_test(test_core_fuzz SOURCES test_core_fuzz.cpp LIBS drift_core drift_export_writer)
