// Loss modules: forward(input, target) applies the matching functional:: loss with the module's options.
// Class weights are registered as the buffer "weight" (and "pos_weight"), as in PyTorch.
#pragma once

#include "wick/nn/cloneable.h"
#include "wick/nn/options/loss.h"

namespace wick::nn {

#define WICK_LOSS(Name, Options)                               \
  class Name##Impl : public Cloneable<Name##Impl> {            \
   public:                                                     \
    explicit Name##Impl(const Options& options = {});          \
    void pretty_print(std::ostream& stream) const override;    \
    Tensor forward(const Tensor& input, const Tensor& target); \
    Options options;                                           \
  };                                                           \
  WICK_MODULE(Name)

WICK_LOSS(MSELoss, MSELossOptions);
WICK_LOSS(L1Loss, L1LossOptions);
WICK_LOSS(SmoothL1Loss, SmoothL1LossOptions);
WICK_LOSS(HuberLoss, HuberLossOptions);
WICK_LOSS(CrossEntropyLoss, CrossEntropyLossOptions);
WICK_LOSS(NLLLoss, NLLLossOptions);
WICK_LOSS(BCELoss, BCELossOptions);
WICK_LOSS(BCEWithLogitsLoss, BCEWithLogitsLossOptions);
WICK_LOSS(KLDivLoss, KLDivLossOptions);
#undef WICK_LOSS

class TripletMarginLossImpl : public Cloneable<TripletMarginLossImpl> {
 public:
  explicit TripletMarginLossImpl(const TripletMarginLossOptions& options = {}) : options(options) {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& anchor, const Tensor& positive, const Tensor& negative);
  TripletMarginLossOptions options;
};
WICK_MODULE(TripletMarginLoss);

}  // namespace wick::nn
