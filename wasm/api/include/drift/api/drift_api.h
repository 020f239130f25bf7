// C API of the drift core for WebAssembly (web/drift.js calls it through the module's
// exports). Buffers are pointers into the wasm heap (allocate with drift_malloc). Functions
// that can fail return 0 / -1 / NaN and leave a one-line message in drift_last_error().
// Handles are small positive integers; 0 is never a valid handle.
#pragma once
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

const char* drift_last_error(void);
const char* drift_version(void);
void* drift_malloc(int bytes);
void drift_free(void* p);

// ---- models (docs/weights-format.md) ----
// Returns a handle, or 0 with drift_last_error() set ("model.json: problem").
int drift_model_load(const char* manifest, int manifest_len, const uint8_t* bin, int bin_len);
void drift_model_free(int model);
// JSON object: format, version, num_classes, latent_dim, input_dim, alpha_range,
// output_shape, output_range, output_size, parameters, layers, snapshots ({name, step}, plus
// file, bytes, sha256 for one in its own file), training.
// The string lives until the model is freed. NULL on a bad handle.
const char* drift_model_info(int model);
int drift_model_output_size(int model);  // floats per sample, -1 on a bad handle
// Gives snapshot `name` the bytes of its own file (info's snapshots[i].file, format version 2).
// Returns 0, or -1 with drift_last_error() set ("model.json: FILE: problem"). Until then,
// generating from that snapshot fails.
int drift_model_load_snapshot(int model, const char* name, const uint8_t* bin, int bin_len);
int drift_model_latent_dim(int model);
// out [n, output_size]. labels [n] (ignored if num_classes == 0; may be NULL then).
// noise [n, latent_dim] or NULL to draw it from (seed_hi << 32 | seed_lo).
// snapshot: NULL, "" or "final" for the final weights, else a snapshot name.
// Returns 0, or -1 with drift_last_error() set.
int drift_generate(int model, int n, const int32_t* labels, float alpha, uint32_t seed_lo,
                   uint32_t seed_hi, const float* noise, const char* snapshot, float* out);

// ---- toy trainer (drift/toy_trainer.h) ----
// target: a toy set name, or NULL/"" with points [m,2]. init: middle|far|collapsed.
// n: samples per step (also the points shown). hidden: MLP width, 0 for the default (128).
// Returns a handle, or 0 with drift_last_error() set.
int drift_toy_create(const char* target, const float* points, int m, const char* init, int n,
                     uint32_t seed, float tau, float lr, int hidden);
void drift_toy_free(int toy);
int drift_toy_step(int toy, int k);            // 0 or -1
int drift_toy_step_count(int toy);             // -1 on a bad handle
int drift_toy_eval_count(int toy);             // rows of generated()/field()
int drift_toy_target_count(int toy);           // rows of targets()
// [rows,2] row-major, owned by the trainer, valid until its next call. NULL on error.
const float* drift_toy_generated(int toy);
const float* drift_toy_targets(int toy);
const float* drift_toy_field(int toy);
float drift_toy_distance(int toy);             // NaN on error
float drift_toy_loss(int toy);
int drift_toy_set_target(int toy, const char* name);
int drift_toy_set_points(int toy, const float* points, int m);
int drift_toy_reset(int toy, const char* init);
int drift_toy_set_temperature(int toy, float tau);
int drift_toy_set_lr(int toy, float lr);
const char* drift_toy_names(void);              // "checkerboard,swissroll,...": the toy sets
// ---- digit trainer (drift/core/digit_trainer.h; its own module drift_digits.wasm) ----
// A class-conditional generator of 28x28 digits trained in place with the drift loss. Feed it a
// digit pack (docs/digit-pack.md: the bytes of digits.pack, i.e. digits.pack.gz inflated),
// step it, read samples and the quality proxy, export it in the weights format.
// arch: NULL/"" for the default, else a name of drift_digits_archs(). lr: 0 for the arch's.
// Seed (seed_hi << 32 | seed_lo). Returns a handle, or 0 with drift_last_error() set.
int drift_digits_create(const char* arch, uint32_t seed_lo, uint32_t seed_hi, float lr);
void drift_digits_free(int digits);
// pack [bytes]: a whole digit pack; name: the file name for errors (NULL: "digits.pack").
// The last 500 digits are held out for the quality proxy. Resets training. 0, or -1 with
// drift_last_error() = "NAME: problem" (corrupt or truncated pack) or "digit trainer: problem".
int drift_digits_set_data(int digits, const uint8_t* pack, int bytes, const char* name);
int drift_digits_step(int digits, int k);            // k steps, 0 or -1 (no data, bad k)
int drift_digits_step_count(int digits);             // -1 on a bad handle
float drift_digits_loss(int digits);                 // last step's drift loss; NaN on error
// Quality proxy: energy distance (pixel space) between 20 generated digits per class (fixed
// noise) and 200 held-out digits; lower is better. NaN on error (no data).
float drift_digits_quality(int digits);
// [10 * per_class, 784] floats in [0, 1], class 0's samples first, on fixed noise (the same
// noise at every call: a grid that changes only as training does); per_class in [1, 64].
// The noise is the weights format's stream for the trainer's seed: the export draws the same
// digits with drift_generate(n = 10 * per_class, labels class-major, alpha 1, that seed).
// Valid until the next call on this handle. NULL on error.
const float* drift_digits_sample(int digits, int per_class);
int drift_digits_set_lr(int digits, float lr);       // 0 or -1
int drift_digits_reset(int digits);                  // new weights (same seed), step 0; 0 or -1
int drift_digits_param_count(int digits);            // -1 on a bad handle
// Encodes the generator as model.json + model.bin (weights format, f32); 0 or -1. The texts
// below stay valid until the next export or free.
int drift_digits_export(int digits);
const char* drift_digits_export_manifest(int digits);  // model.json text, NULL before export
const uint8_t* drift_digits_export_bin(int digits);    // model.bin bytes
int drift_digits_export_bin_size(int digits);          // -1 before export
const char* drift_digits_archs(void);                  // "mlp256,mlp128": the arch table

#ifdef __cplusplus
}
#endif
