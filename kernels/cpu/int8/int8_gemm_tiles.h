// The int8 GEMM written once over an instruction-set policy `Isa`, defined by each int8_kernels_<set>.cpp (the only
// file compiled with that set's flags) inside its own namespace WICK_SIMD_NAMESPACE:
//   Isa::kLanes           int32 lanes per vector
//   Isa::kRows            activation rows per tile; Isa::kPanels output panels per tile at kRows rows, and
//                         Isa::kPanelsOneRow at one row (batch-1 inference: enough independent sums to hide latency)
//   Isa::zero()           an accumulator of zeros
//   Isa::activations(p)   the 4 bytes at p, in every lane
//   Isa::weights(p)       kLanes x 4 bytes of packed weights
//   Isa::dot(acc, a, w)   acc plus, per lane, the sum of the 4 products of a's (uint8) and w's (int8) bytes
//   Isa::store(p, acc)    kLanes int32 to p
#pragma once

#include "int8/int8_kernels.h"

namespace wick::cpu {
namespace WICK_SIMD_NAMESPACE {

using int8::kGroup;
using int8::kPanel;

// acc[r][p * kPanel + j]: the dot products of R activation rows with P panels' channels.
template <class Isa, int R, int P>
inline void tile(const uint8_t* q, int64_t q_rs, const int8_t* w, int64_t panel_stride, int64_t groups,
                 int32_t (*acc)[4 * kPanel]) {
  constexpr int V = int(kPanel / Isa::kLanes);
  decltype(Isa::zero()) s[R][P][V];
  for (int r = 0; r < R; ++r)
    for (int p = 0; p < P; ++p)
      for (int v = 0; v < V; ++v) s[r][p][v] = Isa::zero();
  for (int64_t g = 0; g < groups; ++g) {
    decltype(Isa::activations(q)) a[R];
    for (int r = 0; r < R; ++r) a[r] = Isa::activations(q + r * q_rs + g * kGroup);
    for (int p = 0; p < P; ++p)
      for (int v = 0; v < V; ++v) {
        const auto wv = Isa::weights(w + p * panel_stride + g * kPanel * kGroup + v * Isa::kLanes * kGroup);
        for (int r = 0; r < R; ++r) s[r][p][v] = Isa::dot(s[r][p][v], a[r], wv);
      }
  }
  for (int r = 0; r < R; ++r)
    for (int p = 0; p < P; ++p)
      for (int v = 0; v < V; ++v) Isa::store(acc[r] + p * kPanel + v * Isa::kLanes, s[r][p][v]);
}

template <class Isa>
void gemm(const uint8_t* q, int64_t M, int64_t K, const int8_t* packed, int64_t p0, int64_t p1, int64_t N,
          int32_t zero_point, const float* combined, const int32_t* col_sum, const float* bias, float* out) {
  const int64_t Kp = int8::padded_k(K), groups = Kp / kGroup, panel_stride = kPanel * Kp;
  alignas(64) int32_t acc[4][4 * kPanel] = {};  // zeroed: GCC cannot see that each tile writes what it reads
  // Writes rows [m, m + rows) x panels [p, p + panels) from acc.
  auto finish = [&](int64_t m, int rows, int64_t p, int panels) {
    for (int r = 0; r < rows; ++r) {
      float* o = out + (m + r) * N;
      const int64_t n0 = p * kPanel, n1 = (p + panels) * kPanel < N ? (p + panels) * kPanel : N;
      for (int64_t n = n0; n < n1; ++n) {
        const float v = int8::dequantize(acc[r][n - n0], zero_point, col_sum[n], combined[n], 0.f);
        o[n] = bias ? v + bias[n] : v;
      }
    }
  };
  int64_t m = 0;
  for (; m + Isa::kRows <= M; m += Isa::kRows) {
    const uint8_t* a = q + m * Kp;
    int64_t p = p0;
    for (; p + Isa::kPanels <= p1; p += Isa::kPanels) {
      tile<Isa, Isa::kRows, Isa::kPanels>(a, Kp, packed + p * panel_stride, panel_stride, groups, acc);
      finish(m, Isa::kRows, p, Isa::kPanels);
    }
    for (; p < p1; ++p) {
      tile<Isa, Isa::kRows, 1>(a, Kp, packed + p * panel_stride, panel_stride, groups, acc);
      finish(m, Isa::kRows, p, 1);
    }
  }
  for (; m < M; ++m) {  // the rows left over, one at a time
    const uint8_t* a = q + m * Kp;
    int64_t p = p0;
    for (; p + Isa::kPanelsOneRow <= p1; p += Isa::kPanelsOneRow) {
      tile<Isa, 1, Isa::kPanelsOneRow>(a, Kp, packed + p * panel_stride, panel_stride, groups, acc);
      finish(m, 1, p, Isa::kPanelsOneRow);
    }
    for (; p < p1; ++p) {
      tile<Isa, 1, 1>(a, Kp, packed + p * panel_stride, panel_stride, groups, acc);
      finish(m, 1, p, 1);
    }
  }
}

}  // namespace WICK_SIMD_NAMESPACE
}  // namespace wick::cpu
