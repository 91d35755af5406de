#include "wick/autograd/gradcheck.h"

#include <cmath>

#include "wick/autograd/autograd.h"
#include "wick/grad_mode.h"
#include "wick/ops.h"

namespace wick::autograd {
namespace {

std::vector<Tensor> floating_outputs(const std::vector<Tensor>& outs) {
  std::vector<Tensor> r;
  for (const Tensor& o : outs)
    if (o.defined() && o.is_floating_point()) r.push_back(o);
  return r;
}

// Flattened outputs of fn at the given inputs, concatenated into one float64 vector. Recording stays on:
// for gradgradcheck, fn itself calls backward.
Tensor evaluate(const DifferentiableFn& fn, const std::vector<Tensor>& inputs) {
  std::vector<Tensor> parts;
  for (const Tensor& o : floating_outputs(fn(inputs))) parts.push_back(o.detach().reshape({-1}).to(kDouble));
  return parts.empty() ? zeros({0}, TensorOptions().dtype(kDouble)) : cat(parts, 0);
}

std::string describe(size_t input, int64_t in_elem, int64_t out_elem, double analytic, double numeric) {
  return detail::cat("gradient mismatch for input ", input, " element ", in_elem, ", output element ", out_elem,
                     ": backward gives ", analytic, ", finite differences give ", numeric);
}

}  // namespace

std::string gradcheck(const DifferentiableFn& fn, const std::vector<Tensor>& inputs, GradcheckOptions opt) {
  for (size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].defined() && inputs[i].requires_grad())
      WICK_CHECK(inputs[i].dtype() == kDouble, "gradcheck", "input ", i,
                 " must be float64 for finite differences, got ", dtype_name(inputs[i].dtype()));
  const std::vector<Tensor> outputs = floating_outputs(fn(inputs));
  std::vector<int64_t> out_sizes;
  int64_t total_out = 0;
  for (const Tensor& o : outputs) {
    out_sizes.push_back(o.numel());
    total_out += o.numel();
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    if (!x.defined() || !x.requires_grad()) continue;
    const int64_t n = x.numel();
    // Analytic Jacobian, one output element at a time (vector-Jacobian products with one-hot vectors).
    Tensor analytic = zeros({total_out, n}, TensorOptions().dtype(kDouble));
    int64_t row = 0;
    for (size_t k = 0; k < outputs.size(); ++k) {
      if (!outputs[k].requires_grad()) {
        row += out_sizes[k];
        continue;
      }
      for (int64_t j = 0; j < out_sizes[k]; ++j, ++row) {
        Tensor onehot = zeros({out_sizes[k]}, outputs[k].options());
        onehot.index_put_({j}, 1.0);
        auto g = grad({outputs[k]}, {x}, {onehot.view(outputs[k].sizes())}, true, false, true);
        if (g[0].defined()) analytic.select(0, row).copy_(g[0].reshape({-1}).to(kDouble));
      }
    }
    // Numeric Jacobian by central differences.
    for (int64_t e = 0; e < n; ++e) {
      std::vector<Tensor> plus(inputs), minus(inputs);
      const double x0 = x.reshape({-1})[e].item<double>();
      plus[i] = x.detach().clone();
      minus[i] = x.detach().clone();
      plus[i].view({-1}).index_put_({e}, x0 + opt.eps);
      minus[i].view({-1}).index_put_({e}, x0 - opt.eps);
      plus[i].requires_grad_(true);
      minus[i].requires_grad_(true);
      const Tensor numeric = (evaluate(fn, plus) - evaluate(fn, minus)) / (2 * opt.eps);
      for (int64_t r = 0; r < total_out; ++r) {
        const double a = analytic.index({r, e}).item<double>();
        const double b = numeric[r].item<double>();
        if (std::isnan(a) != std::isnan(b) || std::abs(a - b) > opt.atol + opt.rtol * std::abs(b))
          return describe(i, e, r, a, b);
      }
    }
  }
  return "";
}

std::string gradgradcheck(const DifferentiableFn& fn, const std::vector<Tensor>& inputs, GradcheckOptions opt) {
  // Fixed "upstream gradients" v, one per floating output.
  std::vector<Tensor> vs;
  {
    NoGradGuard no_grad;
    for (const Tensor& o : floating_outputs(fn(inputs))) vs.push_back(randn(o.sizes(), o.options()));
  }
  std::vector<size_t> wrt;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].defined() && inputs[i].requires_grad()) wrt.push_back(i);
  DifferentiableFn first_order = [&](const std::vector<Tensor>& xs) {
    std::vector<Tensor> outs = floating_outputs(fn(xs));
    std::vector<Tensor> used_outs, used_vs, targets, result;
    for (size_t k = 0; k < outs.size(); ++k)
      if (outs[k].requires_grad()) {
        used_outs.push_back(outs[k]);
        used_vs.push_back(vs[k]);
      }
    for (size_t i : wrt) targets.push_back(xs[i]);
    if (used_outs.empty() || targets.empty()) return result;
    auto gs = grad(used_outs, targets, used_vs, true, true, true);
    for (size_t k = 0; k < gs.size(); ++k) result.push_back(gs[k].defined() ? gs[k] : zeros_like(targets[k]));
    return result;
  };
  return gradcheck(first_order, inputs, opt);
}

}  // namespace wick::autograd
