// Deterministic numerics mode's kernels (kernels/cpu/deterministic_numerics.h): its transcendental functions against
// the C library's (accuracy, special values), its table's summation order and unfused GEMM, and what the CPU
// backend switches when the mode turns on. tests/embedded/deterministic_numerics_test.cpp checks the bits of whole
// models on every CPU.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "cpu_backend.h"
#include "deterministic_math.h"
#include "deterministic_numerics.h"
#include "int8/int8_kernels.h"
#include "onednn_switch.h"
#include "simd/simd_table.h"

using namespace wick;
using namespace wick::cpu;

namespace {

// Distance in representable values (0: equal, NaN to NaN included).
int64_t ulps(float a, float b) {
  if (a == b || (a != a && b != b)) return 0;
  if (a != a || b != b) return std::numeric_limits<int64_t>::max();
  int32_t ia, ib;
  std::memcpy(&ia, &a, 4);
  std::memcpy(&ib, &b, 4);
  const int64_t la = ia < 0 ? int64_t(INT32_MIN) - ia : ia, lb = ib < 0 ? int64_t(INT32_MIN) - ib : ib;
  return la > lb ? la - lb : lb - la;
}

int64_t ulps(double a, double b) {
  if (a == b || (a != a && b != b)) return 0;
  if (a != a || b != b) return std::numeric_limits<int64_t>::max();
  int64_t ia, ib;
  std::memcpy(&ia, &a, 8);
  std::memcpy(&ib, &b, 8);
  // Both finite and of one sign in every comparison below, so the plain difference cannot overflow.
  if ((ia < 0) != (ib < 0)) return std::numeric_limits<int64_t>::max();
  return ia > ib ? ia - ib : ib - ia;
}

// The same bits, where a NaN matches any NaN: a NaN's sign and payload are the CPU's (x86 keeps an operand's, AArch64
// may make the default NaN), so they are not part of the guarantee.
bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != a[i] && b[i] != b[i]) continue;
    if (std::memcmp(&a[i], &b[i], sizeof(float)) != 0) return false;
  }
  return true;
}

struct Function {
  const char* name;
  int64_t float32_ulps;  // the most float32 ULPs from the correctly rounded result
  int64_t float64_ulps;  // the most float64 ULPs from the C library's result
  float (*deterministic_float)(float);
  double (*deterministic)(double);
  double (*reference)(double);
  double lo, hi;  // where the sweep draws arguments
};

const Function kFunctions[] = {
    {"exp", 1, 6, DeterministicMath::exp, deterministic::exp, [](double x) { return std::exp(x); }, -105, 90},
    {"expm1", 1, 6, DeterministicMath::expm1, deterministic::expm1, [](double x) { return std::expm1(x); }, -30, 30},
    {"log", 1, 6, DeterministicMath::log, deterministic::log, [](double x) { return std::log(x); }, 0, 1e6},
    {"log1p", 1, 6, DeterministicMath::log1p, deterministic::log1p, [](double x) { return std::log1p(x); }, -1, 1e4},
    {"tanh", 1, 6, DeterministicMath::tanh, deterministic::tanh, [](double x) { return std::tanh(x); }, -12, 12},
    // erf sums up to ~130 positive terms near |x| = 6 (deterministic_math.cpp): 1e-14 relative there.
    {"erf", 1, 64, DeterministicMath::erf, deterministic::erf, [](double x) { return std::erf(x); }, -7, 7},
};

// Arguments over [lo, hi], a quarter of them scaled down a thousandfold and an eighth a millionfold, so that the
// small-argument branches are swept too.
template <class F>
void sweep(const Function& f, int n, F&& check) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> uniform(f.lo, f.hi);
  for (int i = 0; i < n; ++i) {
    double x = uniform(rng);
    if (i % 4 == 0) x *= 1e-3;
    if (i % 8 == 1) x *= 1e-6;
    check(x);
  }
}

}  // namespace

TEST_CASE("deterministic math: float32 results within 1 ULP of the correctly rounded value", "[deterministic]") {
  for (const Function& f : kFunctions) {
    int64_t worst = 0;
    float worst_x = 0;
    sweep(f, 100000, [&](double wide) {
      const float x = float(wide);
      // The C library's double result, rounded to float: correctly rounded but for rare double roundings.
      const int64_t d = ulps(f.deterministic_float(x), float(f.reference(x)));
      if (d > worst) worst = d, worst_x = x;
    });
    INFO(f.name << ": " << worst << " ULPs at " << worst_x);
    CHECK(worst <= f.float32_ulps);
  }
}

// Every float argument of float32 erf, both signs (from |x| = 4.5 on the result is +-1, checked by the cases above and
// below): the check behind tools/fit_erf_float.py's polynomials. Hidden, as it takes minutes: [.exhaustive] runs it.
TEST_CASE("deterministic math: float32 erf within 1 ULP of the correctly rounded value on every float",
          "[.exhaustive]") {
  uint32_t end;
  const float last = 4.5f;
  std::memcpy(&end, &last, sizeof end);
  int64_t worst = 0;
  float worst_x = 0;
  for (uint32_t bits = 0; bits < end; ++bits) {
    float x;
    std::memcpy(&x, &bits, sizeof x);
    for (const float v : {x, -x}) {
      const int64_t d = ulps(DeterministicMath::erf(v), float(std::erf(double(v))));
      if (d > worst) worst = d, worst_x = v;
    }
  }
  INFO("erf: " << worst << " ULPs at " << worst_x);
  CHECK(worst <= 1);
}

TEST_CASE("deterministic math: float64 results within a few ULPs of the C library's", "[deterministic]") {
  for (const Function& f : kFunctions) {
    int64_t worst = 0;
    double worst_x = 0;
    sweep(f, 100000, [&](double x) {
      const int64_t d = ulps(f.deterministic(x), f.reference(x));
      if (d > worst) worst = d, worst_x = x;
    });
    INFO(f.name << ": " << worst << " ULPs at " << worst_x);
    CHECK(worst <= f.float64_ulps);
  }
}

TEST_CASE("deterministic math: special values as the C library's", "[deterministic]") {
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  const double specials[] = {0.0,  -0.0,   inf,    -inf,  nan,   1e-310, -1e-310, 5e-324, 709.78,
                             710., -745.1, -746.0, 88.72, 88.73, -103.9, -1.0,    -2.0,   1e300};
  for (const Function& f : kFunctions) {
    for (double x : specials) {
      const double got = f.deterministic(x), want = f.reference(x);
      INFO(f.name << "(" << x << ") = " << got << ", the C library's " << want);
      CHECK(ulps(got, want) <= f.float64_ulps);
      if (want == want) CHECK(std::signbit(got) == std::signbit(want));  // the C library's NaNs may be negative
      const float fgot = f.deterministic_float(float(x)), fwant = float(f.reference(float(x)));
      CHECK(ulps(fgot, fwant) <= f.float32_ulps);
      if (fwant == fwant) CHECK(std::signbit(fgot) == std::signbit(fwant));
    }
  }
}

TEST_CASE("deterministic math: the table sums in index order and fuses each multiply-add", "[deterministic]") {
  const SimdTable& t = simd_table_deterministic();
  // 1e8 absorbs each 1 (float's spacing there is 8) only when the ones come one at a time: any other order (lanes,
  // pairs) keeps some of them.
  float values[18] = {1e8f};
  for (int i = 1; i < 17; ++i) values[i] = 1.0f;
  values[17] = -1e8f;
  float sum = 0.0f;
  t.reduce[int(ReduceOp::Sum)][0](values, 18, &sum);
  CHECK(sum == 0.0f);

  // c = a0 b0 + a1 b1 by fused multiply-adds: a0 b0 = -(1 + 2^-11) exactly, and a1 b1 = 1 + 2^-11 + 2^-24 is kept
  // whole by the second one, so c = 2^-24; rounding that product first would give 0. Both orders of the GEMM: B
  // row-major (products added in k order) and transposed (the 16-lane dot product: lanes 0 and 1, then combined).
  const float a[2] = {-(1.0f + 0x1p-11f), 1.0f + 0x1p-12f}, b[2] = {1.0f, 1.0f + 0x1p-12f};
  volatile float p0 = a[0] * b[0];
  volatile float p1 = a[1] * b[1];
  REQUIRE(p0 + p1 == 0.0f);  // so the checks below tell the two apart
  float c = -1.0f;
  t.gemm[0](1, 1, 2, a, 2, 1, b, 1, 1, &c, 1, false);
  CHECK(c == 0x1p-24f);
  // Transposed, the lanes hold a0 b0 and a1 b1 rounded apart (one fused multiply-add onto 0 each): their sum is 0.
  c = -1.0f;
  t.gemm[0](1, 1, 2, a, 2, 1, b, 1, 2, &c, 1, false);
  CHECK(c == 0.0f);
}

TEST_CASE("deterministic math: every kernel set's fused multiply-add rounds once, where double rounding would not",
          "[deterministic]") {
  // SSE4.2 has no FMA instruction and emulates one through float64 rounded to odd. Each row is one a and 16 (b, c)
  // pairs, run as a 1x16x1 GEMM onto C = c (a vector of multiply-adds on every set) against the C library's fmaf.
  struct Row {
    float a, b[16], c[16];
  };
  std::vector<Row> rows;
  auto same_lanes = [&](float a, float b, float c) {
    Row r{a, {}, {}};
    std::fill(r.b, r.b + 16, b), std::fill(r.c, r.c + 16, c);
    rows.push_back(r);
  };
  // (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24 is a float32 rounding midpoint; with c = +-2^-60 the exact sum is a hair off it,
  // which float64 cannot hold: rounded to float64 first it would land on the midpoint and round to even.
  same_lanes(1.0f + 0x1p-12f, 1.0f + 0x1p-12f, 0x1p-60f);
  same_lanes(1.0f + 0x1p-12f, 1.0f + 0x1p-12f, -0x1p-60f);
  same_lanes(-(1.0f + 0x1p-12f), 1.0f + 0x1p-12f, 0x1p-60f);
  same_lanes(0x1p-75f, 0x1p-75f, 0x1p-149f);  // a product below the subnormals, onto the smallest one
  same_lanes(3.0f, 0x1p-149f, 0x1p-149f);     // subnormal results
  same_lanes(std::numeric_limits<float>::max(), 2.0f, -std::numeric_limits<float>::max());  // a * b alone overflows
  same_lanes(std::numeric_limits<float>::max(), 1.5f, 0.0f);                                // overflow
  same_lanes(std::numeric_limits<float>::infinity(), 0.0f, 1.0f);                           // NaN
  same_lanes(-0.0f, 1.0f, 0.0f);
  std::mt19937 rng(11);
  std::uniform_int_distribution<uint32_t> bits;
  auto random_float = [&] {
    const uint32_t u = bits(rng);
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
  };
  for (int i = 0; i < 2000; ++i) {
    Row r{random_float(), {}, {}};
    for (int j = 0; j < 16; ++j) {
      r.b[j] = random_float();
      // Half the lanes cancel nearly: c within a few float32 ulps of -a * b.
      r.c[j] = j % 2 ? random_float() : -r.a * r.b[j] * (1.0f + std::ldexp(float(int(bits(rng) % 64) - 32), -24));
    }
    rows.push_back(r);
  }
  for (const SimdTable* t : runnable_simd_tables()) {
    int64_t mismatches = 0;
    for (const Row& r : rows) {
      float got[16];
      std::copy(r.c, r.c + 16, got);
      t->ordered_gemm(1, 16, 1, &r.a, 1, 1, r.b, 16, 1, got, 16, true);
      for (int j = 0; j < 16; ++j) {
        const float expected = std::fma(r.a, r.b[j], r.c[j]);
        const bool same =
            std::memcmp(&got[j], &expected, sizeof expected) == 0 || (std::isnan(expected) && std::isnan(got[j]));
        if (!same && mismatches++ < 5)
          FAIL_CHECK(t->name << std::hexfloat << ": fma(" << r.a << ", " << r.b[j] << ", " << r.c[j]
                             << ") = " << expected << ", got " << got[j]);
      }
    }
    INFO(t->name);
    CHECK(mismatches == 0);
  }
}

TEST_CASE("deterministic math: every kernel set's deterministic float kernels give the scalar loop's bits",
          "[deterministic]") {
  // Every float32 class: the sweep's arguments, zeros, subnormals, the overflow and underflow edges, infinities, NaN;
  // lengths that leave a partial vector.
  std::vector<float> x;
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> wide(-100.0f, 100.0f), narrow(-3.0f, 3.0f);
  for (int i = 0; i < 4000; ++i) x.push_back(i % 2 ? wide(rng) : narrow(rng));
  for (float v : {0.0f, -0.0f, 1e-40f, -1e-40f, 88.72f, 88.73f, 89.5f, -87.4f, -103.9f, -104.5f, 0.625f, -0.625f,
                  std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::min()})
    x.push_back(v);
  const SimdTable& scalar = simd_table_scalar();
  for (int op = 0; op < kNumOps<UnaryOp>; ++op) {
    if (!uses_deterministic_math(UnaryOp(op))) continue;
    REQUIRE(scalar.deterministic_unary[op] != nullptr);
    for (const int64_t n : {int64_t(x.size()), int64_t(13)}) {
      std::vector<float> expected(static_cast<size_t>(n)), got(static_cast<size_t>(n));
      scalar.deterministic_unary[op](x.data(), expected.data(), n, 1.0, 20.0);
      for (const SimdTable* t : runnable_simd_tables()) {
        if (!t->deterministic_unary[op]) {  // a vector set leaves the per-element double functions to the scalar one
          CHECK_FALSE(vectorised_deterministic_math(UnaryOp(op)));
          continue;
        }
        t->deterministic_unary[op](x.data(), got.data(), n, 1.0, 20.0);
        INFO(t->name << ", unary op " << op << ", " << n << " values");
        CHECK(same_bits(got, expected));
      }
    }
  }
}

TEST_CASE("deterministic math: every kernel set's ordered GEMM gives the scalar loop's bits", "[deterministic]") {
  // Sizes that leave partial register tiles, cross the packed GEMM's 256-deep K blocks and end the dot products'
  // 16-wide blocks anywhere; B row-major (a matmul) and transposed (a Linear layer's weight, the dot products); C
  // overwritten and accumulated into; one row (batch-1 inference).
  std::mt19937 rng(3);
  std::normal_distribution<float> normal;
  for (const auto [M, N, K] :
       {std::array<int64_t, 3>{7, 37, 300}, {1, 64, 16}, {3, 5, 600}, {64, 10, 33}, {2, 3, 5}, {20, 9, 17}}) {
    for (const bool transposed : {false, true}) {
      for (const bool accumulate : {false, true}) {
        std::vector<float> A(size_t(M * K)), B(size_t(K * N)), C0(size_t(M * N));
        for (float& v : A) v = normal(rng);
        for (float& v : B) v = normal(rng);
        for (float& v : C0) v = normal(rng);
        const int64_t b_rs = transposed ? 1 : N, b_cs = transposed ? K : 1;
        std::vector<float> expected = C0;
        simd_table_scalar().ordered_gemm(M, N, K, A.data(), K, 1, B.data(), b_rs, b_cs, expected.data(), N, accumulate);
        for (const SimdTable* t : runnable_simd_tables()) {
          std::vector<float> got = C0;
          t->ordered_gemm(M, N, K, A.data(), K, 1, B.data(), b_rs, b_cs, got.data(), N, accumulate);
          INFO(t->name << ": " << M << "x" << N << "x" << K << (transposed ? " B^T" : "")
                       << (accumulate ? " accumulating" : ""));
          CHECK(same_bits(got, expected));
        }
      }
    }
  }
}

TEST_CASE("deterministic numerics mode: the CPU backend's deterministic table, the same int8 set, no fused kernels",
          "[deterministic]") {
  CpuBackend& cpu = static_cast<CpuBackend&>(cpu_backend());
  const std::string chosen = chosen_simd_table().name;
  const Int8Kernels* chosen_int8 = &int8_kernels();
  REQUIRE(cpu.set_deterministic_numerics(true));
  CHECK(std::string(simd_table().name) == "deterministic");
  CHECK(&int8_kernels() == chosen_int8);  // every int8 set gives the same bits (int8_kernels_test.cpp)
  CHECK_FALSE(use_onednn());
  CHECK_FALSE(cpu.supports(FusedOp::Softmax, kFloat));
  CHECK_FALSE(cpu.supports(FusedOp::LayerNorm, kFloat));
  CHECK_FALSE(cpu.supports(FusedOp::AvgPool2d, kFloat));
  CHECK(cpu.supports(FusedOp::Conv2d, kFloat));    // the portable kernel, not oneDNN's
  CHECK(cpu.supports(FusedOp::LstmCell, kFloat));  // the forward's bits are the composed step's; lib/ composes
  CHECK(cpu.supports(FusedOp::GruCell, kFloat));   // a recorded step
  CHECK(cpu.supports(FusedOp::MaxPool2d, kFloat));
  CHECK(cpu.supports(FusedOp::LinearInt8, kFloat));
  // The unary kernels that call a transcendental function are the deterministic ones (float32 on the widest set's
  // vectors), the others the scalar set's.
  CHECK(simd_table().unary[int(UnaryOp::Tanh)][0] == chosen_simd_table().deterministic_unary[int(UnaryOp::Tanh)]);
  CHECK(simd_table().gemm[0] == chosen_simd_table().ordered_gemm);
  CHECK(simd_table().unary[int(UnaryOp::Relu)][0] == simd_table_scalar().unary[int(UnaryOp::Relu)][0]);
  cpu.set_deterministic_numerics(false);
  CHECK(std::string(simd_table().name) == chosen);
  CHECK(cpu.supports(FusedOp::Softmax, kFloat));
}
