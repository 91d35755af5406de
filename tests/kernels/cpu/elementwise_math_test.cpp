// Every CPU kernel set this machine runs (AVX-512, AVX2, SSE4.2 or NEON, and the portable scalar one) against the
// scalar definitions in kernels/common/elementwise_math.h, the ones the CUDA kernels run, for every float op of
// ops.def over IEEE's special values: so the sets and the two backends cannot drift apart on NaN, infinities,
// signed zeros or the shortcuts, even on a machine without a GPU. (PyTorch's own values for the same ops are the
// fixtures of tests/lib, which CI also runs under each set with WICK_CPU_CAPABILITY.)
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <sstream>
#include <vector>

#include "common/elementwise_math.h"
#include "simd/simd_table.h"

using namespace wick;
using kernels::ScalarMath;

namespace {

template <class T>
std::vector<T> special_values() {
  const T inf = std::numeric_limits<T>::infinity(), nan = std::numeric_limits<T>::quiet_NaN();
  const T tiny = std::numeric_limits<T>::denorm_min(), big = std::numeric_limits<T>::max();
  return {T(0),    T(-0.0),  T(1),    T(-1), T(0.5), T(-0.5), T(2.5),   T(-2.5), T(3),
          T(1e-7), T(-1e-7), T(0.75), T(20), T(-20), T(88.5), T(-88.5), T(1e30), T(-1e30),
          big,     -big,     tiny,    -tiny, inf,    -inf,    nan};
}

// Results agree when both are NaN, or equal, or (for the transcendental ops, where xsimd's polynomials and the C
// library round differently: xsimd's double erf is ~20 units in the last place off) within 32 ulp. Exact ops
// must match to the bit, the sign of zero included, but for maximum and minimum of +0 and -0, whose sign is the
// hardware's (x86 and NEON differ, in PyTorch too).
// Two ops carry their own error model: gelu's 1 + erf(x / sqrt 2) cancels for negative x, so erf's error scales
// with |x|; xsimd's pow is exp(b log a), whose error grows with |b log a|.
enum class Match { Bits, BitsButZeroSign, Ulps, GeluErf, Pow };

template <class T>
bool agree(T got, T want, Match match, T x = 0, T y = 0) {
  if (std::isnan(got) || std::isnan(want)) return std::isnan(got) && std::isnan(want);
  if (match == Match::Bits) return got == want && std::signbit(got) == std::signbit(want);
  if (match == Match::BitsButZeroSign) return got == want;
  if (got == want) return true;
  if (std::isinf(got) || std::isinf(want)) return false;
  const T eps = std::numeric_limits<T>::epsilon();
  if (match == Match::GeluErf && std::abs(got - want) <= T(32) * eps * std::abs(x)) return true;
  if (match == Match::Pow &&
      std::abs(got - want) <= T(4) * eps * (std::abs(y * std::log(std::abs(x))) + 1) * std::abs(want))
    return true;
  return std::abs(got - want) <= T(32) * eps * std::max(std::abs(want), std::numeric_limits<T>::min() / eps);
}

Match match_for(UnaryOp op) {
  switch (op) {
    case UnaryOp::Neg:
    case UnaryOp::Abs:
    case UnaryOp::Sign:
    case UnaryOp::Sqrt:
    case UnaryOp::Reciprocal:
    case UnaryOp::Relu:
    case UnaryOp::LeakyRelu:
    case UnaryOp::Floor:
    case UnaryOp::Ceil:
    case UnaryOp::Round:
    case UnaryOp::Trunc:
    case UnaryOp::Clamp: return Match::Bits;
    case UnaryOp::GeluErf: return Match::GeluErf;
    case UnaryOp::PowScalar: return Match::Pow;
    default: return Match::Ulps;
  }
}
Match match_for(BinaryOp op) {
  if (op == BinaryOp::Maximum || op == BinaryOp::Minimum) return Match::BitsButZeroSign;
  const bool exact = op == BinaryOp::Add || op == BinaryOp::Sub || op == BinaryOp::Mul || op == BinaryOp::Div ||
                     op == BinaryOp::Remainder;
  return exact ? Match::Bits : op == BinaryOp::Pow ? Match::Pow : Match::Ulps;
}

template <class T>
constexpr int table_index() {
  return std::is_same_v<T, float> ? 0 : 1;
}

// Each unary op with the parameters its callers pass; PowScalar once through each shortcut and twice through pow.
std::vector<std::pair<double, double>> unary_params(UnaryOp op) {
  switch (op) {
    case UnaryOp::Softplus: return {{1.0, 20.0}, {2.0, 5.0}};
    case UnaryOp::LeakyRelu: return {{0.01, 0.0}};
    case UnaryOp::Elu: return {{1.0, 0.0}, {0.5, 0.0}};
    case UnaryOp::Clamp: return {{-1.0, 2.0}, {-std::numeric_limits<double>::infinity(), 0.25}};
    case UnaryOp::PowScalar: return {{2.0, 0.0}, {1.0, 0.0}, {0.5, 0.0}, {3.0, 0.0}, {-1.5, 0.0}};
    default: return {{0.0, 0.0}};
  }
}

template <class T>
void check_unary_ops(const cpu::SimdTable& table) {
  std::vector<T> in = special_values<T>();
  const int64_t n = int64_t(in.size());
  for (int i = 0; i < kNumOps<UnaryOp>; ++i) {
    visit_op(UnaryOp(i), [&]<UnaryOp op>(std::integral_constant<UnaryOp, op>) {
      if constexpr (!produces_bool(op)) {
        for (auto [p0, p1] : unary_params(op)) {
          std::vector<T> out(in.size());
          table.unary[int(op)][table_index<T>()](in.data(), out.data(), n, p0, p1);
          for (size_t k = 0; k < in.size(); ++k) {
            const T want = op == UnaryOp::PowScalar && kernels::pow_scalar_has_shortcut(p0)
                               ? kernels::pow_scalar_shortcut<ScalarMath>(in[k], p0)
                               : kernels::float_unary<op, ScalarMath>(in[k], T(p0), T(p1));
            INFO(op_name(op) << "(" << in[k] << "; " << p0 << ", " << p1 << ") "
                             << (sizeof(T) == 4 ? "float" : "double") << ": kernel " << out[k] << ", scalar " << want);
            CHECK(agree(out[k], want, match_for(op), in[k], T(p0)));
          }
        }
      }
    });
  }
}

template <class T>
void check_binary_ops(const cpu::SimdTable& table) {
  const std::vector<T> values = special_values<T>();
  std::vector<T> a, b;
  for (T x : values)
    for (T y : values) a.push_back(x), b.push_back(y);
  const int64_t n = int64_t(a.size());
  for (int i = 0; i < kNumOps<BinaryOp>; ++i) {
    visit_op(BinaryOp(i), [&]<BinaryOp op>(std::integral_constant<BinaryOp, op>) {
      if constexpr (!produces_bool(op)) {
        std::vector<T> out(a.size());
        table.binary[int(op)][table_index<T>()](a.data(), 1, b.data(), 1, out.data(), n);
        int mismatches = 0;
        std::ostringstream first;
        for (size_t k = 0; k < a.size(); ++k) {
          const T want = kernels::float_binary<op, ScalarMath>(a[k], b[k]);
          if (!agree(out[k], want, match_for(op), a[k], b[k]) && mismatches++ == 0)
            first << op_name(op) << "(" << a[k] << ", " << b[k] << "): kernel " << out[k] << ", scalar " << want;
        }
        INFO(table.name << (sizeof(T) == 4 ? " float " : " double ") << first.str());
        CHECK(mismatches == 0);
      }
    });
  }
}

}  // namespace

TEST_CASE("elementwise math: every CPU kernel set and the scalar definitions CUDA runs agree on special values",
          "[kernels][elementwise]") {
  const std::vector<const cpu::SimdTable*> tables = cpu::runnable_simd_tables();
  REQUIRE(tables.size() >= 2);  // at least one vector set and the scalar one
  for (const cpu::SimdTable* table : tables) {
    check_unary_ops<float>(*table);
    check_unary_ops<double>(*table);
    check_binary_ops<float>(*table);
    check_binary_ops<double>(*table);
  }
}

TEST_CASE("elementwise math: integer ops wrap, and fault on division by zero and negative powers",
          "[kernels][elementwise]") {
  using kernels::IntFault;
  IntFault fault = IntFault::None;
  CHECK(kernels::int_binary<BinaryOp::Add, int32_t>(INT32_MAX, 1, fault) == INT32_MIN);
  CHECK(kernels::int_binary<BinaryOp::Mul, int64_t>(INT64_MAX, 2, fault) == -2);
  CHECK(kernels::int_binary<BinaryOp::Div, int64_t>(INT64_MIN, -1, fault) == INT64_MIN);  // traps in plain C++
  CHECK(kernels::int_binary<BinaryOp::Remainder, int32_t>(-7, 3, fault) == 2);            // Python's modulo
  CHECK(kernels::int_binary<BinaryOp::Remainder, int32_t>(7, -3, fault) == -2);
  CHECK(kernels::int_binary<BinaryOp::Pow, uint8_t>(3, 5, fault) == uint8_t(243));
  CHECK(kernels::int_unary<UnaryOp::Neg, int8_t>(int8_t(-128), 0, 0, fault) == int8_t(-128));
  CHECK(kernels::int_unary<UnaryOp::Clamp, uint8_t>(uint8_t(7), -5.0, 300.0, fault) == 7);
  CHECK(fault == IntFault::None);
  CHECK(kernels::int_binary<BinaryOp::Div, int32_t>(1, 0, fault) == 0);
  CHECK(fault == IntFault::DivisionByZero);
  fault = IntFault::None;
  CHECK(kernels::int_binary<BinaryOp::Pow, int16_t>(2, -1, fault) == 0);
  CHECK(fault == IntFault::NegativePower);
  CHECK(kernels::predicate<UnaryOp::IsInf, double>(-std::numeric_limits<double>::infinity()));
  CHECK_FALSE(kernels::predicate<UnaryOp::IsInf, double>(std::numeric_limits<double>::quiet_NaN()));
  CHECK_FALSE(kernels::predicate<UnaryOp::IsInf, int64_t>(INT64_MAX));
  CHECK(kernels::predicate<UnaryOp::IsNan, float>(std::numeric_limits<float>::quiet_NaN()));
}

TEST_CASE("every CPU kernel set narrows float32 to bfloat16 as BFloat16::from_float does", "[kernels][simd][dtype]") {
  // Random bit patterns over every exponent, and the edges: zeros, denormals, infinities, NaNs whose payload
  // sits only in the low half (a truncation would make them infinities), ties and a round-up to infinity.
  std::vector<uint32_t> bits = {0x00000000u, 0x80000000u, 0x00000001u, 0x807fffffu, 0x7f800000u, 0xff800000u,
                                0x7f800001u, 0xff80ffffu, 0x7fc00000u, 0x3f808000u, 0x3f818000u, 0x7f7fffffu};
  uint64_t state = 99;
  for (int i = 0; i < 20000; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    bits.push_back(uint32_t(state >> 32));
  }
  for (const cpu::SimdTable* table : cpu::runnable_simd_tables()) {
    INFO("kernel set " << table->name);
    std::vector<uint16_t> out(bits.size());
    // Odd lengths and offsets exercise the vector loops' tails.
    table->float_to_bf16(bits.data() + 1, out.data() + 1, int64_t(bits.size()) - 2);
    table->float_to_bf16(bits.data(), out.data(), 1);
    table->float_to_bf16(bits.data() + bits.size() - 1, out.data() + bits.size() - 1, 1);
    int64_t wrong = 0;
    for (size_t i = 0; i < bits.size(); ++i) {
      float v;
      std::memcpy(&v, &bits[i], 4);
      wrong += out[i] != BFloat16::from_float(v);
    }
    CHECK(wrong == 0);
  }
}
