// Inclusive scans (cumsum) along one dim: each slice is walked in order, the running value kept in a register.
// float32 sums and products accumulate in double, as PyTorch's CPU cumsum does, so a long cumsum keeps the
// precision of each prefix rather than losing a rounding per element.
#include <type_traits>

#include "common/reduce_math.h"
#include "cpu_backend.h"
#include "dispatch.h"
#include "loops.h"

namespace wick::cpu {
namespace {

template <ReduceOp op, class T>
void scan_typed(const View& out, const View& in, int dim) {
  using A = std::conditional_t<std::is_same_v<T, float>, double, T>;
  const int64_t len = in.sizes[dim];
  // Walk the slice starts: both views seen with size 1 along dim.
  int64_t sizes[kMaxDims];
  for (int d = 0; d < in.ndim; ++d) sizes[d] = d == dim ? 1 : in.sizes[d];
  const View out_base{out.data, out.dtype, in.ndim, sizes, out.strides};
  const View in_base{in.data, in.dtype, in.ndim, sizes, in.strides};
  const int64_t out_step = out.strides[dim], in_step = in.strides[dim];
  StridedLoop<2>({&out_base, &in_base})
      .run(
          [&](char** p, const int64_t* s, int64_t n) {
            for (int64_t i = 0; i < n; ++i) {
              T* o = reinterpret_cast<T*>(p[0] + i * s[0]);
              const T* x = reinterpret_cast<const T*>(p[1] + i * s[1]);
              A acc = A(x[0]);
              o[0] = T(acc);
              for (int64_t k = 1; k < len; ++k) {
                acc = kernels::reduce_combine<op>(acc, A(x[k * in_step]));
                o[k * out_step] = T(acc);
              }
            }
          },
          kElementwiseGrain / len + 1);
}

}  // namespace

void CpuBackend::scan(ReduceOp op, const View& out, const View& in, int dim) {
  if (in.numel() == 0) return;
  dispatch_compute(in.dtype, "cumsum", [&]<class T>() {
    visit_op(op, [&]<ReduceOp kOp>(std::integral_constant<ReduceOp, kOp>) { scan_typed<kOp, T>(out, in, dim); });
  });
}

}  // namespace wick::cpu
