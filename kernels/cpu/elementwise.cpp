// fill, copy-with-cast, unary, binary and where over strided views. float and double rows go through the
// vectorised SimdTable (strided rows are gathered into small contiguous blocks first); integer and bool
// rows use plain loops.
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "common/elementwise_math.h"
#include "cpu_backend.h"
#include "dense_operands.h"
#include "dispatch.h"
#include "elementwise_bf16.h"
#include "loops.h"
#include "simd/simd_table.h"
#include "strided_copy.h"
#include "widened.h"

namespace wick::cpu {
namespace {

constexpr int64_t kBlock = 256;  // elements gathered per block for strided rows

template <class T>
inline T load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}
template <class T>
inline void store(char* p, T v) {
  std::memcpy(p, &v, sizeof(T));
}

template <class To, class From>
inline To convert(From v) {
  if constexpr (std::is_same_v<To, bool>) {
    if constexpr (std::is_same_v<From, Half> || std::is_same_v<From, BFloat16>)
      return static_cast<float>(v) != 0.0f;
    else
      return v != From(0);
  } else if constexpr (std::is_same_v<To, Half> || std::is_same_v<To, BFloat16>) {
    return To(static_cast<float>(v));
  } else if constexpr (std::is_same_v<From, Half> || std::is_same_v<From, BFloat16>) {
    return convert<To>(static_cast<float>(v));
  } else if constexpr (std::is_integral_v<To> && std::is_floating_point_v<From>) {
    return kernels::float_to_integer<To>(v);
  } else {
    return static_cast<To>(v);
  }
}

// ---- integer and bool rows: the ops' math is kernels/common/elementwise_math.h --------------------------------
using kernels::IntFault;

[[noreturn]] void report(IntFault fault, BinaryOp op, int64_t divisor_or_exponent) {
  if (fault == IntFault::DivisionByZero)
    fail(op == BinaryOp::Div ? "div" : "remainder", "integer division by zero",
         op == BinaryOp::Remainder ? " (ZeroDivisionError)" : "");
  fail("pow", "integers to negative integer powers are not allowed (exponent ", divisor_or_exponent, ")");
}

[[noreturn]] void not_for_integers(const char* op, ScalarType dtype) {
  fail(op, "op is not defined for integer tensors (got ", dtype_name(dtype), ")");
}

// Each op's element function for one dtype, picked once per call: the strided loops below then exist once per
// dtype, not once per op and dtype (which tripled this file's code and pushed the static embedded binary past its
// size budget). Null where the op does not apply.
template <class T>
using PredicateFn = bool (*)(T);
template <class T>
using CompareFn = bool (*)(T, T);
template <class T>
using IntUnaryFn = T (*)(T, double, double, IntFault&);
template <class T>
using IntBinaryFn = T (*)(T, T, IntFault&);

template <class T>
PredicateFn<T> predicate_fn(UnaryOp op) {
  PredicateFn<T> fn = nullptr;
  visit_op(op, [&]<UnaryOp kOp>(std::integral_constant<UnaryOp, kOp>) {
    if constexpr (produces_bool(kOp)) fn = &kernels::predicate<kOp, T>;
  });
  return fn;
}
template <class T>
CompareFn<T> compare_fn(BinaryOp op) {
  CompareFn<T> fn = nullptr;
  visit_op(op, [&]<BinaryOp kOp>(std::integral_constant<BinaryOp, kOp>) {
    if constexpr (produces_bool(kOp)) fn = &kernels::compare<kOp, T>;
  });
  return fn;
}
template <class T>
IntUnaryFn<T> int_unary_fn(UnaryOp op) {
  IntUnaryFn<T> fn = nullptr;
  visit_op(op, [&]<UnaryOp kOp>(std::integral_constant<UnaryOp, kOp>) {
    if constexpr (takes_integers(kOp) && !produces_bool(kOp)) fn = &kernels::int_unary<kOp, T>;
  });
  return fn;
}
template <class T>
IntBinaryFn<T> int_binary_fn(BinaryOp op) {
  IntBinaryFn<T> fn = nullptr;
  visit_op(op, [&]<BinaryOp kOp>(std::integral_constant<BinaryOp, kOp>) {
    if constexpr (takes_integers(kOp) && !produces_bool(kOp)) fn = &kernels::int_binary<kOp, T>;
  });
  return fn;
}

// ---- vectorised rows ----------------------------------------------------------------------------------
template <class T>
constexpr int simd_index() {
  return std::is_same_v<T, float> ? 0 : 1;
}

// Runs a contiguous vector kernel over a row with arbitrary byte strides, gathering where needed.
template <class T, class Kernel>
void binary_row(Kernel kernel, char* out, const char* a, const char* b, int64_t so, int64_t sa, int64_t sb, int64_t n) {
  constexpr int64_t E = sizeof(T);
  const bool a_ok = sa == E || sa == 0, b_ok = sb == E || sb == 0;
  if (so == E && a_ok && b_ok) {
    kernel(a, sa / E, b, sb / E, out, n);
    return;
  }
  alignas(64) T ta[kBlock], tb[kBlock], to[kBlock];
  for (int64_t i = 0; i < n; i += kBlock) {
    const int64_t m = n - i < kBlock ? n - i : kBlock;
    const void* pa = a + i * sa;
    const void* pb = b + i * sb;
    int64_t ea = 0, eb = 0;
    if (!a_ok) {
      for (int64_t k = 0; k < m; ++k) ta[k] = load<T>(a + (i + k) * sa);
      pa = ta;
      ea = 1;
    } else {
      ea = sa / E;
    }
    if (!b_ok) {
      for (int64_t k = 0; k < m; ++k) tb[k] = load<T>(b + (i + k) * sb);
      pb = tb;
      eb = 1;
    } else {
      eb = sb / E;
    }
    if (so == E) {
      kernel(pa, ea, pb, eb, out + i * so, m);
    } else {
      kernel(pa, ea, pb, eb, to, m);
      for (int64_t k = 0; k < m; ++k) store<T>(out + (i + k) * so, to[k]);
    }
  }
}

template <class T>
void unary_row(SimdTable::Unary kernel, char* out, const char* in, int64_t so, int64_t si, int64_t n, double p0,
               double p1) {
  constexpr int64_t E = sizeof(T);
  if (so == E && si == E) {
    kernel(in, out, n, p0, p1);
    return;
  }
  alignas(64) T ti[kBlock], to[kBlock];
  for (int64_t i = 0; i < n; i += kBlock) {
    const int64_t m = n - i < kBlock ? n - i : kBlock;
    for (int64_t k = 0; k < m; ++k) ti[k] = load<T>(in + (i + k) * si);
    kernel(ti, to, m, p0, p1);
    for (int64_t k = 0; k < m; ++k) store<T>(out + (i + k) * so, to[k]);
  }
}

}  // namespace

void CpuBackend::fill(const View& out, double value) {
  dispatch_all(out.dtype, "fill", [&]<class T>() {
    const T v = convert<T>(value);
    StridedLoop<1>({&out}).run([&](char** p, const int64_t* s, int64_t n) {
      if (s[0] == sizeof(T)) {
        T* o = reinterpret_cast<T*>(p[0]);
        for (int64_t i = 0; i < n; ++i) o[i] = v;
      } else {
        for (int64_t i = 0; i < n; ++i) store<T>(p[0] + i * s[0], v);
      }
    });
  });
}

namespace {

// float32 <-> bfloat16 between contiguous buffers: autocast casts every weight and activation this way, and
// the per-element path (one load, convert and store per value) ran at 1.5-3.5 ns an element. As whole-array
// integer arithmetic (BFloat16's own rounding, simd/bf16_convert.h, in the kernel set's width) the compiler
// vectorises both directions. False when the loop is not one contiguous run of these two dtypes.
bool convert_bf16_contiguous(const StridedLoop<2>& loop, ScalarType to, ScalarType from) {
  const bool narrowing = to == kBFloat16 && from == kFloat, widening = to == kFloat && from == kBFloat16;
  if (!(narrowing || widening) || loop.ndim != 1 || loop.strides[0][0] != element_size(to) ||
      loop.strides[1][0] != element_size(from))
    return false;
  loop.run([&](char** p, const int64_t*, int64_t n) {
    if (narrowing) {
      simd_table().float_to_bf16(p[1], p[0], n);  // at the CPU's vector width
    } else {
      bf16_to_float_loop(p[1], p[0], n);
    }
  });
  return true;
}

}  // namespace

void CpuBackend::copy(const View& out, const View& in) {
  StridedLoop<2> loop({&out, &in});
  if (out.dtype == in.dtype) {
    if (loop.ndim == 1 && loop.strides[0][0] == element_size(out.dtype) && loop.strides[1][0] == loop.strides[0][0]) {
      const int64_t E = element_size(out.dtype);
      loop.run([&](char** p, const int64_t*, int64_t n) { std::memcpy(p[0], p[1], size_t(n * E)); });
    } else {
      strided_copy(out, in);  // transposes, permutes, broadcasts: xtensor's strided assignment
    }
    return;
  }
  if (convert_bf16_contiguous(loop, out.dtype, in.dtype)) return;
  // A cast between int8 and a dtype other than int32 goes through int32, which holds every int8 value and wraps to
  // int8 as a direct cast would: two passes for a rare cast, instead of 14 more loops (~100 KB of a static binary).
  if ((out.dtype == kInt8) != (in.dtype == kInt8) && out.dtype != kInt32 && in.dtype != kInt32) {
    const Widened mid(*this, in, true, kInt32);
    copy(out, mid.view());
    return;
  }
  dispatch_all(out.dtype, "copy", [&]<class To>() {
    dispatch_all(in.dtype, "copy", [&]<class From>() {
      // Pairs returned above are not instantiated, which keeps the static binary smaller.
      constexpr bool int8_pair = std::is_same_v<To, int8_t> || std::is_same_v<From, int8_t>;
      constexpr bool int32_pair = std::is_same_v<To, int32_t> || std::is_same_v<From, int32_t>;
      if constexpr (!std::is_same_v<To, From> && (!int8_pair || int32_pair)) {
        loop.run([&](char** p, const int64_t* s, int64_t n) {
          for (int64_t i = 0; i < n; ++i) store<To>(p[0] + i * s[0], convert<To>(load<From>(p[1] + i * s[1])));
        });
      }
    });
  });
}

void CpuBackend::unary(UnaryOp op, const View& out, const View& in, double p0, double p1) {
  if (in.dtype == kBFloat16 && unary_bf16(op, out, in, p0, p1)) return;
  if (!produces_bool(op) && (in.dtype == kFloat || in.dtype == kDouble) && out.is_contiguous() && in.is_contiguous()) {
    const SimdTable::Unary kernel = simd_table().unary[int(op)][in.dtype == kFloat ? 0 : 1];
    const int64_t E = element_size(in.dtype);
    const char* pi = static_cast<const char*>(in.data);
    char* po = static_cast<char*>(out.data);
    parallel_for(0, out.numel(), kElementwiseGrain,
                 [&](int64_t begin, int64_t end) { kernel(pi + begin * E, po + begin * E, end - begin, p0, p1); });
    return;
  }
  StridedLoop<2> loop({&out, &in});
  dispatch_compute(in.dtype, "unary", [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>) {
      if (!produces_bool(op)) {
        SimdTable::Unary kernel = simd_table().unary[int(op)][simd_index<T>()];
        loop.run(
            [&](char** p, const int64_t* s, int64_t n) { unary_row<T>(kernel, p[0], p[1], s[0], s[1], n, p0, p1); });
        return;
      }
    }
    if (produces_bool(op)) {
      const PredicateFn<T> predicate = predicate_fn<T>(op);
      loop.run([&](char** p, const int64_t* s, int64_t n) {
        for (int64_t i = 0; i < n; ++i) store<bool>(p[0] + i * s[0], predicate(load<T>(p[1] + i * s[1])));
      });
      return;
    }
    if constexpr (!std::is_floating_point_v<T>) {
      const IntUnaryFn<T> fn = int_unary_fn<T>(op);
      if (!fn) not_for_integers("unary", in.dtype);
      if (op == UnaryOp::PowScalar && std::is_signed_v<T> && p0 < 0)
        report(IntFault::NegativePower, BinaryOp::Pow, int64_t(p0));
      IntFault fault = IntFault::None;  // none possible: the exponent was checked above
      loop.run([&](char** p, const int64_t* s, int64_t n) {
        for (int64_t i = 0; i < n; ++i) store<T>(p[0] + i * s[0], fn(load<T>(p[1] + i * s[1]), p0, p1, fault));
      });
    }
  });
}

namespace {
// Calls f(ka, kb) with each of two element strides (0: a broadcast scalar, 1: a dense row) as a compile-time
// constant, so a loop indexing p[i * k] becomes a plain or a broadcast load the compiler can vectorise.
template <class F>
void with_unit_strides(int64_t sa, int64_t sb, F&& f) {
  using Zero = std::integral_constant<int64_t, 0>;
  using One = std::integral_constant<int64_t, 1>;
  if (sa) {
    if (sb)
      f(One{}, One{});
    else
      f(One{}, Zero{});
  } else {
    if (sb)
      f(Zero{}, One{});
    else
      f(Zero{}, Zero{});
  }
}
}  // namespace

void CpuBackend::binary(BinaryOp op, const View& out, const View& a, const View& b) {
  if (a.dtype == kBFloat16 && binary_bf16(op, out, a, b)) return;
  if (!produces_bool(op) && (a.dtype == kFloat || a.dtype == kDouble) && out.is_contiguous() &&
      dense_or_scalar(a, out) && dense_or_scalar(b, out)) {
    // The hot path: contiguous float rows straight into the vector kernel, no dim bookkeeping.
    const SimdTable::Binary kernel = simd_table().binary[int(op)][a.dtype == kFloat ? 0 : 1];
    const int64_t sa = unit_stride(a), sb = unit_stride(b), E = element_size(a.dtype);
    const char* pa = static_cast<const char*>(a.data);
    const char* pb = static_cast<const char*>(b.data);
    char* po = static_cast<char*>(out.data);
    parallel_for(0, out.numel(), kElementwiseGrain, [&](int64_t begin, int64_t end) {
      kernel(pa + begin * sa * E, sa, pb + begin * sb * E, sb, po + begin * E, end - begin);
    });
    return;
  }
  if (produces_bool(op) && out.is_contiguous() && dense_or_scalar(a, out) && dense_or_scalar(b, out)) {
    // Masks for relu's backward, dropout, accuracy counts: contiguous rows, threaded.
    const int64_t sa = unit_stride(a), sb = unit_stride(b);
    dispatch_compute(a.dtype, "binary", [&]<class T>() {
      const T* pa = static_cast<const T*>(a.data);
      const T* pb = static_cast<const T*>(b.data);
      bool* po = static_cast<bool*>(out.data);
      // The op resolved outside the loop, so each one is a plain loop.
      auto run = [&](auto predicate) {
        with_unit_strides(sa, sb, [&](auto ka, auto kb) {
          parallel_for(0, out.numel(), kElementwiseGrain, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i) po[i] = predicate(pa[i * ka], pb[i * kb]);
          });
        });
      };
      // The six comparisons inline (vectorised); the logical ops through their element function.
      const bool logical = op == BinaryOp::LogicalAnd || op == BinaryOp::LogicalOr || op == BinaryOp::LogicalXor;
      if (logical) {
        const CompareFn<T> compare = compare_fn<T>(op);
        run([compare](T x, T y) { return compare(x, y); });
        return;
      }
      visit_op(op, [&]<BinaryOp kOp>(std::integral_constant<BinaryOp, kOp>) {
        if constexpr (kOp >= BinaryOp::Eq && kOp <= BinaryOp::Ge)
          run([](T x, T y) { return kernels::compare<kOp>(x, y); });
      });
    });
    return;
  }
  StridedLoop<3> loop({&out, &a, &b});
  dispatch_compute(a.dtype, "binary", [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>) {
      if (!produces_bool(op)) {
        SimdTable::Binary kernel = simd_table().binary[int(op)][simd_index<T>()];
        loop.run([&](char** p, const int64_t* s, int64_t n) {
          binary_row<T>(kernel, p[0], p[1], p[2], s[0], s[1], s[2], n);
        });
        return;
      }
    }
    if (produces_bool(op)) {
      const CompareFn<T> compare = compare_fn<T>(op);
      loop.run([&](char** p, const int64_t* s, int64_t n) {
        for (int64_t i = 0; i < n; ++i)
          store<bool>(p[0] + i * s[0], compare(load<T>(p[1] + i * s[1]), load<T>(p[2] + i * s[2])));
      });
      return;
    }
    if constexpr (!std::is_floating_point_v<T>) {
      const IntBinaryFn<T> fn = int_binary_fn<T>(op);
      if (!fn) not_for_integers("binary", a.dtype);
      loop.run([&](char** p, const int64_t* s, int64_t n) {
        IntFault fault = IntFault::None;
        for (int64_t i = 0; i < n; ++i) {
          const T y = load<T>(p[2] + i * s[2]);
          store<T>(p[0] + i * s[0], fn(load<T>(p[1] + i * s[1]), y, fault));
          if (fault != IntFault::None) report(fault, op, int64_t(y));
        }
      });
    }
  });
}

void CpuBackend::where(const View& out, const View& cond, const View& a, const View& b) {
  if (out.is_contiguous() && dense_or_scalar(cond, out) && dense_or_scalar(a, out) && dense_or_scalar(b, out)) {
    // where(mask, grad, 0) in the backward of relu, clamp, max...: contiguous and threaded.
    const int64_t sc = unit_stride(cond), sa = unit_stride(a), sb = unit_stride(b), E = element_size(out.dtype);
    const bool* pc = static_cast<const bool*>(cond.data);
    const char* pa = static_cast<const char*>(a.data);
    const char* pb = static_cast<const char*>(b.data);
    char* po = static_cast<char*>(out.data);
    if (out.dtype == kFloat || out.dtype == kDouble) {
      const SimdTable::Where kernel = simd_table().where[out.dtype == kFloat ? 0 : 1];
      parallel_for(0, out.numel(), kElementwiseGrain, [&](int64_t begin, int64_t end) {
        kernel(pc + begin * sc, sc, pa + begin * sa * E, sa, pb + begin * sb * E, sb, po + begin * E, end - begin);
      });
      return;
    }
    if (E == 2) {
      // bfloat16 and float16 (relu's backward under autocast): choosing is copying bits, here by masks over plain
      // integers with compile-time strides, which the compiler vectorises (a branch per element mispredicts on
      // every other element of a ReLU mask).
      const auto* qa = reinterpret_cast<const uint16_t*>(pa);
      const auto* qb = reinterpret_cast<const uint16_t*>(pb);
      auto* qo = reinterpret_cast<uint16_t*>(po);
      const auto* mask = reinterpret_cast<const uint8_t*>(pc);  // bools are bytes 0 or 1; GCC widens bytes, not bools
      with_unit_strides(sa, sb, [&](auto ka, auto kb) {
        with_unit_strides(sc, sc, [&](auto kc, auto) {
          parallel_for(0, out.numel(), kElementwiseGrain, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i) {
              const uint16_t take_a = uint16_t(0 - uint16_t(mask[i * kc]));  // all ones or zero
              qo[i] = uint16_t((qa[i * ka] & take_a) | (qb[i * kb] & ~take_a));
            }
          });
        });
      });
      return;
    }
    dispatch_all(out.dtype, "where", [&]<class T>() {
      parallel_for(0, out.numel(), kElementwiseGrain, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i)
          store<T>(po + i * E, pc[i * sc] ? load<T>(pa + i * sa * E) : load<T>(pb + i * sb * E));
      });
    });
    return;
  }
  StridedLoop<4> loop({&out, &cond, &a, &b});
  dispatch_all(out.dtype, "where", [&]<class T>() {
    loop.run([&](char** p, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; ++i)
        store<T>(p[0] + i * s[0], load<bool>(p[1] + i * s[1]) ? load<T>(p[2] + i * s[2]) : load<T>(p[3] + i * s[3]));
    });
  });
}

}  // namespace wick::cpu
