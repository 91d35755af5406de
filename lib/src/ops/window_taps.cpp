#include "ops/window_taps.h"

#include <vector>

#include "wick/grad_mode.h"
#include "wick/ops.h"

namespace wick::detail {

Tensor window_taps(int64_t H, int64_t W, int64_t OH, int64_t OW, const WindowShape& w, Device device) {
  const int64_t padding_slot = H * W, beyond_slot = H * W + 1;
  std::vector<int64_t> taps;
  taps.reserve(size_t(w.kernel[0] * w.kernel[1] * OH * OW));
  for (int64_t kh = 0; kh < w.kernel[0]; ++kh)
    for (int64_t kw = 0; kw < w.kernel[1]; ++kw)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          const int64_t ih = oh * w.stride[0] - w.padding[0] + kh * w.dilation[0];
          const int64_t iw = ow * w.stride[1] - w.padding[1] + kw * w.dilation[1];
          if (ih >= 0 && ih < H && iw >= 0 && iw < W)
            taps.push_back(ih * W + iw);
          else if (ih < H + w.padding[0] && iw < W + w.padding[1])
            taps.push_back(padding_slot);
          else
            taps.push_back(beyond_slot);
        }
  return tensor(taps).to(device);
}

Tensor extend_planes(const Tensor& planes, double padding, double beyond) {
  NoGradGuard no_grad;
  SizeVec slot_sizes(planes.sizes());
  slot_sizes.back() = 1;
  const TensorOptions options = TensorOptions().dtype(planes.dtype()).device(planes.device());
  return wick::cat({planes, full(slot_sizes, padding, options), full(slot_sizes, beyond, options)}, -1);
}

}  // namespace wick::detail
