// Stable sort of every slice along one dim. A slice is copied into a contiguous buffer of (value, position)
// pairs, sorted with std::stable_sort and written out; slices run in parallel. NaN is the largest value, as in
// PyTorch, and equal values (-0 and 0 among them) keep their order: PyTorch's sort(stable=True), which its
// default sort also gives for slices of up to 16 elements.
#include <algorithm>
#include <cmath>
#include <type_traits>
#include <utility>
#include <vector>

#include "cpu_backend.h"
#include "dispatch.h"
#include "loops.h"

namespace wick::cpu {
namespace {

template <class T>
bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>)
    return std::isnan(v);
  else
    return false;
}

// Strict weak orders with NaN above everything; two NaNs, and -0 and 0, are equivalent.
template <class T>
bool before_ascending(T a, T b) {
  return a < b || (is_nan(b) && !is_nan(a));
}
template <class T>
bool before_descending(T a, T b) {
  return a > b || (is_nan(a) && !is_nan(b));
}

template <class T>
void sort_typed(const View& values, const View& indices, const View& in, int dim, bool descending) {
  const int64_t len = in.sizes[dim];
  int64_t sizes[kMaxDims];
  for (int d = 0; d < in.ndim; ++d) sizes[d] = d == dim ? 1 : in.sizes[d];
  const View val_base{values.data, values.dtype, in.ndim, sizes, values.strides};
  const View idx_base{indices.data, indices.dtype, in.ndim, sizes, indices.strides};
  const View in_base{in.data, in.dtype, in.ndim, sizes, in.strides};
  const int64_t val_step = values.strides[dim], idx_step = indices.strides[dim], in_step = in.strides[dim];
  using Pair = std::pair<T, int64_t>;
  auto ascending = [](const Pair& a, const Pair& b) { return before_ascending(a.first, b.first); };
  auto descending_order = [](const Pair& a, const Pair& b) { return before_descending(a.first, b.first); };
  StridedLoop<3>({&val_base, &idx_base, &in_base})
      .run(
          [&](char** p, const int64_t* s, int64_t n) {
            std::vector<Pair> buffer(static_cast<size_t>(len));  // one per row of slices, reused across them
            for (int64_t i = 0; i < n; ++i) {
              const T* x = reinterpret_cast<const T*>(p[2] + i * s[2]);
              for (int64_t k = 0; k < len; ++k) buffer[size_t(k)] = {x[k * in_step], k};
              if (descending)
                std::stable_sort(buffer.begin(), buffer.end(), descending_order);
              else
                std::stable_sort(buffer.begin(), buffer.end(), ascending);
              T* v = reinterpret_cast<T*>(p[0] + i * s[0]);
              int64_t* ix = reinterpret_cast<int64_t*>(p[1] + i * s[1]);
              for (int64_t k = 0; k < len; ++k) {
                v[k * val_step] = buffer[size_t(k)].first;
                ix[k * idx_step] = buffer[size_t(k)].second;
              }
            }
          },
          kElementwiseGrain / len + 1);
}

}  // namespace

void CpuBackend::sort(const View& values, const View& indices, const View& in, int dim, bool descending) {
  if (in.numel() == 0) return;
  dispatch_compute(in.dtype, "sort", [&]<class T>() { sort_typed<T>(values, indices, in, dim, descending); });
}

}  // namespace wick::cpu
