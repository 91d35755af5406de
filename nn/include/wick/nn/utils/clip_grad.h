// Gradient clipping, as torch::nn::utils::clip_grad_norm_ and clip_grad_value_. Call between backward()
// and optimizer.step(). Parameters without a gradient are skipped.
#pragma once

#include <initializer_list>
#include <limits>
#include <vector>

#include "wick/tensor.h"

namespace wick::nn::utils {

// Scales all gradients together so that their joint norm (as if concatenated) is at most max_norm;
// returns that norm before clipping. norm_type may be infinity. With error_if_nonfinite, a NaN or
// infinite norm throws instead of poisoning the gradients.
double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);
inline double clip_grad_norm_(std::initializer_list<Tensor> parameters, double max_norm, double norm_type = 2.0,
                              bool error_if_nonfinite = false) {
  return clip_grad_norm_(std::vector<Tensor>(parameters), max_norm, norm_type, error_if_nonfinite);
}
inline double clip_grad_norm_(const Tensor& parameter, double max_norm, double norm_type = 2.0,
                              bool error_if_nonfinite = false) {
  return clip_grad_norm_(std::vector<Tensor>{parameter}, max_norm, norm_type, error_if_nonfinite);
}

// Clamps every gradient element into [-clip_value, clip_value].
void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value);
inline void clip_grad_value_(std::initializer_list<Tensor> parameters, double clip_value) {
  clip_grad_value_(std::vector<Tensor>(parameters), clip_value);
}
inline void clip_grad_value_(const Tensor& parameter, double clip_value) {
  clip_grad_value_(std::vector<Tensor>{parameter}, clip_value);
}

}  // namespace wick::nn::utils
