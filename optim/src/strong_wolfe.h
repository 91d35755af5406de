// The strong-Wolfe line search of LBFGS, ported from PyTorch's torch/optim/lbfgs.py (_strong_wolfe and
// _cubic_interpolate, themselves from torch7's lswolfe.lua and polyinterp.lua). Internal to optim.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <utility>

#include "wick/tensor.h"

namespace wick::optim::detail {

// The minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1 and g2, clamped into bounds
// (default: the interval between x1 and x2); their midpoint when the cubic has no minimum.
double cubic_interpolate(double x1, double f1, double g1, double x2, double f2, double g2,
                         std::optional<std::pair<double, double>> bounds = std::nullopt);

// The loss and flat gradient at step length t along the search direction.
using DirectionalObjective = std::function<std::pair<double, Tensor>(double t)>;

struct LineSearchResult {
  double loss;
  Tensor flat_grad;
  double t;
  int64_t func_evals;
};

// Finds a step t along d (starting from t) that satisfies the strong Wolfe conditions with constants c1, c2:
// brackets one, then zooms in by cubic interpolation. f, g and gtd are the loss, flat gradient and directional
// derivative at t = 0.
LineSearchResult strong_wolfe(const DirectionalObjective& objective, double t, const Tensor& d, double f,
                              const Tensor& g, double gtd, double c1 = 1e-4, double c2 = 0.9,
                              double tolerance_change = 1e-9, int64_t max_ls = 25);

}  // namespace wick::optim::detail
