// Options of the loss modules and functions (the same structs serve both, as in LibTorch).
// Reductions take wick::kNone, wick::kMean (the default) or wick::kSum.
#pragma once

#include <cstdint>
#include <type_traits>

#include "wick/arg.h"
#include "wick/nn/enum.h"
#include "wick/tensor.h"

namespace wick::nn {

// Name(kSum) and Name(LossReduction): `nn::L1Loss(wick::kSum)` takes one conversion, as in LibTorch.
#define WICK_LOSS_CTOR(Name)                   \
  Name() = default;                            \
  Name(enumtype::kNone) : reduction_(kNone) {} \
  Name(enumtype::kMean) : reduction_(kMean) {} \
  Name(enumtype::kSum) : reduction_(kSum) {}   \
  Name(LossReduction reduction) : reduction_(reduction) {}

struct MSELossOptions {
  WICK_LOSS_CTOR(MSELossOptions)
  WICK_ARG(LossReduction, reduction) = kMean;
};

struct L1LossOptions {
  WICK_LOSS_CTOR(L1LossOptions)
  WICK_ARG(LossReduction, reduction) = kMean;
};

struct SmoothL1LossOptions {
  WICK_LOSS_CTOR(SmoothL1LossOptions)
  WICK_ARG(LossReduction, reduction) = kMean;
  WICK_ARG(double, beta) = 1.0;
};

struct HuberLossOptions {
  WICK_LOSS_CTOR(HuberLossOptions)
  WICK_ARG(LossReduction, reduction) = kMean;
  WICK_ARG(double, delta) = 1.0;
};

struct CrossEntropyLossOptions {
  WICK_LOSS_CTOR(CrossEntropyLossOptions)
  WICK_ARG(Tensor, weight);  // per-class weights [C]
  WICK_ARG(int64_t, ignore_index) = -100;
  WICK_ARG(LossReduction, reduction) = kMean;
  WICK_ARG(double, label_smoothing) = 0.0;
};

struct NLLLossOptions {
  WICK_LOSS_CTOR(NLLLossOptions)
  WICK_ARG(Tensor, weight);
  WICK_ARG(int64_t, ignore_index) = -100;
  WICK_ARG(LossReduction, reduction) = kMean;
};

struct BCELossOptions {
  WICK_LOSS_CTOR(BCELossOptions)
  WICK_ARG(Tensor, weight);
  WICK_ARG(LossReduction, reduction) = kMean;
};

struct BCEWithLogitsLossOptions {
  WICK_LOSS_CTOR(BCEWithLogitsLossOptions)
  WICK_ARG(Tensor, weight);
  WICK_ARG(LossReduction, reduction) = kMean;
  WICK_ARG(Tensor, pos_weight);  // weight of positive examples, broadcast over the class dim
};

using KLDivReduction = Choice<enumtype::kNone, enumtype::kBatchMean, enumtype::kSum, enumtype::kMean>;
struct KLDivLossOptions {
  KLDivLossOptions() = default;
  template <class Tag, std::enable_if_t<std::is_constructible_v<KLDivReduction, Tag>, int> = 0>
  KLDivLossOptions(Tag tag) : reduction_(KLDivReduction(tag)) {}
  KLDivLossOptions(KLDivReduction reduction) : reduction_(reduction) {}
  WICK_ARG(KLDivReduction, reduction) = kMean;
  WICK_ARG(bool, log_target) = false;
};

struct TripletMarginLossOptions {
  WICK_LOSS_CTOR(TripletMarginLossOptions)
  WICK_ARG(double, margin) = 1.0;
  WICK_ARG(double, p) = 2.0;
  WICK_ARG(double, eps) = 1e-6;
  WICK_ARG(bool, swap) = false;
  WICK_ARG(LossReduction, reduction) = kMean;
};

#undef WICK_LOSS_CTOR

namespace functional {
using MSELossFuncOptions = MSELossOptions;
using L1LossFuncOptions = L1LossOptions;
using SmoothL1LossFuncOptions = SmoothL1LossOptions;
using HuberLossFuncOptions = HuberLossOptions;
using CrossEntropyFuncOptions = CrossEntropyLossOptions;
using NLLLossFuncOptions = NLLLossOptions;
using BinaryCrossEntropyFuncOptions = BCELossOptions;
using BinaryCrossEntropyWithLogitsFuncOptions = BCEWithLogitsLossOptions;
using KLDivFuncOptions = KLDivLossOptions;
using TripletMarginLossFuncOptions = TripletMarginLossOptions;
}  // namespace functional

}  // namespace wick::nn
