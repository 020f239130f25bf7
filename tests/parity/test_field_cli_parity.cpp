// Field parity across the two implementations, through their CLIs on .npy files:
// `drift-train field` (LibTorch, native/field) against the Eigen core's drift_field (in
// process) and, when it has the subcommand, `drift-infer field` (the same Eigen code behind
// drift-infer's CLI), and both against the float64 transcription of the spec
// (field_reference.py). Max |a-b| / max |b| <= 1e-5.
#include "drift_catch.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

#include "drift/core/npy.h"
#include "drift/core/field_eigen.h"
#include "drift/core/toy_data.h"

using namespace drift::core;
namespace fs = std::filesystem;

namespace {
std::vector<float> randn(int n, int d, uint64_t seed, float scale, float shift) {
  ToyRng r(seed);
  std::vector<float> m(size_t(n) * d);
  for (float& v : m) v = shift + scale * r.normal();
  return m;
}

float rel_diff(const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  float d = 0, m = 0;
  for (size_t i = 0; i < a.size(); ++i) d = std::max(d, std::abs(a[i] - b[i])), m = std::max(m, std::abs(b[i]));
  return d / m;
}

struct Case {
  int G, P, U, D;
  float w_u, floor;
  std::vector<float> taus;
};

void write_raw(const fs::path& p, const std::vector<float>& v) {
  FILE* f = std::fopen(p.string().c_str(), "wb");
  REQUIRE(f);
  std::fwrite(v.data(), sizeof(float), v.size(), f);
  std::fclose(f);
}

// The float64 torch transcription (field_reference.py) on the same inputs, to tell which
// side a difference comes from. Empty if the script fails.
std::vector<float> reference64(const fs::path& dir, const Case& c, const std::vector<float>& x,
                               const std::vector<float>& pos, const std::vector<float>& neg);

std::vector<float> reference64(const fs::path& dir, const Case& c, const std::vector<float>& x,
                               const std::vector<float>& pos, const std::vector<float>& neg) {
  write_raw(dir / "x.f32", x);
  write_raw(dir / "pos.f32", pos);
  write_raw(dir / "uncond.f32", neg);
  std::string taus;
  for (float t : c.taus) taus += (taus.empty() ? "" : ",") + std::to_string(t);
  char tail[96];
  std::snprintf(tail, sizeof tail, " %.9g %.9g %s 0 0 1", c.w_u, c.floor, taus.c_str());
  std::string cmd = "/usr/bin/python3 " DRIFT_SOURCE_DIR "/tests/parity/field_reference.py " + dir.string() +
                    " " + std::to_string(c.G) + " " + std::to_string(c.P) + " " + std::to_string(c.U) + " " +
                    std::to_string(c.D) + tail + " 2>/dev/null";
  if (std::system(cmd.c_str()) != 0) return {};
  std::vector<float> v(size_t(c.G) * c.D);
  FILE* f = std::fopen((dir / "v_ref.f32").string().c_str(), "rb");
  if (!f) return {};
  size_t got = std::fread(v.data(), sizeof(float), v.size(), f);
  std::fclose(f);
  return got == v.size() ? v : std::vector<float>{};
}

void run_case(const Case& c, uint64_t seed) {
  fs::path dir = fs::temp_directory_path() / ("drift_field_cli_" + std::to_string(::getpid()) + "_" + std::to_string(seed));
  fs::create_directories(dir);
  auto x = randn(c.G, c.D, seed, 1.0f, 0.0f), pos = randn(c.P, c.D, seed + 1, 0.8f, 0.7f),
       neg = randn(c.U, c.D, seed + 2, 1.2f, -0.3f);
  drift::core::write_npy((dir / "x.npy").string(), {c.G, c.D}, x.data());
  drift::core::write_npy((dir / "pos.npy").string(), {c.P, c.D}, pos.data());
  std::string args = " field --x " + (dir / "x.npy").string() + " --pos " + (dir / "pos.npy").string();
  if (c.U > 0) {
    drift::core::write_npy((dir / "neg.npy").string(), {c.U, c.D}, neg.data());
    char w[32];
    std::snprintf(w, sizeof w, "%.9g", c.w_u);
    args += " --neg " + (dir / "neg.npy").string() + " --neg-weight " + w;
  }
  args += " --taus";
  for (float t : c.taus) args += " " + std::to_string(t);
  char fl[32];
  std::snprintf(fl, sizeof fl, "%.9g", c.floor);
  args += std::string(" --floor ") + fl;

  // Eigen, in process
  FieldParams p;
  p.taus = c.taus;
  p.affinity_floor = c.floor;
  std::vector<float> V(size_t(c.G) * c.D);
  drift_field(x.data(), c.G, pos.data(), c.P, c.U ? neg.data() : nullptr, c.U, c.D, c.w_u, p, V.data());

  std::string cmd = std::string(DRIFT_TRAIN_EXE) + args + " --out " + (dir / "vt.npy").string() + " > /dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
  auto vt = drift::core::read_npy((dir / "vt.npy").string());
  float e = rel_diff(V, vt.data);
  std::printf("G=%d P=%d U=%d D=%d taus=%zu floor=%g: Eigen vs drift-train field rel diff %.3g\n", c.G, c.P,
              c.U, c.D, c.taus.size(), c.floor, e);
  // Both against the spec's float64 transcription, so a shared mistake cannot pass as parity.
  auto ref = reference64(dir, c, x, pos, neg);
  INFO("tests/parity/field_reference.py failed: /usr/bin/python3 needs torch (setup.sh installs python3-torch)");
  REQUIRE_FALSE(ref.empty());
  const float e_eigen = rel_diff(V, ref), e_torch = rel_diff(vt.data, ref);
  std::printf("  vs float64 reference: Eigen %.3g, drift-train %.3g\n", e_eigen, e_torch);
  CHECK(e_eigen <= 1e-5f);
  CHECK(e_torch <= 1e-5f);
  CHECK(e <= 1e-5f);
  cmd = std::string(DRIFT_INFER_EXE) + args + " --out " + (dir / "vi.npy").string() + " > /dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
  auto vi = drift::core::read_npy((dir / "vi.npy").string());
  float ei = rel_diff(vi.data, vt.data);
  std::printf("  drift-infer field vs drift-train field rel diff %.3g\n", ei);
  CHECK(ei <= 1e-5f);
  fs::remove_all(dir);
}
}  // namespace

TEST_CASE("field parity: drift-train field vs the Eigen core (and drift-infer field)") {
  INFO("build the drift-train target first: " DRIFT_TRAIN_EXE);
  REQUIRE(fs::exists(DRIFT_TRAIN_EXE));
  run_case({256, 256, 0, 2, 0.0f, 0.0f, {0.02f, 0.05f, 0.2f}}, 1);
  run_case({128, 200, 0, 2, 0.0f, 0.0f, {0.05f}}, 2);
  run_case({32, 32, 16, 784, 1.5f, 0.0f, {0.02f, 0.05f, 0.2f}}, 3);
  run_case({32, 32, 16, 784, 0.0f, 1e-6f, {0.02f, 0.05f, 0.2f}}, 4);
  run_case({64, 48, 24, 64, 3.0f, 0.0f, {0.02f, 0.05f, 0.2f}}, 5);
}
