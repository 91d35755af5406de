// Upsample: nearest or (bi)linear resampling to a size or by a scale factor.
#pragma once

#include "wick/nn/cloneable.h"
#include "wick/nn/options/upsampling.h"

namespace wick::nn {

class UpsampleImpl : public Cloneable<UpsampleImpl> {
 public:
  explicit UpsampleImpl(const UpsampleOptions& options = {}) : options(options) {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);

  UpsampleOptions options;
};
WICK_MODULE(Upsample);

}  // namespace wick::nn
