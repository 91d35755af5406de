#include "strided_copy.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xassign.hpp>
#include <xtensor/xnoalias.hpp>
#include <xtensor/xstrided_view.hpp>

#include "thread_pool.h"

namespace wick::cpu {
namespace {

// Number of elements from the first to the last one a view can touch (what the adaptor's buffer spans).
size_t extent(const View& v) {
  int64_t last = 0;
  for (int d = 0; d < v.ndim; ++d) {
    if (v.sizes[d] == 0) return 0;
    last += (v.sizes[d] - 1) * v.strides[d];
  }
  return size_t(last + 1);
}

// Element types are moved as same-size unsigned integers: a copy only needs the bits. Each side is a flat
// adaptor over its memory seen through an xtensor strided view with the tensor's own shape and strides.
template <class Carrier>
void copy_as(const View& out, const View& in) {
  std::vector<size_t> shape(size_t(out.ndim));
  std::vector<std::ptrdiff_t> out_strides(size_t(out.ndim)), in_strides(size_t(out.ndim));
  for (int d = 0; d < out.ndim; ++d) {
    shape[size_t(d)] = size_t(out.sizes[d]);
    out_strides[size_t(d)] = out.strides[d];
    in_strides[size_t(d)] = in.strides[d];
  }
  const std::vector<size_t> in_flat{extent(in)}, out_flat{extent(out)};
  auto src_memory = xt::adapt(static_cast<const Carrier*>(in.data), in_flat[0], xt::no_ownership(), in_flat);
  auto dst_memory = xt::adapt(static_cast<Carrier*>(out.data), out_flat[0], xt::no_ownership(), out_flat);
  // Shapes and strides are passed by value: the view owns them.
  auto src = xt::strided_view(src_memory, std::vector<size_t>(shape), std::move(in_strides), 0, xt::layout_type::dynamic);
  auto dst = xt::strided_view(dst_memory, std::move(shape), std::move(out_strides), 0, xt::layout_type::dynamic);
  xt::noalias(dst) = src;
}

// One value broadcast over a contiguous output (a gradient expanded from a scalar, as every backward of
// sum() or mean() produces): a fill, which runs at memory speed where the strided view walks index by index.
template <class Carrier>
bool fill_if_broadcast_scalar(const View& out, const View& in) {
  for (int d = 0; d < in.ndim; ++d)
    if (in.strides[d] != 0 && in.sizes[d] != 1) return false;
  if (!out.is_contiguous()) return false;
  std::fill_n(static_cast<Carrier*>(out.data), out.numel(), *static_cast<const Carrier*>(in.data));
  return true;
}

template <class Carrier>
void copy_carrier(const View& out, const View& in) {
  if (!fill_if_broadcast_scalar<Carrier>(out, in)) copy_as<Carrier>(out, in);
}

void copy_by_element_size(const View& out, const View& in) {
  switch (element_size(out.dtype)) {
    case 1: copy_carrier<uint8_t>(out, in); break;
    case 2: copy_carrier<uint16_t>(out, in); break;
    case 4: copy_carrier<uint32_t>(out, in); break;
    default: copy_carrier<uint64_t>(out, in); break;
  }
}

}  // namespace

void strided_copy(const View& out, const View& in) {
  if (out.numel() == 0) return;
  if (out.ndim == 0 || out.numel() < 2 * kElementwiseGrain || out.sizes[0] == 1) {
    copy_by_element_size(out, in);
    return;
  }
  // Large copies split along the outermost dim across the thread pool.
  const int64_t inner = out.numel() / out.sizes[0];
  const int64_t esz = element_size(out.dtype);
  parallel_for(0, out.sizes[0], std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(inner, 1)),
               [&](int64_t b, int64_t e) {
                 std::vector<int64_t> sizes(out.sizes, out.sizes + out.ndim);
                 sizes[0] = e - b;
                 const View o{static_cast<char*>(out.data) + b * out.strides[0] * esz, out.dtype, out.ndim,
                              sizes.data(), out.strides};
                 const View i{static_cast<char*>(in.data) + b * in.strides[0] * esz, in.dtype, in.ndim,
                              sizes.data(), in.strides};
                 copy_by_element_size(o, i);
               });
}

}  // namespace wick::cpu
