# wasm/core: loader, SHA-256, f16, noise stream, generator forward, fuzzing (helper "format").
drift_unit_test(test_core_sha256 SOURCES test_core_sha256.cpp LIBS drift_core)
drift_unit_test(test_core_rng SOURCES test_core_rng.cpp LIBS drift_core)
drift_unit_test(test_core_gemm SOURCES test_core_gemm.cpp LIBS drift_core)
drift_unit_test(test_core_conv SOURCES test_core_conv.cpp LIBS drift_core)
drift_unit_test(test_core_json SOURCES test_core_json.cpp LIBS drift_core)
drift_unit_test(test_core_f16 SOURCES test_core_f16.cpp LIBS drift_core)
drift_unit_test(test_core_loader SOURCES test_core_loader.cpp LIBS drift_core drift_export_writer)
drift_unit_test(test_core_generator SOURCES test_core_generator.cpp LIBS drift_core drift_export_writer)
drift_unit_test(test_core_writer SOURCES test_core_writer.cpp LIBS drift_core drift_export_writer)
drift_unit_test(test_core_fuzz SOURCES test_core_fuzz.cpp LIBS drift_core drift_export_writer)
# drift-infer: errors are one line naming the file and the problem.
if(TARGET drift-infer)
  add_test(NAME test_core_infer_missing_model
           COMMAND drift-infer sample --model /nonexistent/model.json --out x.npy)
  set_tests_properties(test_core_infer_missing_model PROPERTIES LABELS unit
    PASS_REGULAR_EXPRESSION "^drift-infer: error: /nonexistent/model.json: cannot read file\n$")
  add_test(NAME test_core_infer_bad_labels
           COMMAND drift-infer sample --model m.json --out x.npy --labels 1,two)
  set_tests_properties(test_core_infer_bad_labels PROPERTIES LABELS unit
    PASS_REGULAR_EXPRESSION "--labels: 'two' is not an integer")
endif()
