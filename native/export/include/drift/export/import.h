// The way back from an exported model to LibTorch, for measuring exactly what the page runs:
// an f32, f16 or int8 model.json/model.bin (as stored, decoded by the core's reader) loaded
// into a generator of the same configuration.
#pragma once
#include <string>

#include "drift/models/generator.h"

namespace drift::exporter {

// Copies the final weights of MANIFEST_PATH into g by tensor name (the names export writes:
// g->named_parameters() keys). Throws std::runtime_error("PATH: problem") when the model does
// not load, or names a tensor g lacks, or its shapes or parameter count differ from g's.
void load_exported_weights(drift::models::Generator& g, const std::string& manifest_path);

}  // namespace drift::exporter
