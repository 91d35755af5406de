// Resampling of NCHW images and NCDHW volumes, one dim at a time, composed from index_select and arithmetic so the
// derivatives come for free. Source positions follow PyTorch's formulas in its own precision (float32 for nearest, the
// input's math type for linear), so results match torch.nn.functional.interpolate.
#include <cmath>
#include <vector>

#include "ops/elementwise.h"
#include "wick/detail/op_scope.h"
#include "wick/detail/record.h"
#include "wick/nn_ops.h"
#include "wick/ops.h"

namespace wick {

namespace {

// PyTorch's compute_scales_value: 1 / scale when a scale factor was given, else in / out.
float source_scale(std::optional<double> scale, int64_t in, int64_t out) {
  return scale && *scale > 0 ? float(1.0 / *scale) : float(in) / float(out);
}

std::vector<int64_t> nearest_indices(int64_t in, int64_t out, std::optional<double> scale) {
  std::vector<int64_t> idx(static_cast<size_t>(out));
  const float s = source_scale(scale, in, out);
  for (int64_t i = 0; i < out; ++i) {
    if (out == in)
      idx[size_t(i)] = i;
    else if (out == 2 * in)
      idx[size_t(i)] = i >> 1;
    else
      idx[size_t(i)] = std::min<int64_t>(int64_t(std::floor(float(i) * s)), in - 1);
  }
  return idx;
}

struct Taps {
  std::vector<int64_t> lo, hi;
  std::vector<double> w_hi;  // weight of hi; lo gets 1 - w_hi
};

// PyTorch's area_pixel_compute_source_index for linear interpolation along one dim, in its opmath type
// (double for float64 inputs, float otherwise).
template <class T>
Taps linear_taps(int64_t in, int64_t out, bool align_corners, std::optional<double> scale) {
  Taps t;
  const T s = align_corners ? (out > 1 ? T(in - 1) / T(out - 1) : T(0))
                            : (scale && *scale > 0 ? T(1.0 / *scale) : T(in) / T(out));
  for (int64_t i = 0; i < out; ++i) {
    T src = align_corners ? s * T(i) : s * (T(i) + T(0.5)) - T(0.5);
    if (!align_corners && src < 0) src = 0;
    const int64_t lo = std::min<int64_t>(int64_t(src), in - 1);
    const int64_t hi = lo + (lo < in - 1 ? 1 : 0);
    t.lo.push_back(lo);
    t.hi.push_back(hi);
    t.w_hi.push_back(double(src - T(lo)));
  }
  return t;
}

Taps linear_taps(ScalarType dtype, int64_t in, int64_t out, bool align_corners, std::optional<double> scale) {
  return dtype == kDouble ? linear_taps<double>(in, out, align_corners, scale)
                          : linear_taps<float>(in, out, align_corners, scale);
}

// `spatial` = 2 for NCHW images, 3 for NCDHW volumes.
void check_resample(const char* op, int spatial, const Tensor& input, IntArrayRef output_size) {
  WICK_CHECK(input.defined(), op, "expected a defined input tensor");
  WICK_CHECK(input.dim() == spatial + 2, op, "expected a ", spatial + 2, "-D input ",
             spatial == 2 ? "[N, C, H, W]" : "[N, C, D, H, W]", ", got shape ", shape_str(input.sizes()));
  WICK_CHECK(is_floating_point(input.dtype()), op, "expected a floating point input, got ", dtype_name(input.dtype()));
  WICK_CHECK(int(output_size.size()) == spatial, op, "output_size must have ", spatial, " values, got ",
             shape_str(output_size));
  for (int d = 0; d < spatial; ++d) {
    WICK_CHECK(output_size[size_t(d)] > 0, op, "output_size must be positive, got ", shape_str(output_size));
    WICK_CHECK(input.size(2 + d) > 0, op, "input of shape ", shape_str(input.sizes()), " has an empty spatial dim");
  }
}

// Linear interpolation along `dim`: x[lo] * (1 - w) + x[hi] * w.
Tensor lerp_along(const Tensor& x, int64_t dim, const Taps& t) {
  const Tensor lo = x.index_select(dim, tensor(t.lo, TensorOptions().device(x.device())));
  const Tensor hi = x.index_select(dim, tensor(t.hi, TensorOptions().device(x.device())));
  SizeVec shape(size_t(x.dim()), 1);
  shape[size_t(dim)] = int64_t(t.w_hi.size());
  const Tensor w = tensor(t.w_hi, TensorOptions().dtype(x.dtype()).device(x.device())).view(shape);
  return lo + (hi - lo) * w;
}

}  // namespace

Tensor upsample_nearest2d(const Tensor& input, IntArrayRef output_size, std::optional<double> scales_h,
                          std::optional<double> scales_w) {
  WICK_PROFILE_OP("upsample_nearest2d", input);
  check_resample("upsample_nearest2d", 2, input, output_size);
  const TensorOptions o = TensorOptions().device(input.device());
  const Tensor rows = tensor(nearest_indices(input.size(2), output_size[0], scales_h), o);
  const Tensor cols = tensor(nearest_indices(input.size(3), output_size[1], scales_w), o);
  const uint64_t since = detail::tape_position();
  return detail::named(input.index_select(2, rows).index_select(3, cols), "upsample_nearest2d", since);
}

Tensor upsample_bilinear2d(const Tensor& input, IntArrayRef output_size, bool align_corners,
                           std::optional<double> scales_h, std::optional<double> scales_w) {
  WICK_PROFILE_OP("upsample_bilinear2d", input);
  check_resample("upsample_bilinear2d", 2, input, output_size);
  const ScalarType t = input.dtype();
  const uint64_t since = detail::tape_position();
  const Tensor y = lerp_along(input, 2, linear_taps(t, input.size(2), output_size[0], align_corners, scales_h));
  return detail::named(lerp_along(y, 3, linear_taps(t, input.size(3), output_size[1], align_corners, scales_w)),
                       "upsample_bilinear2d", since);
}

Tensor upsample_nearest3d(const Tensor& input, IntArrayRef output_size, std::optional<double> scales_d,
                          std::optional<double> scales_h, std::optional<double> scales_w) {
  WICK_PROFILE_OP("upsample_nearest3d", input);
  check_resample("upsample_nearest3d", 3, input, output_size);
  const TensorOptions o = TensorOptions().device(input.device());
  const std::optional<double> scales[3] = {scales_d, scales_h, scales_w};
  const uint64_t since = detail::tape_position();
  Tensor y = input;
  for (int d = 0; d < 3; ++d)
    y = y.index_select(2 + d, tensor(nearest_indices(input.size(2 + d), output_size[size_t(d)], scales[d]), o));
  return detail::named(y, "upsample_nearest3d", since);
}

Tensor upsample_trilinear3d(const Tensor& input, IntArrayRef output_size, bool align_corners,
                            std::optional<double> scales_d, std::optional<double> scales_h,
                            std::optional<double> scales_w) {
  WICK_PROFILE_OP("upsample_trilinear3d", input);
  check_resample("upsample_trilinear3d", 3, input, output_size);
  const std::optional<double> scales[3] = {scales_d, scales_h, scales_w};
  const uint64_t since = detail::tape_position();
  Tensor y = input;
  for (int d = 0; d < 3; ++d)
    y = lerp_along(y, 2 + d,
                   linear_taps(input.dtype(), input.size(2 + d), output_size[size_t(d)], align_corners, scales[d]));
  return detail::named(y, "upsample_trilinear3d", since);
}

}  // namespace wick
