// functional::pad: LibTorch's options form of wick::pad, which does the work (and names bad input).
#include "wick/nn/options/padding.h"

#include "wick/nn/functional.h"
#include "wick/ops.h"

namespace wick::nn::functional {

Tensor pad(const Tensor& input, const PadFuncOptions& options) {
  return wick::pad(input, options.pad(), options.mode().name(), options.value());
}

}  // namespace wick::nn::functional
