// Gradient clipping with PyTorch 1.13's arithmetic: per-tensor norms, the norm of those, then one float
// coefficient min(1, max_norm / (norm + 1e-6)) applied to every gradient.
#include "wick/nn/utils/clip_grad.h"

#include <cmath>

#include "wick/grad_mode.h"
#include "wick/ops.h"

namespace wick::nn::utils {

double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  NoGradGuard no_grad;
  std::vector<Tensor> grads;
  for (const Tensor& p : parameters)
    if (p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return 0.0;
  std::vector<Tensor> norms;
  Tensor total;
  if (std::isinf(norm_type)) {
    for (const Tensor& g : grads) norms.push_back(g.abs().max());
    total = norms.size() == 1 ? norms[0] : stack(norms).max();
  } else {
    for (const Tensor& g : grads) norms.push_back(g.norm(norm_type));
    total = stack(norms).norm(norm_type);
  }
  const double total_norm = total.item<double>();
  WICK_CHECK(!error_if_nonfinite || std::isfinite(total_norm), "nn::utils::clip_grad_norm_", "the total norm of order ",
             norm_type, " of the gradients is non-finite (", total_norm,
             "), so it cannot be clipped; pass error_if_nonfinite=false to scale by it anyway");
  const Tensor coef = (max_norm / (total + 1e-6)).clamp_max(1.0);
  for (const Tensor& g : grads) g.mul_(coef);
  return total_norm;
}

void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value) {
  NoGradGuard no_grad;
  for (const Tensor& p : parameters)
    if (p.grad().defined()) p.grad().clamp_(-clip_value, clip_value);
}

}  // namespace wick::nn::utils
