// max/min along one dim with the index of the first extreme. NaN counts as the extreme, as in PyTorch.
#include <cmath>
#include <type_traits>

#include "cpu_backend.h"
#include "dispatch.h"
#include "loops.h"

namespace wick::cpu {

void CpuBackend::arg_reduce(ArgReduceOp op, const View* values, const View& indices, const View& in, int dim) {
  const int64_t len = in.sizes[dim];
  WICK_CHECK(len > 0, op == ArgReduceOp::ArgMax ? "argmax" : "argmin",
             "cannot reduce over an empty dim (size 0 at dim ", dim, ")");
  // Walk the output positions: `in` seen with size 1 along dim.
  int64_t sizes[kMaxDims];
  for (int d = 0; d < in.ndim; ++d) sizes[d] = d == dim ? 1 : in.sizes[d];
  const View in_base{in.data, in.dtype, in.ndim, sizes, in.strides};
  const View idx_view{indices.data, indices.dtype, in.ndim, sizes, indices.strides};
  const View val_view = values ? View{values->data, values->dtype, in.ndim, sizes, values->strides} : idx_view;
  const int64_t step = in.strides[dim];
  const bool want_max = op == ArgReduceOp::ArgMax;
  dispatch_compute(in.dtype, "argmax", [&]<class T>() {
    StridedLoop<3>({&idx_view, &in_base, &val_view}).run(
        [&](char** p, const int64_t* s, int64_t n) {
          for (int64_t i = 0; i < n; ++i) {
            const T* x = reinterpret_cast<const T*>(p[1] + i * s[1]);
            T best = x[0];
            int64_t best_i = 0;
            bool done = false;
            if constexpr (std::is_floating_point_v<T>) done = std::isnan(best);
            for (int64_t k = 1; k < len && !done; ++k) {
              const T v = x[k * step];
              if constexpr (std::is_floating_point_v<T>) {
                if (std::isnan(v)) {
                  best = v;
                  best_i = k;
                  break;
                }
              }
              if (want_max ? (v > best) : (v < best)) {
                best = v;
                best_i = k;
              }
            }
            *reinterpret_cast<int64_t*>(p[0] + i * s[0]) = best_i;
            if (values) *reinterpret_cast<T*>(p[2] + i * s[2]) = best;
          }
        },
        kElementwiseGrain / (len > 0 ? len : 1) + 1);
  });
}

}  // namespace wick::cpu
