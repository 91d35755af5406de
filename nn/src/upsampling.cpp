// functional::interpolate and Upsample: nearest / (bi/tri)linear over wick's upsample ops. A 3-D input
// [N, C, L] is resampled as an image of height 1.
#include "wick/nn/modules/upsampling.h"

#include <cmath>
#include <ostream>

#include "wick/nn/functional.h"
#include "wick/nn_ops.h"

namespace wick::nn {

namespace functional {
Tensor interpolate(const Tensor& input, const InterpolateFuncOptions& o) {
  const char* op = "nn::functional::interpolate";
  WICK_CHECK(input.defined(), op, "expected a defined input tensor");
  WICK_CHECK(input.dim() >= 3 && input.dim() <= 5, op,
             "expected a 3-D [N, C, L], 4-D [N, C, H, W] or 5-D [N, C, D, H, W] input, got shape ",
             shape_str(input.sizes()));
  const int64_t spatial = input.dim() - 2;
  WICK_CHECK(o.size().has_value() != o.scale_factor().has_value(), op,
             o.size() ? "only one of size or scale_factor should be defined"
                      : "either size or scale_factor should be defined");
  const bool nearest = o.mode().is<enumtype::kNearest>();
  WICK_CHECK(!(nearest && o.align_corners().has_value()), op,
             "align_corners can only be set with the interpolating modes linear, bilinear and trilinear");
  WICK_CHECK(!o.mode().is<enumtype::kLinear>() || input.dim() == 3, op, "mode 'linear' needs a 3-D input, got shape ",
             shape_str(input.sizes()));
  WICK_CHECK(!o.mode().is<enumtype::kBilinear>() || input.dim() == 4, op,
             "mode 'bilinear' needs a 4-D input, got shape ", shape_str(input.sizes()));
  WICK_CHECK(!o.mode().is<enumtype::kTrilinear>() || input.dim() == 5, op,
             "mode 'trilinear' needs a 5-D input, got shape ", shape_str(input.sizes()));

  // Per spatial dim, right-aligned: a 1-d input is resampled as an image of height 1.
  int64_t out[3] = {1, 1, 1};
  std::optional<double> scales[3];
  const int64_t first = 3 - spatial;
  if (o.size()) {
    const std::vector<int64_t>& s = *o.size();
    WICK_CHECK(s.size() == 1 || int64_t(s.size()) == spatial, op, "size must have 1 or ", spatial, " values, got ",
               int64_t(s.size()));
    for (int64_t i = 0; i < spatial; ++i) out[first + i] = s[s.size() == 1 ? 0 : size_t(i)];
  } else {
    const std::vector<double>& f = *o.scale_factor();
    WICK_CHECK(f.size() == 1 || int64_t(f.size()) == spatial, op, "scale_factor must have 1 or ", spatial,
               " values, got ", int64_t(f.size()));
    for (int64_t i = 0; i < spatial; ++i) {
      const double factor = f[f.size() == 1 ? 0 : size_t(i)];
      WICK_CHECK(factor > 0, op, "scale_factor must be positive, got ", factor);
      out[first + i] = int64_t(std::floor(double(input.size(2 + i)) * factor));
      if (!o.recompute_scale_factor().value_or(false)) scales[first + i] = factor;
    }
  }
  const bool align_corners = o.align_corners().value_or(false);
  if (spatial == 3)
    return nearest ? wick::upsample_nearest3d(input, {out[0], out[1], out[2]}, scales[0], scales[1], scales[2])
                   : wick::upsample_trilinear3d(input, {out[0], out[1], out[2]}, align_corners, scales[0], scales[1],
                                                scales[2]);
  const Tensor x = spatial == 1 ? input.unsqueeze(2) : input;
  const Tensor y = nearest ? wick::upsample_nearest2d(x, {out[1], out[2]}, scales[1], scales[2])
                           : wick::upsample_bilinear2d(x, {out[1], out[2]}, align_corners, scales[1], scales[2]);
  return spatial == 1 ? y.squeeze(2) : y;
}
}  // namespace functional

void UpsampleImpl::pretty_print(std::ostream& s) const {
  s << "wick::nn::Upsample(";
  if (options.scale_factor())
    wick::detail::print_doubles(s << "scale_factor=", options.scale_factor()->data(), options.scale_factor()->size());
  else if (options.size())
    wick::detail::print_ints(s << "size=", options.size()->data(), options.size()->size());
  s << ", mode=" << options.mode().name() << ")";
}

Tensor UpsampleImpl::forward(const Tensor& input) {
  return traced(functional::interpolate(input, functional::InterpolateFuncOptions()
                                                   .size(options.size())
                                                   .scale_factor(options.scale_factor())
                                                   .mode(options.mode())
                                                   .align_corners(options.align_corners())));
}

}  // namespace wick::nn
