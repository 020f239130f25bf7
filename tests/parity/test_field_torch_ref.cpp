// Eigen drift field (float32) against tests/parity/field_reference.py, a float64 torch
// transcription of the spec, on random inputs of 2D-toy and MNIST-like sizes.
#include "drift_catch.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "drift/core/field_eigen.h"
#include "drift/core/toy_data.h"

using namespace drift::core;
namespace fs = std::filesystem;

namespace {
RowMatrixXf randn(int n, int d, uint64_t seed, float scale, float shift) {
  ToyRng r(seed);
  RowMatrixXf m(n, d);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < d; ++j) m(i, j) = shift + scale * r.normal();
  return m;
}
void write_f32(const fs::path& p, const RowMatrixXf& m) {
  std::ofstream f(p, std::ios::binary);
  f.write(reinterpret_cast<const char*>(m.data()), std::streamsize(m.size() * sizeof(float)));
}
RowMatrixXf read_f32(const fs::path& p, int n, int d) {
  RowMatrixXf m(n, d);
  std::ifstream f(p, std::ios::binary);
  f.read(reinterpret_cast<char*>(m.data()), std::streamsize(m.size() * sizeof(float)));
  REQUIRE(f.gcount() == std::streamsize(m.size() * sizeof(float)));
  return m;
}

// max |a-b| / max |b|. B > 1: B groups of these sizes as one batch (drift_field_groups).
float compare(int G, int P, int U, int D, float w_u, const FieldParams& p, uint64_t seed, int B = 1) {
  RowMatrixXf x = randn(B * G, D, seed, 1.0f, 0.0f);
  RowMatrixXf pos = randn(B * P, D, seed + 1, 0.8f, 0.7f);
  RowMatrixXf unc = randn(B * U, D, seed + 2, 1.2f, -0.3f);
  for (int b = 0; b < B; ++b) pos.middleRows(b * P, P).array() += 0.3f * float(b);  // groups differ
  fs::path dir = fs::temp_directory_path() / ("drift_field_ref_" + std::to_string(seed) + "_" +
                                              std::to_string(::getpid()));
  fs::create_directories(dir);
  write_f32(dir / "x.f32", x);
  write_f32(dir / "pos.f32", pos);
  write_f32(dir / "uncond.f32", unc);
  std::ostringstream taus;
  for (size_t i = 0; i < p.taus.size(); ++i) taus << (i ? "," : "") << p.taus[i];
  std::ostringstream cmd;
  cmd << "/usr/bin/python3 " << DRIFT_SOURCE_DIR << "/tests/parity/field_reference.py " << dir << " "
      << G << " " << P << " " << U << " " << D << " " << w_u << " " << p.affinity_floor << " "
      << taus.str() << " " << p.dbar << " " << (p.raw_coordinates ? 1 : 0) << " "
      << (p.rms_normalize ? 1 : 0) << " " << B;
  REQUIRE(std::system(cmd.str().c_str()) == 0);
  RowMatrixXf ref = read_f32(dir / "v_ref.f32", B * G, D);
  RowMatrixXf V(B * G, D);
  if (B == 1) {
    V = drift_field(x, pos, unc, w_u, p);
  } else {
    std::vector<FieldGroup> groups;
    for (int b = 0; b < B; ++b)
      groups.push_back({x.data() + size_t(b) * G * D, G, pos.data() + size_t(b) * P * D, P,
                        U > 0 ? unc.data() + size_t(b) * U * D : nullptr, U, w_u, V.data() + size_t(b) * G * D});
    drift_field_groups(groups.data(), B, D, p);
  }
  fs::remove_all(dir);
  float err = (V - ref).cwiseAbs().maxCoeff() / ref.cwiseAbs().maxCoeff();
  std::printf("field parity B=%d G=%d P=%d U=%d D=%d: rel err %.3g\n", B, G, P, U, D, err);
  return err;
}
}  // namespace

TEST_CASE("field parity vs torch float64 reference: 2D toy sizes") {
  FieldParams p;
  CHECK(compare(256, 256, 0, 2, 0.0f, p, 1) < 1e-5f);
  p.taus = {0.05f};
  p.raw_coordinates = true;
  CHECK(compare(128, 200, 0, 2, 0.0f, p, 2) < 1e-5f);
}

TEST_CASE("field parity vs torch float64 reference: MNIST-like group with uncond and floor") {
  FieldParams p;
  CHECK(compare(32, 32, 16, 784, 1.5f, p, 3) < 1e-5f);
  p.affinity_floor = 1e-6f;
  CHECK(compare(32, 32, 16, 784, 0.0f, p, 4) < 1e-5f);
  p.affinity_floor = 0.0f;
  p.dbar = 30.0f;
  CHECK(compare(64, 48, 24, 64, 3.0f, p, 5) < 1e-5f);
}

TEST_CASE("field parity vs torch float64 reference: 10 class groups as one batch (shared d̄ and RMS)") {
  FieldParams p;
  CHECK(compare(32, 64, 0, 784, 0.0f, p, 6, 10) < 1e-5f);
  CHECK(compare(16, 24, 8, 784, 1.5f, p, 7, 10) < 1e-5f);
}
