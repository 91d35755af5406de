// The CPU matmul paths (small-M dot/axpy, packed xsimd GEMM, oneDNN sgemm) against a plain reference loop,
// across layouts (transposed operands are strides, not copies), sizes around the blocking edges and dtypes.
#include "../../support/scoped_settings.h"
#include "support/fixtures.h"
#include <catch2/catch.hpp>
#include <wick/wick.h>

using namespace wick;

namespace {
Tensor reference_mm(const Tensor& a, const Tensor& b) {
  const Tensor ad = a.to(kDouble).contiguous(), bd = b.to(kDouble).contiguous();
  const int64_t M = a.size(0), K = a.size(1), N = b.size(1);
  Tensor c = zeros({M, N}, dtype(kDouble));
  const double *pa = ad.data_ptr<double>(), *pb = bd.data_ptr<double>();
  double* pc = c.data_ptr<double>();
  for (int64_t i = 0; i < M; ++i)
    for (int64_t k = 0; k < K; ++k)
      for (int64_t j = 0; j < N; ++j) pc[i * N + j] += pa[i * K + k] * pb[k * N + j];
  return c;
}
}  // namespace

TEST_CASE("matmul: every CPU path agrees with a reference loop", "[kernels][matmul]") {
  manual_seed(11);
  const std::vector<std::array<int64_t, 3>> shapes = {
      {1, 16, 64},    {1, 64, 4},    {3, 7, 5},     {4, 33, 17}, {5, 300, 9}, {6, 16, 16},   {13, 257, 31},
      {64, 784, 256}, {97, 65, 129}, {200, 3, 260}, {1, 1, 1},   {7, 0, 5},   {33, 300, 70}, {40, 100, 20}};
  for (ScalarType dt : {kFloat, kDouble}) {
    for (const auto& [M, K, N] : shapes) {
      for (int layout = 0; layout < 4; ++layout) {
        // layout bit 0: A given transposed (column-major); bit 1: B given transposed (a Linear weight)
        Tensor a = (layout & 1) ? randn({K, M}, dtype(dt)).t() : randn({M, K}, dtype(dt));
        Tensor b = (layout & 2) ? randn({N, K}, dtype(dt)).t() : randn({K, N}, dtype(dt));
        INFO("dtype " << dtype_name(dt) << " M " << M << " K " << K << " N " << N << " layout " << layout);
        const Tensor got = a.mm(b);
        const double tol = dt == kFloat ? 1e-4 * std::sqrt(double(K) + 1) : 1e-10;
        CHECK_TENSOR(got.to(kDouble), reference_mm(a, b), (::wick::testing::Tolerance{tol, tol}));
      }
    }
  }
}

TEST_CASE("matmul: strided batches and broadcast batch dims", "[kernels][matmul]") {
  manual_seed(12);
  Tensor a = randn({3, 1, 4, 5}, dtype(kDouble)), b = randn({2, 5, 6}, dtype(kDouble)).transpose(1, 2).transpose(1, 2);
  Tensor c = a.matmul(b);
  CHECK(c.sizes() == IntArrayRef{3, 2, 4, 6});
  for (int64_t i = 0; i < 3; ++i)
    for (int64_t j = 0; j < 2; ++j)
      CHECK_TENSOR(c[i][j], reference_mm(a[i][0], b[j]), (::wick::testing::Tolerance{1e-10, 1e-10}));
}

TEST_CASE("matmul: threaded GEMM equals single-threaded", "[kernels][matmul][threads]") {
  manual_seed(13);
  Tensor a = randn({300, 200}, dtype(kDouble)), b = randn({200, 150}, dtype(kDouble));
  Tensor one, three;
  {
    wick::testing::ThreadCount threads(1);
    one = a.mm(b);
  }
  {
    wick::testing::ThreadCount threads(3);
    three = a.mm(b);
  }
  CHECK_TENSOR(three, one,
               (wick::testing::Tolerance{0, 0}));  // rows of C are split across threads, each computed the same way
}
