#include "drift/eval/neighbors.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace drift::eval {

namespace {
// Queries per chunk: the [chunk, Nr] float32 GEMM block stays under this many bytes.
constexpr int64_t kChunkBytes = int64_t(128) << 20;
// Pairs rescored exactly per batch: two [batch, D] float64 gathers stay under this.
constexpr int64_t kRescoreBytes = int64_t(32) << 20;
// A projected shortlist longer than 1/kShortlistShare of the chunk's pairs costs more to
// rescore (a gather per pair) than the full GEMM: that chunk is searched in full instead.
constexpr int64_t kShortlistShare = 64;
// Rows sampled for the principal directions (the bound is valid for any orthonormal basis;
// the sample only decides how tight it is).
constexpr int64_t kPcaSample = 16384;
constexpr double kU = 1.0 / (1 << 24);  // float32 unit roundoff

torch::Tensor rows_of(const torch::Tensor& x, const char* what) {
  // x [N,...] -> [N, prod(...)] float32 contiguous on CPU
  if (x.dim() < 1 || x.size(0) == 0)
    throw std::runtime_error(std::string("neighbors: ") + what + " set is empty");
  return x.reshape({x.size(0), -1}).to(torch::kCPU, torch::kFloat32).contiguous();
}

void same_dim(const torch::Tensor& a, const torch::Tensor& b) {
  if (a.size(1) != b.size(1))
    throw std::runtime_error("neighbors: feature sizes differ (" + std::to_string(a.size(1)) +
                             " vs " + std::to_string(b.size(1)) + ")");
}

torch::Tensor sq_norms64(const torch::Tensor& r) {
  // r [N,m] float32 -> [N] float64, in row blocks (a float64 copy of 60k x 784 is 376 MB)
  std::vector<torch::Tensor> out;
  for (int64_t i = 0; i < r.size(0); i += 4096)
    out.push_back(r.slice(0, i, std::min(i + 4096, r.size(0))).to(torch::kFloat64).pow(2).sum(1));
  return torch::cat(out);
}

// |computed - exact| of a float32 GEMM value ||a_r||² - 2 a_q·a_r + ||a_q||² over m columns is
// at most gamma_m (||a_q||² + ||a_r||²) (any summation order; 2|a_q·a_r| <= both norms) plus a
// few roundings, and rounding the projected coordinates to float32 adds ~4u of the same: this
// bound, doubled for safety, times (||a_q||² + max ||a_r||²).
double gemm_tolerance(int64_t m) { return 4.0 * static_cast<double>(m + 12) * kU; }

int64_t chunk_rows(int64_t requested, int64_t nr) {
  if (requested > 0) return requested;
  return std::max<int64_t>(1, kChunkBytes / (4 * std::max<int64_t>(nr, 1)));
}

// Exact squared distances of (query row, ref row) pairs: float64 differences, so a query
// equal to (or a hair from) a reference gets its true small distance, not GEMM cancellation.
torch::Tensor exact_sq_dist(const torch::Tensor& q, const torch::Tensor& r, const torch::Tensor& qi,
                            const torch::Tensor& ri) {
  // q [Nq,D], r [Nr,D] float32; qi, ri [M] int64 -> [M] float64
  const int64_t m = qi.size(0), batch = std::max<int64_t>(1, kRescoreBytes / (16 * q.size(1)));
  if (m == 0) return torch::zeros({0}, torch::kFloat64);
  std::vector<torch::Tensor> out;
  for (int64_t i = 0; i < m; i += batch) {
    const int64_t j = std::min(i + batch, m);
    auto a = q.index_select(0, qi.slice(0, i, j)).to(torch::kFloat64);
    auto b = r.index_select(0, ri.slice(0, i, j)).to(torch::kFloat64);
    out.push_back((a - b).pow(2).sum(1));
  }
  return torch::cat(out);
}

// The k smallest values of a row, ascending, as indices (ties: the earlier index first).
void row_k_smallest(const float* row, int64_t n, int64_t k, float* vals, int64_t* idx) {
  int64_t filled = 0;
  for (int64_t j = 0; j < n; ++j) {
    const float v = row[j];
    if (filled == k && !(v < vals[k - 1])) continue;
    int64_t p = filled < k ? filled++ : k - 1;
    for (; p > 0 && v < vals[p - 1]; --p) {
      vals[p] = vals[p - 1];
      idx[p] = idx[p - 1];
    }
    vals[p] = v;
    idx[p] = j;
  }
  if (filled < k || !std::isfinite(vals[k - 1]))
    throw std::runtime_error("neighbors: non-finite values in the search");
}

// x [c,D] float32 -> [c,p+1] float32: the coordinates along the basis and the residual norm,
// so ||a(q) - a(r)||² = ||U^T(q-r)||² + (|res q| - |res r|)² <= ||q - r||².
torch::Tensor project(const torch::Tensor& x, const torch::Tensor& mean, const torch::Tensor& basis) {
  auto xd = x.to(torch::kFloat64) - mean;
  auto p = xd.mm(basis);
  auto res = (xd.pow(2).sum(1) - p.pow(2).sum(1)).clamp_min(0.0).sqrt();
  return torch::cat({p, res.unsqueeze(1)}, 1).to(torch::kFloat32);
}

struct Shortlist {
  const torch::Tensor* refs;  // [Nr,D] float32, for the exact distances
  torch::Tensor a_refs;       // [Nr,m] float32: the bound's coordinates of the references
  torch::Tensor a_ref_norms;  // [1,Nr] float32
  double max_a_ref_norm;
};

// One chunk of queries: bound GEMM, shortlist, exact rescoring, the k best of each row into
// dist/idx rows [i0, i0+c). Returns false (and writes nothing) when the shortlist passes budget
// (budget <= 0: no limit).
bool search_chunk(const Shortlist& sl, const torch::Tensor& qc, const torch::Tensor& a_q,
                  torch::Tensor& block, int64_t k, int64_t budget, int64_t i0, double* dist,
                  int64_t* idx, int64_t& rescored) {
  // qc [c,D], a_q [c,m] float32; block [c,Nr] float32 scratch
  const int64_t c = qc.size(0), nr = block.size(1);
  // s = ||a_r||² - 2 a_q·a_r: the bound less the row constant ||a_q||².
  torch::addmm_out(block, sl.a_ref_norms, a_q, sl.a_refs.t(), /*beta=*/1, /*alpha=*/-2);
  const float* s = block.data_ptr<float>();
  auto aqn = sq_norms64(a_q);
  const double* aqn_p = aqn.data_ptr<double>();
  const double tol_scale = gemm_tolerance(a_q.size(1));

  // 1. An upper bound of each row's k-th distance: the exact distances of its k best by bound.
  auto best = torch::empty({c, k}, torch::kInt64);
  if (k == 1) {
    best.copy_(std::get<1>(block.min(1)).unsqueeze(1));
  } else {
    auto* bp = best.data_ptr<int64_t>();
    at::parallel_for(0, c, 16, [&](int64_t b, int64_t e) {
      std::vector<float> vals(k);
      for (int64_t i = b; i < e; ++i) row_k_smallest(s + i * nr, nr, k, vals.data(), bp + i * k);
    });
  }
  auto row_ids = torch::arange(c, torch::kInt64).unsqueeze(1).expand({c, k}).reshape({-1});
  auto ub = std::get<0>(exact_sq_dist(qc, *sl.refs, row_ids, best.reshape({-1})).reshape({c, k}).max(1));
  const double* ub_p = ub.data_ptr<double>();

  // 2. Every true k-nearest reference has bound <= its distance <= ub, so a computed bound
  // within tol of it: the shortlist is all references up to ub + tol, ties included.
  std::vector<std::vector<int64_t>> lists(c);
  std::vector<char> over(c, 0);
  const int64_t row_cap = budget > 0 ? budget : std::numeric_limits<int64_t>::max();
  at::parallel_for(0, c, 16, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const double thr = ub_p[i] - aqn_p[i] + tol_scale * (aqn_p[i] + sl.max_a_ref_norm);
      const float* row = s + i * nr;
      auto& list = lists[i];
      for (int64_t j = 0; j < nr; ++j) {
        if (static_cast<double>(row[j]) <= thr) {
          list.push_back(j);
          if (static_cast<int64_t>(list.size()) > row_cap) {
            over[i] = 1;
            break;
          }
        }
      }
    }
  });
  int64_t total = 0;
  for (int64_t i = 0; i < c; ++i) {
    if (over[i]) return false;
    total += static_cast<int64_t>(lists[i].size());
  }
  if (budget > 0 && total > budget) return false;

  // 3. Exact distances of the shortlist; the k smallest (ties: lower index) of each row.
  auto qi = torch::empty({total}, torch::kInt64), ri = torch::empty({total}, torch::kInt64);
  {
    auto* qp = qi.data_ptr<int64_t>();
    auto* rp = ri.data_ptr<int64_t>();
    for (int64_t i = 0, o = 0; i < c; ++i)
      for (int64_t j : lists[i]) qp[o] = i, rp[o++] = j;
  }
  auto d2 = exact_sq_dist(qc, *sl.refs, qi, ri);
  const double* dp = d2.data_ptr<double>();
  std::vector<int64_t> start(c + 1, 0);
  for (int64_t i = 0; i < c; ++i) start[i + 1] = start[i] + static_cast<int64_t>(lists[i].size());
  std::atomic<bool> short_row{false};
  at::parallel_for(0, c, 16, [&](int64_t b, int64_t e) {
    std::vector<std::pair<double, int64_t>> cand;
    for (int64_t i = b; i < e; ++i) {
      cand.clear();
      for (int64_t o = start[i]; o < start[i + 1]; ++o) cand.emplace_back(dp[o], lists[i][o - start[i]]);
      // Each row holds at least its own k best by bound; fewer means NaN in the data.
      if (static_cast<int64_t>(cand.size()) < k) {
        short_row = true;
        continue;
      }
      std::partial_sort(cand.begin(), cand.begin() + k, cand.end());
      for (int64_t j = 0; j < k; ++j) {
        dist[(i0 + i) * k + j] = std::sqrt(std::max(cand[j].first, 0.0));
        idx[(i0 + i) * k + j] = cand[j].second;
      }
    }
  });
  if (short_row) throw std::runtime_error("neighbors: non-finite values in the search");
  rescored += total + c * k;
  return true;
}
}  // namespace

NeighborIndex::NeighborIndex(const torch::Tensor& refs, int64_t projection) {
  torch::NoGradGuard no_grad;
  rows = rows_of(refs, "reference");
  auto n64 = sq_norms64(rows);
  sq_norms = n64.to(torch::kFloat32);
  max_sq_norm = n64.max().item<double>();
  const int64_t n = rows.size(0), d = rows.size(1);
  if (projection <= 0 || projection >= d) return;
  // Principal directions of (an evenly spaced sample of) the references, in float64.
  auto sample = n <= kPcaSample
                    ? rows
                    : rows.index_select(0, torch::linspace(0, n - 1, kPcaSample).to(torch::kInt64));
  mean = sample.to(torch::kFloat64).mean(0);
  // The covariance in float32 (its rounding only tilts the basis); eigh in float64 makes the
  // basis orthonormal to float64 precision, which the bound needs.
  auto xc = sample - mean.to(torch::kFloat32);
  auto eig = torch::linalg_eigh(xc.t().mm(xc).to(torch::kFloat64), "L");  // ascending eigenvalues
  basis = std::get<1>(eig).slice(1, d - projection, d).flip({1}).contiguous();  // [D,p]
  std::vector<torch::Tensor> parts;
  for (int64_t i = 0; i < n; i += 4096)
    parts.push_back(project(rows.slice(0, i, std::min(i + 4096, n)), mean, basis));
  coords = torch::cat(parts);
  auto c64 = sq_norms64(coords);
  coord_sq_norms = c64.to(torch::kFloat32);
  max_coord_sq_norm = c64.max().item<double>();
}

Neighbors nearest_neighbors(const torch::Tensor& queries, const NeighborIndex& index, int64_t k) {
  // queries [Nq,...] -> distances [Nq,k] float64, indices [Nq,k] int64
  torch::NoGradGuard no_grad;
  auto q = rows_of(queries, "query");
  const auto& r = index.rows;
  same_dim(q, r);
  const int64_t nq = q.size(0), nr = r.size(0);
  if (k < 1 || k > nr)
    throw std::runtime_error("neighbors: need k in 1.." + std::to_string(nr) + ", got " +
                             std::to_string(k));
  Neighbors out;
  out.distances = torch::empty({nq, k}, torch::kFloat64);
  out.indices = torch::empty({nq, k}, torch::kInt64);
  auto* dist = out.distances.data_ptr<double>();
  auto* idx = out.indices.data_ptr<int64_t>();

  const Shortlist plain{&r, r, index.sq_norms.reshape({1, nr}), index.max_sq_norm};
  const bool projected = index.coords.defined();
  Shortlist proj;
  if (projected) proj = {&r, index.coords, index.coord_sq_norms.reshape({1, nr}), index.max_coord_sq_norm};
  const int64_t step = std::min(chunk_rows(index.chunk_rows, nr), nq);
  // One GEMM block, reused: a fresh 100 MB tensor per chunk costs page faults.
  auto block = torch::empty({step, nr}, torch::kFloat32);
  for (int64_t i0 = 0; i0 < nq; i0 += step) {
    const int64_t i1 = std::min(i0 + step, nq), c = i1 - i0;
    auto qc = q.slice(0, i0, i1);
    auto b = block.slice(0, 0, c);
    if (projected) {
      const int64_t budget = std::max<int64_t>(c * k * 4, c * nr / kShortlistShare);
      if (search_chunk(proj, qc, project(qc, index.mean, index.basis), b, k, budget, i0, dist, idx,
                       out.rescored))
        continue;
      ++out.fallbacks;
    }
    search_chunk(plain, qc, qc, b, k, 0, i0, dist, idx, out.rescored);
  }
  return out;
}

torch::Tensor nearest_distances(const torch::Tensor& queries, const NeighborIndex& refs) {
  return nearest_neighbors(queries, refs, 1).distances.select(1, 0).to(torch::kFloat32);
}

torch::Tensor nearest_distances(const torch::Tensor& queries, const torch::Tensor& refs) {
  return nearest_distances(queries, NeighborIndex(refs));
}

torch::Tensor kth_neighbor_radii(const torch::Tensor& x, int64_t k) {
  torch::NoGradGuard no_grad;
  NeighborIndex index(x);
  if (k < 1 || index.rows.size(0) <= k)
    throw std::runtime_error("neighbors: need more than k=" + std::to_string(k) + " rows, got " +
                             std::to_string(index.rows.size(0)));
  // The k+1 nearest include the row itself (distance 0); the last one is the k-th other.
  return nearest_neighbors(index.rows, index, k + 1).distances.select(1, k).to(torch::kFloat32);
}

torch::Tensor inside_any_ball(const torch::Tensor& queries, const torch::Tensor& centers,
                              const torch::Tensor& radii) {
  // queries [Nq,D], centers [Nc,D], radii [Nc] -> [Nq] bool
  torch::NoGradGuard no_grad;
  auto q = rows_of(queries, "query"), c = rows_of(centers, "center");
  same_dim(q, c);
  auto rad = radii.to(torch::kCPU, torch::kFloat64).reshape({-1}).contiguous();
  if (rad.size(0) != c.size(0)) throw std::runtime_error("neighbors: one radius per center needed");
  const int64_t nq = q.size(0), nc = c.size(0);
  // ||q-c||² <= rad² <=> ||c||² - rad² - 2 q·c <= -||q||². A negative radius holds nothing.
  auto rad2 = (rad * rad).contiguous();
  auto c_norms = sq_norms64(c);
  auto shift64 = torch::where(rad < 0, torch::full_like(rad, std::numeric_limits<double>::infinity()),
                              c_norms - rad2);
  auto shift = shift64.to(torch::kFloat32).reshape({1, nc});
  const double bound = c_norms.max().item<double>() +
                       torch::where(rad < 0, torch::zeros_like(rad2), rad2).max().item<double>();
  const double tol_scale = gemm_tolerance(q.size(1));
  auto q_norms = sq_norms64(q);
  const double* qn = q_norms.data_ptr<double>();
  const double* r2 = rad2.data_ptr<double>();
  auto out = torch::zeros({nq}, torch::kBool);
  bool* inside = out.data_ptr<bool>();
  const int64_t step = std::min(chunk_rows(0, nc), nq);
  auto block = torch::empty({step, nc}, torch::kFloat32);
  auto ct = c.t();
  for (int64_t i0 = 0; i0 < nq; i0 += step) {
    const int64_t i1 = std::min(i0 + step, nq);
    // s [c,Nc] = ||c||² - rad² - 2 q·c: within tol of ||q-c||² - rad² - ||q||²
    auto b = block.slice(0, 0, i1 - i0);
    torch::addmm_out(b, shift, q.slice(0, i0, i1), ct, 1, -2);
    const float* s = b.data_ptr<float>();
    // Per row: inside for sure at the first ball the GEMM calls with margin; pairs too close to
    // a boundary to call are decided exactly, and only for rows no ball holds for sure.
    std::vector<std::vector<int64_t>> unsure(i1 - i0);
    at::parallel_for(i0, i1, 16, [&](int64_t bi, int64_t ei) {
      for (int64_t i = bi; i < ei; ++i) {
        const double tol = tol_scale * (qn[i] + bound), sure = -qn[i] - tol, maybe = -qn[i] + tol;
        const float* row = s + (i - i0) * nc;
        auto& list = unsure[i - i0];
        for (int64_t j = 0; j < nc; ++j) {
          const double v = row[j];
          if (v <= sure) {
            inside[i] = true;
            list.clear();
            break;
          }
          if (v <= maybe) list.push_back(j);
        }
      }
    });
    std::vector<int64_t> qi_v, ci_v;
    for (int64_t i = i0; i < i1; ++i)
      for (int64_t j : unsure[i - i0]) qi_v.push_back(i), ci_v.push_back(j);
    if (qi_v.empty()) continue;
    auto qi = torch::tensor(qi_v, torch::kInt64), ci = torch::tensor(ci_v, torch::kInt64);
    auto d2 = exact_sq_dist(q, c, qi, ci);
    const double* dp = d2.data_ptr<double>();
    for (size_t p = 0; p < qi_v.size(); ++p)
      if (dp[p] <= r2[ci_v[p]]) inside[qi_v[p]] = true;
  }
  return out;
}

BallCounts count_in_balls(const torch::Tensor& queries, const torch::Tensor& centers,
                          const torch::Tensor& radii) {
  // queries [Nq,D], centers [Nc,D], radii [Nc] -> per_query [Nq] int64, reached [Nc] bool
  torch::NoGradGuard no_grad;
  auto q = rows_of(queries, "query"), c = rows_of(centers, "center");
  same_dim(q, c);
  auto rad = radii.to(torch::kCPU, torch::kFloat64).reshape({-1}).contiguous();
  if (rad.size(0) != c.size(0)) throw std::runtime_error("neighbors: one radius per center needed");
  const int64_t nq = q.size(0), nc = c.size(0);
  // ||q-c||² < rad² <=> ||c||² - rad² - 2 q·c < -||q||². A radius <= 0 holds nothing.
  auto rad2 = (rad * rad).contiguous();
  auto c_norms = sq_norms64(c);
  auto shift64 = torch::where(rad <= 0, torch::full_like(rad, std::numeric_limits<double>::infinity()),
                              c_norms - rad2);
  auto shift = shift64.to(torch::kFloat32).reshape({1, nc});
  const double bound = c_norms.max().item<double>() + rad2.max().item<double>();
  const double tol_scale = gemm_tolerance(q.size(1));
  auto q_norms = sq_norms64(q);
  const double* qn = q_norms.data_ptr<double>();
  const double* rp = rad.data_ptr<double>();
  BallCounts out{torch::zeros({nq}, torch::kInt64), torch::zeros({nc}, torch::kBool)};
  int64_t* count = out.per_query.data_ptr<int64_t>();
  bool* reached = out.reached.data_ptr<bool>();
  const int64_t step = std::min(chunk_rows(0, nc), nq);
  auto block = torch::empty({step, nc}, torch::kFloat32);
  auto ct = c.t();
  for (int64_t i0 = 0; i0 < nq; i0 += step) {
    const int64_t i1 = std::min(i0 + step, nq);
    auto b = block.slice(0, 0, i1 - i0);
    torch::addmm_out(b, shift, q.slice(0, i0, i1), ct, 1, -2);
    const float* s = b.data_ptr<float>();
    // Every pair is decided (not only the first ball per row, as for precision/recall): the
    // GEMM calls most with margin, the rest are rescored exactly. Serial: the writes to
    // reached[] are shared between rows.
    std::vector<int64_t> qi_v, ci_v;
    for (int64_t i = i0; i < i1; ++i) {
      const double tol = tol_scale * (qn[i] + bound), sure = -qn[i] - tol, maybe = -qn[i] + tol;
      const float* row = s + (i - i0) * nc;
      for (int64_t j = 0; j < nc; ++j) {
        const double v = row[j];
        if (v < sure) {
          ++count[i];
          reached[j] = true;
        } else if (v <= maybe) {
          qi_v.push_back(i), ci_v.push_back(j);
        }
      }
    }
    if (qi_v.empty()) continue;
    auto d2 = exact_sq_dist(q, c, torch::tensor(qi_v, torch::kInt64), torch::tensor(ci_v, torch::kInt64));
    const double* dp = d2.data_ptr<double>();
    // As float32 distances, the precision of kth_neighbor_radii (the float32 rounding of the
    // root of an exact squared distance): a center's own k-th neighbour compares equal and stays
    // outside, as the definition has it.
    for (size_t p = 0; p < qi_v.size(); ++p)
      if (float(std::sqrt(dp[p])) < float(rp[ci_v[p]])) ++count[qi_v[p]], reached[ci_v[p]] = true;
  }
  return out;
}

}  // namespace drift::eval
