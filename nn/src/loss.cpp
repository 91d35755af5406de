// Losses, composed from public ops so each gradient comes from the ops it is made of. Log-probabilities
// come from log_softmax / log_sigmoid (softplus), never from log(softmax(x)), so logits of +-1e4 stay finite.
// A loss LibTorch computes in one ATen kernel gets that kernel's node name (MseLossBackward0, NllLoss2DBackward0,
// ...) on its last step, so grad_fn()->name() reads as in LibTorch; the composite ones (l1, kl_div, cross_entropy
// past its nll_loss) keep the name of their last op, as LibTorch's do.
#include "wick/nn/modules/loss.h"

#include <ostream>

#include "wick/detail/autocast_op.h"
#include "wick/detail/op_scope.h"
#include "wick/detail/record.h"
#include "wick/nn/aliases.h"
#include "wick/nn/functional.h"
#include "wick/ops.h"

namespace wick {

namespace {

using enumtype::Tag;
namespace lists = detail::autocast_lists;

Tensor reduce(const Tensor& loss, Tag reduction) {
  switch (reduction) {
    case Tag::None: return loss;
    case Tag::Sum: return loss.sum();
    default: return loss.mean();
  }
}

void check_pair(const char* op, const Tensor& input, const Tensor& target) {
  WICK_CHECK(input.defined() && target.defined(), op, "input and target must be defined tensors");
  WICK_CHECK(is_floating_point(input.dtype()), op, "expected a floating point input, got ", dtype_name(input.dtype()));
}

void check_same_shape(const char* op, const Tensor& input, const Tensor& target) {
  WICK_CHECK(input.sizes() == target.sizes(), op, "target of shape ", shape_str(target.sizes()),
             " must have the same shape as the input ", shape_str(input.sizes()));
}

void check_broadcast(const char* op, const Tensor& input, const Tensor& target) {
  check_pair(op, input, target);
  (void)broadcast_shapes(input.sizes(), target.sizes());  // throws naming both shapes
  (void)op;
}

// Negative log-likelihood over class dim 1 of logp [N, C, ...] with integer targets [N, ...].
Tensor nll(const char* op, const Tensor& logp_in, const Tensor& target_in, const Tensor& weight, int64_t ignore_index,
           Tag reduction) {
  WICK_PROFILE_OP("nll_loss", logp_in, target_in, weight);
  if (detail::AutocastOp ac{lists::loss, logp_in.device()})
    return nll(op, ac(logp_in), target_in, ac(weight), ignore_index, reduction);
  const uint64_t since = detail::tape_position();
  WICK_CHECK(logp_in.dim() >= 1, op, "expected an input of at least 1 dim ([C] or [N, C, ...]), got a scalar");
  WICK_CHECK(target_in.dtype() == kInt64 || target_in.dtype() == kInt32 || target_in.dtype() == kUInt8, op,
             "expected class-index targets of an integer dtype (int64), got ", dtype_name(target_in.dtype()));
  const bool single = logp_in.dim() == 1;
  const Tensor logp = single ? logp_in.unsqueeze(0) : logp_in;
  Tensor target = (single ? target_in.unsqueeze(0) : target_in).to(kInt64);
  bool shape_ok = target.dim() == logp.dim() - 1 && target.size(0) == logp.size(0);
  for (int64_t d = 1; shape_ok && d < target.dim(); ++d) shape_ok = target.size(d) == logp.size(d + 1);
  WICK_CHECK(
      shape_ok, op, "expected target of shape ",
      [&] {
        std::vector<int64_t> want{logp.size(0)};
        for (int64_t d = 2; d < logp.dim(); ++d) want.push_back(logp.size(d));
        return shape_str(want);
      }(),
      " for input of shape ", shape_str(logp_in.sizes()), ", got ", shape_str(target_in.sizes()));
  const int64_t C = logp.size(1);
  if (weight.defined())
    WICK_CHECK(weight.dim() == 1 && weight.size(0) == C, op, "weight should be defined for all ", C,
               " classes or no classes, but got weight of shape ", shape_str(weight.sizes()));
  const Tensor ignored = target == ignore_index;
  const Tensor bad = logical_and(logical_not(ignored), logical_or(target < 0, target >= C));
  if (bad.any().item<bool>())
    fail(op, "target ", masked_select(target, bad)[0].item<int64_t>(), " is out of bounds for ", C, " classes");
  const Tensor safe = target.masked_fill(ignored, 0);
  const Tensor picked = logp.gather(1, safe.unsqueeze(1)).squeeze(1);
  Tensor loss, denom;
  if (weight.defined()) {
    const Tensor w =
        weight.to(logp.dtype()).index_select(0, safe.reshape({-1})).view(safe.sizes()).masked_fill(ignored, 0);
    loss = -picked * w;
    denom = w.sum();
  } else {
    loss = (-picked).masked_fill(ignored, 0);
    denom = logical_not(ignored).sum().to(loss.dtype());
  }
  Tensor out;
  switch (reduction) {
    case Tag::None: out = single ? loss.squeeze(0) : loss; break;
    case Tag::Sum: out = loss.sum(); break;
    default: out = loss.sum() / denom;
  }
  // LibTorch runs inputs with spatial dims ([N, C, d1, ...]) through nll_loss2d.
  return detail::named(out, logp_in.dim() >= 3 ? "nll_loss2d" : "nll_loss", since);
}

Tensor channel_view(const Tensor& w, int64_t dims, int64_t class_dim) {
  std::vector<int64_t> shape(size_t(dims), 1);
  shape[size_t(class_dim)] = w.numel();
  return w.reshape(shape);
}

Tensor cross_entropy_impl(const char* op, const Tensor& input, const Tensor& target, const Tensor& weight,
                          int64_t ignore_index, Tag reduction, double label_smoothing) {
  WICK_PROFILE_OP("cross_entropy_loss", input, target, weight);
  if (detail::AutocastOp ac{lists::loss, input.device()})
    return cross_entropy_impl(op, ac(input), ac(target), ac(weight), ignore_index, reduction, label_smoothing);
  check_pair(op, input, target);
  WICK_CHECK(input.dim() >= 1, op, "expected an input of at least 1 dim ([C] or [N, C, ...]), got a scalar");
  WICK_CHECK(label_smoothing >= 0 && label_smoothing <= 1, op, "label_smoothing must be between 0.0 and 1.0, got ",
             label_smoothing);
  const int64_t class_dim = input.dim() == 1 ? 0 : 1;
  const int64_t C = input.size(class_dim);
  const Tensor logp = log_softmax(input, class_dim);
  if (is_floating_point(target.dtype())) {  // class probabilities
    check_same_shape(op, input, target);
    const Tensor t = label_smoothing > 0 ? target * (1 - label_smoothing) + label_smoothing / double(C) : target;
    Tensor prod = logp * t;
    if (weight.defined()) prod = prod * channel_view(weight, input.dim(), class_dim);
    const Tensor loss = -prod.sum({class_dim});
    switch (reduction) {
      case Tag::None: return loss;
      case Tag::Sum: return loss.sum();
      default: return loss.sum() / double(input.numel() / (C > 0 ? C : 1));
    }
  }
  const Tensor nll_loss = nll(op, logp, target, weight, ignore_index, reduction);
  if (label_smoothing == 0) return nll_loss;
  // Smoothing: (1 - e) * nll + e / C * (the mean over classes of -logp), ignored targets excluded.
  const Tensor ignored = target.to(kInt64) == ignore_index;
  Tensor smooth = weight.defined() ? -(logp * channel_view(weight, input.dim(), class_dim)).sum({class_dim})
                                   : -logp.sum({class_dim});
  smooth = smooth.masked_fill(ignored, 0);
  Tensor smooth_reduced;
  switch (reduction) {
    case Tag::None: smooth_reduced = smooth; break;
    case Tag::Sum: smooth_reduced = smooth.sum(); break;
    default:
      if (weight.defined()) {
        const Tensor kept = masked_select(target.to(kInt64), logical_not(ignored));
        smooth_reduced = smooth.sum() / weight.to(input.dtype()).index_select(0, kept).sum();
      } else {
        smooth_reduced = smooth.sum() / logical_not(ignored).sum().to(smooth.dtype());
      }
  }
  return nll_loss * (1 - label_smoothing) + smooth_reduced * (label_smoothing / double(C));
}

Tensor bce_impl(const char* op, const Tensor& input, const Tensor& target, const Tensor& weight, Tag reduction) {
  WICK_PROFILE_OP("binary_cross_entropy", input, target, weight);
  if (detail::AutocastOp ac{lists::loss, input.device()})
    return bce_impl(op, ac(input), ac(target), ac(weight), reduction);
  check_pair(op, input, target);
  check_same_shape(op, input, target);
  WICK_CHECK(!logical_or(input<0, input> 1).any().item<bool>(), op,
             "all elements of input should be between 0 and 1 (it takes probabilities; use "
             "binary_cross_entropy_with_logits for logits)");
  const uint64_t since = detail::tape_position();
  // PyTorch clamps each log term at -100 so that probabilities of exactly 0 or 1 give a finite loss.
  Tensor loss = -(target * log(input).clamp_min(-100) + (1 - target) * log(1 - input).clamp_min(-100));
  if (weight.defined()) loss = loss * weight;
  return detail::named(reduce(loss, reduction), "binary_cross_entropy", since);
}

Tensor bce_logits_impl(const char* op, const Tensor& input, const Tensor& target, const Tensor& weight,
                       const Tensor& pos_weight, Tag reduction) {
  WICK_PROFILE_OP("binary_cross_entropy_with_logits", input, target, weight, pos_weight);
  if (detail::AutocastOp ac{lists::loss, input.device()})
    return bce_logits_impl(op, ac(input), ac(target), ac(weight), ac(pos_weight), reduction);
  check_pair(op, input, target);
  check_same_shape(op, input, target);
  const uint64_t since = detail::tape_position();
  const Tensor log_sig = log_sigmoid(input);
  Tensor loss = pos_weight.defined() ? (1 - target) * input - ((pos_weight - 1) * target + 1) * log_sig
                                     : (1 - target) * input - log_sig;
  if (weight.defined()) loss = loss * weight;
  return detail::named(reduce(loss, reduction), "binary_cross_entropy_with_logits", since);
}

Tensor kl_div_impl(const char* op, const Tensor& input, const Tensor& target, Tag reduction, bool log_target) {
  WICK_PROFILE_OP("kl_div", input, target);
  if (detail::AutocastOp ac{lists::loss, input.device()})
    return kl_div_impl(op, ac(input), ac(target), reduction, log_target);
  check_broadcast(op, input, target);
  Tensor loss;
  if (log_target) {
    loss = exp(target) * (target - input);
  } else {
    // target * log(target), taken as 0 where target is 0 (torch.xlogy)
    const Tensor positive = target > 0;
    const Tensor safe = where(positive, target, ones_like(target));
    loss = target * log(safe) - target * input;
  }
  if (reduction == Tag::BatchMean) return input.dim() == 0 ? loss.sum() : loss.sum() / double(input.size(0));
  return reduce(loss, reduction);
}

Tensor smooth_l1_impl(const char* op, const Tensor& input, const Tensor& target, Tag reduction, double beta) {
  WICK_PROFILE_OP("smooth_l1_loss", input, target);
  if (detail::AutocastOp ac{lists::loss, input.device()})
    return smooth_l1_impl(op, ac(input), ac(target), reduction, beta);
  check_broadcast(op, input, target);
  WICK_CHECK(beta >= 0, op, "beta must be non-negative, got ", beta);
  const uint64_t since = detail::tape_position();
  const Tensor d = abs(input - target);
  const Tensor loss = beta == 0 ? d : where(d < beta, d * d * (0.5 / beta), d - 0.5 * beta);
  return detail::named(reduce(loss, reduction), "smooth_l1_loss", since);
}

Tensor huber_impl(const char* op, const Tensor& input, const Tensor& target, Tag reduction, double delta) {
  WICK_PROFILE_OP("huber_loss", input, target);
  if (detail::AutocastOp ac{lists::loss, input.device()})
    return huber_impl(op, ac(input), ac(target), reduction, delta);
  check_broadcast(op, input, target);
  WICK_CHECK(delta > 0, op, "delta must be positive, got ", delta);
  const uint64_t since = detail::tape_position();
  const Tensor d = abs(input - target);
  return detail::named(reduce(where(d < delta, d * d * 0.5, (d - 0.5 * delta) * delta), reduction), "huber_loss",
                       since);
}

Tensor mse_impl(const char* op, const Tensor& input, const Tensor& target, Tag reduction) {
  WICK_PROFILE_OP("mse_loss", input, target);
  if (detail::AutocastOp ac{lists::loss, input.device()}) return mse_impl(op, ac(input), ac(target), reduction);
  check_broadcast(op, input, target);
  const uint64_t since = detail::tape_position();
  return detail::named(reduce(square(input - target), reduction), "mse_loss", since);
}

Tensor l1_impl(const char* op, const Tensor& input, const Tensor& target, Tag reduction) {
  WICK_PROFILE_OP("l1_loss", input, target);
  if (detail::AutocastOp ac{lists::loss, input.device()}) return l1_impl(op, ac(input), ac(target), reduction);
  check_broadcast(op, input, target);
  return reduce(abs(input - target), reduction);
}

Tag tag_of(int64_t reduction) {
  return reduction == Reduction::None ? Tag::None : reduction == Reduction::Sum ? Tag::Sum : Tag::Mean;
}

}  // namespace

// ---- top-level (ATen signatures) -----------------------------------------------------------------------------

Tensor mse_loss(const Tensor& self, const Tensor& target, int64_t reduction) {
  return mse_impl("mse_loss", self, target, tag_of(reduction));
}
Tensor l1_loss(const Tensor& self, const Tensor& target, int64_t reduction) {
  return l1_impl("l1_loss", self, target, tag_of(reduction));
}
Tensor smooth_l1_loss(const Tensor& self, const Tensor& target, int64_t reduction, double beta) {
  return smooth_l1_impl("smooth_l1_loss", self, target, tag_of(reduction), beta);
}
Tensor huber_loss(const Tensor& self, const Tensor& target, int64_t reduction, double delta) {
  return huber_impl("huber_loss", self, target, tag_of(reduction), delta);
}
Tensor nll_loss(const Tensor& self, const Tensor& target, const Tensor& weight, int64_t reduction,
                int64_t ignore_index) {
  check_pair("nll_loss", self, target);
  return nll("nll_loss", self, target, weight, ignore_index, tag_of(reduction));
}
Tensor cross_entropy_loss(const Tensor& self, const Tensor& target, const Tensor& weight, int64_t reduction,
                          int64_t ignore_index, double label_smoothing) {
  return cross_entropy_impl("cross_entropy_loss", self, target, weight, ignore_index, tag_of(reduction),
                            label_smoothing);
}
Tensor binary_cross_entropy(const Tensor& self, const Tensor& target, const Tensor& weight, int64_t reduction) {
  return bce_impl("binary_cross_entropy", self, target, weight, tag_of(reduction));
}
Tensor binary_cross_entropy_with_logits(const Tensor& self, const Tensor& target, const Tensor& weight,
                                        const Tensor& pos_weight, int64_t reduction) {
  return bce_logits_impl("binary_cross_entropy_with_logits", self, target, weight, pos_weight, tag_of(reduction));
}
Tensor kl_div(const Tensor& self, const Tensor& target, int64_t reduction, bool log_target) {
  return kl_div_impl("kl_div", self, target, tag_of(reduction), log_target);
}

namespace nn {

// ---- functional --------------------------------------------------------------------------------------------

namespace functional {
Tensor mse_loss(const Tensor& input, const Tensor& target, const MSELossFuncOptions& o) {
  return mse_impl("nn::functional::mse_loss", input, target, o.reduction().tag());
}
Tensor l1_loss(const Tensor& input, const Tensor& target, const L1LossFuncOptions& o) {
  return l1_impl("nn::functional::l1_loss", input, target, o.reduction().tag());
}
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const SmoothL1LossFuncOptions& o) {
  return smooth_l1_impl("nn::functional::smooth_l1_loss", input, target, o.reduction().tag(), o.beta());
}
Tensor huber_loss(const Tensor& input, const Tensor& target, const HuberLossFuncOptions& o) {
  return huber_impl("nn::functional::huber_loss", input, target, o.reduction().tag(), o.delta());
}
Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyFuncOptions& o) {
  return cross_entropy_impl("nn::functional::cross_entropy", input, target, o.weight(), o.ignore_index(),
                            o.reduction().tag(), o.label_smoothing());
}
Tensor nll_loss(const Tensor& input, const Tensor& target, const NLLLossFuncOptions& o) {
  check_pair("nn::functional::nll_loss", input, target);
  return nll("nn::functional::nll_loss", input, target, o.weight(), o.ignore_index(), o.reduction().tag());
}
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const BinaryCrossEntropyFuncOptions& o) {
  return bce_impl("nn::functional::binary_cross_entropy", input, target, o.weight(), o.reduction().tag());
}
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BinaryCrossEntropyWithLogitsFuncOptions& o) {
  return bce_logits_impl("nn::functional::binary_cross_entropy_with_logits", input, target, o.weight(), o.pos_weight(),
                         o.reduction().tag());
}
Tensor kl_div(const Tensor& input, const Tensor& target, const KLDivFuncOptions& o) {
  return kl_div_impl("nn::functional::kl_div", input, target, o.reduction().tag(), o.log_target());
}
Tensor triplet_margin_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative,
                           const TripletMarginLossFuncOptions& o) {
  const char* op = "nn::functional::triplet_margin_loss";
  WICK_CHECK(anchor.defined() && positive.defined() && negative.defined(), op, "all three inputs must be defined");
  WICK_CHECK(anchor.dim() == positive.dim() && positive.dim() == negative.dim(), op,
             "all inputs should have the same number of dims, got ", anchor.dim(), "D, ", positive.dim(), "D and ",
             negative.dim(), "D inputs");
  const auto distance = PairwiseDistanceFuncOptions().p(o.p()).eps(o.eps());
  const Tensor to_positive = pairwise_distance(anchor, positive, distance);
  Tensor to_negative = pairwise_distance(anchor, negative, distance);
  if (o.swap()) to_negative = minimum(to_negative, pairwise_distance(positive, negative, distance));
  return reduce((to_positive - to_negative + o.margin()).clamp_min(0), o.reduction().tag());
}
}  // namespace functional

// ---- modules -----------------------------------------------------------------------------------------------

#define WICK_LOSS_MODULE(Name, call, buffers)                                            \
  Name##Impl::Name##Impl(const Name##Options& options) : options(options) { buffers; }   \
  void Name##Impl::pretty_print(std::ostream& s) const { s << "wick::nn::" #Name "()"; } \
  Tensor Name##Impl::forward(const Tensor& input, const Tensor& target) {                \
    return functional::call(input, target, options);                                     \
  }

#define WICK_WEIGHT_BUFFER \
  if (this->options.weight().defined()) register_buffer("weight", this->options.weight())

WICK_LOSS_MODULE(MSELoss, mse_loss, )
WICK_LOSS_MODULE(L1Loss, l1_loss, )
WICK_LOSS_MODULE(SmoothL1Loss, smooth_l1_loss, )
WICK_LOSS_MODULE(HuberLoss, huber_loss, )
WICK_LOSS_MODULE(CrossEntropyLoss, cross_entropy, WICK_WEIGHT_BUFFER)
WICK_LOSS_MODULE(NLLLoss, nll_loss, WICK_WEIGHT_BUFFER)
WICK_LOSS_MODULE(BCELoss, binary_cross_entropy, WICK_WEIGHT_BUFFER)
WICK_LOSS_MODULE(BCEWithLogitsLoss, binary_cross_entropy_with_logits, WICK_WEIGHT_BUFFER;
                 if (this->options.pos_weight().defined()) register_buffer("pos_weight", this->options.pos_weight()))
WICK_LOSS_MODULE(KLDivLoss, kl_div, )

#undef WICK_WEIGHT_BUFFER
#undef WICK_LOSS_MODULE

void TripletMarginLossImpl::pretty_print(std::ostream& s) const {
  s << "wick::nn::TripletMarginLoss(margin=" << options.margin() << ", p=" << options.p() << ", eps=" << options.eps()
    << ", swap=" << (options.swap() ? "true" : "false") << ")";
}

Tensor TripletMarginLossImpl::forward(const Tensor& anchor, const Tensor& positive, const Tensor& negative) {
  return functional::triplet_margin_loss(anchor, positive, negative, options);
}

}  // namespace nn
}  // namespace wick
