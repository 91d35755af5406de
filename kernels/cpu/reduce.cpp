// Reductions. The output view has the input's shape with stride 0 on reduced dims, so every input element
// knows its output slot. Three loops, fastest first:
//   inner runs: the innermost reduced dim is contiguous: each output reduces contiguous runs (row sums,
//               softmax-style rows, NCHW batch-norm statistics);
//   row accumulate: the innermost dim is kept and contiguous: whole rows are combined into the output row
//               (column sums, reducing the batch dim);
//   general: a strided element loop.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "common/planning.h"
#include "common/reduce_math.h"
#include "cpu_backend.h"
#include "dispatch.h"
#include "loops.h"
#include "simd/simd_table.h"

namespace wick::cpu {
namespace {

// The runtime op on the shared definitions (kernels/common/reduce_math.h). combine runs per element in the loops
// below, so a plain switch (which the compiler hoists out of a loop) rather than visit_op's chain of compares;
// with no default, -Wswitch flags a reduction added to ops.def but not here.
template <class T>
T combine(ReduceOp op, T a, T b) {
  switch (op) {
    case ReduceOp::Sum: return kernels::reduce_combine<ReduceOp::Sum>(a, b);
    case ReduceOp::Prod: return kernels::reduce_combine<ReduceOp::Prod>(a, b);
    case ReduceOp::Max: return kernels::reduce_combine<ReduceOp::Max>(a, b);
    case ReduceOp::Min: return kernels::reduce_combine<ReduceOp::Min>(a, b);
    case ReduceOp::All: return kernels::reduce_combine<ReduceOp::All>(a, b);
    case ReduceOp::Any: return kernels::reduce_combine<ReduceOp::Any>(a, b);
    case ReduceOp::kCount: break;
  }
  return a;
}

using Dim = kernels::ReduceDim;

// Calls f(offset) for every multi-index over dims[first, last) (element offsets along `stride_of`).
template <class F>
void for_each_index(const Dim* dims, int first, int last, int64_t Dim::*stride_of, F&& f) {
  int64_t idx[kMaxDims] = {};
  const int k = last - first;
  for (;;) {
    int64_t off = 0;
    for (int d = 0; d < k; ++d) off += idx[d] * (dims[first + d].*stride_of);
    f(off);
    int d = k - 1;
    for (; d >= 0; --d) {
      if (++idx[d] < dims[first + d].size) break;
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

template <class T>
void reduce_typed(ReduceOp op, const View& out, const View& in) {
  T* o = static_cast<T*>(out.data);
  const T* x = static_cast<const T*>(in.data);
  Dim dims[kMaxDims];
  const int nd = kernels::plan_reduce_dims(out, in, dims);
  int num_kept = 0;
  while (num_kept < nd && dims[num_kept].out_stride != 0) ++num_kept;
  int64_t kept_count = 1;
  for (int d = 0; d < num_kept; ++d) kept_count *= dims[d].size;
  if (in.numel() == 0) return;

  constexpr bool vectorised = std::is_same_v<T, float> || std::is_same_v<T, double>;
  const int ti = std::is_same_v<T, float> ? 0 : 1;
  const bool simd_op = op == ReduceOp::Sum || op == ReduceOp::Prod || op == ReduceOp::Max || op == ReduceOp::Min;

  // ---- inner runs ----
  if (nd > num_kept && dims[nd - 1].in_stride == 1) {
    const int64_t run = dims[nd - 1].size;
    auto reduce_output = [&](int64_t kept_linear) {
      int64_t in_off = 0, out_off = 0, rest = kept_linear;
      for (int d = num_kept - 1; d >= 0; --d) {
        const int64_t i = rest % dims[d].size;
        rest /= dims[d].size;
        in_off += i * dims[d].in_stride;
        out_off += i * dims[d].out_stride;
      }
      T acc = o[out_off];
      for_each_index(dims, num_kept, nd - 1, &Dim::in_stride, [&](int64_t off) {
        const T* p = x + in_off + off;
        if constexpr (vectorised) {
          if (simd_op) {
            simd_table().reduce[int(op)][ti](p, run, &acc);
            return;
          }
        }
        for (int64_t i = 0; i < run; ++i) acc = combine<T>(op, acc, p[i]);
      });
      o[out_off] = acc;
    };
    const int64_t work_per_output = in.numel() / std::max<int64_t>(kept_count, 1);
    parallel_for(0, kept_count, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(work_per_output, 1)),
                 [&](int64_t b, int64_t e) {
                   for (int64_t k = b; k < e; ++k) reduce_output(k);
                 });
    return;
  }

  // ---- row accumulate: innermost dim kept and contiguous in both ----
  if (num_kept > 0 && dims[num_kept - 1].in_stride == 1 && dims[num_kept - 1].out_stride == 1) {
    // Move the innermost kept dim to the end: iterate everything else, combine rows of `width`.
    const int64_t width = dims[num_kept - 1].size;
    Dim rest[kMaxDims];
    int nr = 0;
    for (int d = 0; d < nd; ++d)
      if (d != num_kept - 1) rest[nr++] = dims[d];
    parallel_for(0, width, 4096, [&](int64_t c0, int64_t c1) {
      const int64_t n = c1 - c0;
      auto body = [&](int64_t in_off, int64_t out_off) {
        const T* src = x + in_off + c0;
        T* dst = o + out_off + c0;
        if constexpr (vectorised) {
          if (simd_op) {
            simd_table().reduce_rows[int(op)][ti](src, dst, n);
            return;
          }
        }
        for (int64_t i = 0; i < n; ++i) dst[i] = combine<T>(op, dst[i], src[i]);
      };
      if (nr == 0) {
        body(0, 0);
        return;
      }
      int64_t idx[kMaxDims] = {};
      for (;;) {
        int64_t in_off = 0, out_off = 0;
        for (int d = 0; d < nr; ++d) {
          in_off += idx[d] * rest[d].in_stride;
          out_off += idx[d] * rest[d].out_stride;
        }
        body(in_off, out_off);
        int d = nr - 1;
        for (; d >= 0; --d) {
          if (++idx[d] < rest[d].size) break;
          idx[d] = 0;
        }
        if (d < 0) break;
      }
    });
    return;
  }

  // ---- general ----
  StridedLoop<2> loop({&out, &in});
  auto row = [&](char** p, const int64_t* s, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      T* dst = reinterpret_cast<T*>(p[0] + i * s[0]);
      *dst = combine<T>(op, *dst, *reinterpret_cast<const T*>(p[1] + i * s[1]));
    }
  };
  loop.run_range(0, loop.numel(), row);  // one thread: rows may share output elements
}

}  // namespace

void CpuBackend::reduce(ReduceOp op, const View& out, const View& in) {
  // The output's own memory: reduced dims have size 1.
  int64_t compact_sizes[kMaxDims];
  WICK_CHECK(in.ndim <= kMaxDims, "reduce", "too many dims");
  for (int d = 0; d < in.ndim; ++d) compact_sizes[d] = out.strides[d] == 0 ? 1 : in.sizes[d];
  const View compact{out.data, out.dtype, in.ndim, compact_sizes, out.strides};
  dispatch_compute(in.dtype, "reduce", [&]<class T>() {
    const T init = kernels::reduce_identity<T>(op);
    StridedLoop<1>({&compact}).run([&](char** p, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; ++i) std::memcpy(p[0] + i * s[0], &init, sizeof(T));
    });
    reduce_typed<T>(op, out, in);
  });
}

}  // namespace wick::cpu
