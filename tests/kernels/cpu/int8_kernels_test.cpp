// The CPU's int8 kernel sets (kernels/cpu/int8/): each one this CPU runs, against plain integer loops over the
// unpacked weights. The integer sums are exact, so every set must give the same bits as the loops.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "int8/int8_kernels.h"

using namespace wick;
using namespace wick::cpu;

namespace {

struct Problem {
  int64_t M, K, N;
  std::vector<float> x;
  std::vector<int8_t> w;  // [N, K]
  std::vector<float> scale, bias;
  std::vector<int32_t> col_sum;
  std::vector<int8_t> packed;
};

Problem make_problem(int64_t M, int64_t K, int64_t N, uint32_t seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> normal(0.f, 1.f);
  std::uniform_int_distribution<int> weight(-128, 127);
  Problem p{M, K, N, {}, {}, {}, {}, {}, {}};
  for (int64_t i = 0; i < M * K; ++i) p.x.push_back(normal(gen) * 3.f + 0.5f);
  for (int64_t i = 0; i < N * K; ++i) p.w.push_back(int8_t(weight(gen)));
  p.w[0] = -128;  // the extremes the 16-bit pair sums must hold
  p.w[size_t(N * K - 1)] = 127;
  for (int64_t n = 0; n < N; ++n) {
    p.scale.push_back(0.01f + 0.001f * float(n));
    p.bias.push_back(normal(gen));
    int32_t sum = 0;
    for (int64_t k = 0; k < K; ++k) sum += p.w[size_t(n * K + k)];
    p.col_sum.push_back(sum);
  }
  p.packed.assign(size_t(int8::packed_bytes(N, K)), 0);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k = 0; k < K; ++k) p.packed[size_t(int8::packed_offset(n, k, K))] = p.w[size_t(n * K + k)];
  return p;
}

// What every kernel set must compute, as plain loops over int8_quantization.h's definitions.
std::vector<float> reference(const Problem& p, bool with_bias) {
  float mn = p.x[0], mx = p.x[0];
  for (float v : p.x) mn = std::min(mn, v), mx = std::max(mx, v);
  const int8::ActivationParams a = int8::choose_activation_params(mn, mx);
  std::vector<float> out(size_t(p.M * p.N));
  for (int64_t m = 0; m < p.M; ++m)
    for (int64_t n = 0; n < p.N; ++n) {
      int64_t dot = 0;
      for (int64_t k = 0; k < p.K; ++k)
        dot += int64_t(int8::quantize_activation(p.x[size_t(m * p.K + k)], a)) * p.w[size_t(n * p.K + k)];
      const float v =
          int8::dequantize(int32_t(dot), a.zero_point, p.col_sum[size_t(n)], a.scale * p.scale[size_t(n)], 0.f);
      out[size_t(m * p.N + n)] = with_bias ? v + p.bias[size_t(n)] : v;
    }
  return out;
}

std::vector<float> run(const Int8Kernels& k, const Problem& p, bool with_bias) {
  float mn = 0, mx = 0;
  REQUIRE(k.min_max(p.x.data(), p.M * p.K, &mn, &mx));
  const int8::ActivationParams a = int8::choose_activation_params(mn, mx);
  std::vector<uint8_t> q(size_t(p.M * int8::padded_k(p.K)), 0xAB);
  k.quantize(p.x.data(), p.M, p.K, a, q.data());
  std::vector<float> combined;
  for (float s : p.scale) combined.push_back(a.scale * s);
  std::vector<float> out(size_t(p.M * p.N), std::nanf(""));
  // Two calls over halves of the panels, as two threads would split them.
  const int64_t panels = int8::panel_count(p.N), half = panels / 2;
  const float* bias = with_bias ? p.bias.data() : nullptr;
  k.gemm(q.data(), p.M, p.K, p.packed.data(), 0, half, p.N, a.zero_point, combined.data(), p.col_sum.data(), bias,
         out.data());
  k.gemm(q.data(), p.M, p.K, p.packed.data(), half, panels, p.N, a.zero_point, combined.data(), p.col_sum.data(), bias,
         out.data());
  return out;
}

}  // namespace

TEST_CASE("int8 kernels: every set this CPU runs gives the integer loops' bits", "[kernels][int8]") {
  const std::vector<const Int8Kernels*> sets = runnable_int8_kernels();
  REQUIRE(sets.size() >= 2);  // a vector set and the scalar one
  INFO("this process runs " << int8_kernels().name);
  // Shapes with every tail: K not a multiple of 4, N not a multiple of 16, rows past a tile and left over.
  const std::vector<std::array<int64_t, 3>> shapes = {{1, 1, 1},   {1, 3, 5},     {2, 7, 17},
                                                      {3, 64, 16}, {4, 33, 48},   {5, 100, 70},
                                                      {9, 37, 40}, {1, 784, 512}, {64, 257, 130}};
  uint32_t seed = 1;
  for (const auto& [M, K, N] : shapes) {
    const Problem p = make_problem(M, K, N, seed++);
    for (bool with_bias : {true, false}) {
      const std::vector<float> expected = reference(p, with_bias);
      for (const Int8Kernels* k : sets) {
        INFO("set " << k->name << ", M=" << M << " K=" << K << " N=" << N << (with_bias ? " with bias" : ""));
        const std::vector<float> got = run(*k, p, with_bias);
        int64_t differing = 0;
        for (size_t i = 0; i < got.size(); ++i) differing += std::memcmp(&got[i], &expected[i], 4) != 0;
        CHECK(differing == 0);
      }
    }
  }
}

TEST_CASE("int8 kernels: quantization rounds ties to even and clamps, as the definition", "[kernels][int8]") {
  // scale 0.5 (inverse 2): x * 2 lands on .5 exactly for these, so rounding direction shows.
  const int8::ActivationParams p{0.5f, 2.f, 10};
  std::vector<float> x = {0.25f, 0.75f, -0.25f, -0.75f, 1.25f, -5.f, -5.25f, -6.f, 58.f, 58.25f, 70.f, 0.f, 3.1f};
  std::vector<uint8_t> expected;
  for (float v : x) expected.push_back(int8::quantize_activation(v, p));
  CHECK(expected[0] == 10);    // 0.5 -> 0
  CHECK(expected[1] == 12);    // 1.5 -> 2
  CHECK(expected[5] == 0);     // -10 + 10
  CHECK(expected[7] == 0);     // clamped
  CHECK(expected[8] == 126);   // 116 + 10
  CHECK(expected[9] == 126);   // 116.5 -> 116 (to even)
  CHECK(expected[10] == 127);  // 150 clamped
  CHECK(expected[4] == 12);    // 2.5 -> 2
  for (const Int8Kernels* k : runnable_int8_kernels()) {
    INFO("set " << k->name);
    // K = 13 and M = 1: the vector loop and its tail; padding to 16 must be zero.
    std::vector<uint8_t> q(16, 0xFF);
    k->quantize(x.data(), 1, int64_t(x.size()), p, q.data());
    for (size_t i = 0; i < x.size(); ++i) CHECK(int(q[i]) == int(expected[i]));
    for (size_t i = x.size(); i < q.size(); ++i) CHECK(int(q[i]) == 0);
  }
}

TEST_CASE("int8 kernels: min_max finds the range and reports NaN and infinity", "[kernels][int8]") {
  for (const Int8Kernels* k : runnable_int8_kernels()) {
    INFO("set " << k->name);
    std::vector<float> x(37);
    for (size_t i = 0; i < x.size(); ++i) x[i] = float(i) - 10.f;
    x[20] = -30.f;
    x[36] = 99.f;  // in the tail
    float mn = 0, mx = 0;
    CHECK(k->min_max(x.data(), int64_t(x.size()), &mn, &mx));
    CHECK(mn == -30.f);
    CHECK(mx == 99.f);
    for (size_t at : {size_t(0), size_t(17), size_t(36)}) {
      for (float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                        -std::numeric_limits<float>::infinity()}) {
        std::vector<float> y = x;
        y[at] = bad;
        CHECK_FALSE(k->min_max(y.data(), int64_t(y.size()), &mn, &mx));
      }
    }
  }
}
