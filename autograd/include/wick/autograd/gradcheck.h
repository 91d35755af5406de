// Finite-difference checks of backward rules (float64), as torch.autograd.gradcheck / gradgradcheck.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "wick/tensor.h"

namespace wick::autograd {

using DifferentiableFn = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;

struct GradcheckOptions {
  double eps = 1e-6;
  double atol = 1e-5;
  double rtol = 1e-3;
};

// Compares the Jacobian backward computes with central differences of fn at `inputs` (float64 tensors;
// those that require grad are checked). Returns an empty string when they agree, else a description of
// the first mismatch (input, elements, analytic and numeric values).
std::string gradcheck(const DifferentiableFn& fn, const std::vector<Tensor>& inputs, GradcheckOptions options = {});

// The same for second derivatives: checks the gradient of <grad(fn), v> for a fixed random v, which
// exercises create_graph=true through every rule involved.
std::string gradgradcheck(const DifferentiableFn& fn, const std::vector<Tensor>& inputs,
                          GradcheckOptions options = {});

}  // namespace wick::autograd
