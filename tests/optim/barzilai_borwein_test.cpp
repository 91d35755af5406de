// Barzilai-Borwein gradient descent (no PyTorch reference): on f(x) = 0.5 x'Ax - b'x its steps are the closed-form
// BB1 steps (the second one is the Cauchy step g'g / g'Ag) and it converges to A^-1 b; the fallback keeps the last
// step size where the curvature is not positive; on a logistic regression it needs fewer iterations than full-batch
// gradient descent with the best fixed learning rate of a grid; its state survives a state_dict round trip.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <array>
#include <cmath>
#include <sstream>

#include "../nn/fixture.h"
#include "support/fixtures.h"

using namespace wick;
namespace O = wick::optim;
namespace F = wick::nn::functional;

namespace {

using Vec = std::array<double, 3>;
using Mat = std::array<Vec, 3>;
constexpr Mat kA = {{{4, 1, 0}, {1, 3, 1}, {0, 1, 2}}};  // symmetric positive definite
constexpr Vec kXStar = {1, -2, 3};

// The reference arithmetic, in plain doubles.
Vec matvec(const Mat& a, const Vec& x) {
  Vec r{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) r[i] += a[i][j] * x[j];
  return r;
}
double dot3(const Vec& a, const Vec& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
Vec axpy(double alpha, const Vec& x, const Vec& y) {
  return {y[0] + alpha * x[0], y[1] + alpha * x[1], y[2] + alpha * x[2]};
}
Vec grad_of(const Vec& x) { return axpy(-1, matvec(kA, kXStar), matvec(kA, x)); }  // Ax - b, b = A x*

Tensor as_tensor(const Vec& v) { return tensor({v[0], v[1], v[2]}, kDouble); }
Tensor as_tensor(const Mat& m) {
  return tensor({{m[0][0], m[0][1], m[0][2]}, {m[1][0], m[1][1], m[1][2]}, {m[2][0], m[2][1], m[2][2]}}, kDouble);
}

double step_size(const O::Optimizer& opt) { return opt.state_dict().at("state.0.step_size").item<double>(); }

// The quadratic as a closure over x.
O::LossClosure quadratic(O::Optimizer& opt, const Tensor& x) {
  const Tensor A = as_tensor(kA), b = A.matmul(as_tensor(kXStar));
  return [&opt, x, A, b] {
    opt.zero_grad();
    Tensor f = 0.5 * dot(x, A.matmul(x)) - dot(b, x);
    f.backward();
    return f;
  };
}

}  // namespace

TEST_CASE("barzilai_borwein: the first steps are the closed-form BB1 steps on a quadratic", "[optim][bb]") {
  const double lr = 0.1;
  Tensor x = zeros({3}, TensorOptions(kDouble).requires_grad(true));
  O::BarzilaiBorwein opt({x}, O::BarzilaiBorweinOptions(lr));
  const O::LossClosure closure = quadratic(opt, x);

  // Step 0: x1 = x0 - lr g0.
  const Vec x0 = {0, 0, 0}, g0 = grad_of(x0);
  const Vec x1 = axpy(-lr, g0, x0);
  opt.step(closure);
  CHECK(step_size(opt) == lr);
  CHECK_CLOSE(x.detach(), as_tensor(x1), 1e-14, 1e-14);

  // Step 1: s = x1 - x0 = -lr g0 and y = A s, so alpha1 = s's / s'As = g0'g0 / g0'A g0: the exact line minimiser
  // along g0 (Cauchy's step), which is what makes BB a quasi-Newton method.
  const Vec g1 = grad_of(x1);
  const Vec s0 = axpy(-1, x0, x1), y0 = axpy(-1, g0, g1);
  const double alpha1 = dot3(s0, s0) / dot3(s0, y0);
  CHECK(alpha1 == Approx(dot3(g0, g0) / dot3(g0, matvec(kA, g0))).epsilon(1e-14));
  const Vec x2 = axpy(-alpha1, g1, x1);
  opt.step(closure);
  CHECK(step_size(opt) == Approx(alpha1).epsilon(1e-14));
  CHECK_CLOSE(x.detach(), as_tensor(x2), 1e-13, 1e-13);

  // Step 2: alpha2 = s1's1 / s1'y1.
  const Vec g2 = grad_of(x2);
  const Vec s1 = axpy(-1, x1, x2), y1 = axpy(-1, g1, g2);
  const double alpha2 = dot3(s1, s1) / dot3(s1, y1);
  opt.step(closure);
  CHECK(step_size(opt) == Approx(alpha2).epsilon(1e-13));
  CHECK_CLOSE(x.detach(), as_tensor(axpy(-alpha2, g2, x2)), 1e-13, 1e-13);
  // Each alpha lies in [1 / lambda_max, 1 / lambda_min] of A (a Rayleigh quotient's inverse); A's eigenvalues
  // are 3 - sqrt(3), 3 and 3 + sqrt(3).
  for (double a : {alpha1, alpha2}) {
    CHECK(a >= 1 / (3 + std::sqrt(3.0)));
    CHECK(a <= 1 / (3 - std::sqrt(3.0)));
  }
}

TEST_CASE("barzilai_borwein: converges to A^-1 b on the quadratic", "[optim][bb]") {
  Tensor x = zeros({3}, TensorOptions(kDouble).requires_grad(true));
  O::BarzilaiBorwein opt({x}, O::BarzilaiBorweinOptions(0.1));
  const O::LossClosure closure = quadratic(opt, x);
  int iterations = 0;
  for (; iterations < 200; ++iterations) {
    closure();
    if (x.grad().norm().item<double>() < 1e-12) break;
    opt.step();
  }
  INFO("iterations: " << iterations);
  CHECK(iterations < 200);
  CHECK_CLOSE(x.detach(), as_tensor(kXStar), 1e-11, 1e-11);
}

TEST_CASE("barzilai_borwein: without positive curvature the last step size is kept", "[optim][bb]") {
  const double lr = 0.25;
  SECTION("concave: s'y < 0") {
    // f(x) = -x'x / 2, g = -x, y = -s: the BB quotient would be -1, a step uphill.
    Tensor x = tensor({1.0, -2.0}, kDouble).requires_grad_();
    O::BarzilaiBorwein opt({x}, O::BarzilaiBorweinOptions(lr));
    for (int k = 0; k < 3; ++k) {
      opt.zero_grad();
      (-0.5 * dot(x, x)).backward();
      opt.step();
      CHECK(step_size(opt) == lr);
    }
    CHECK(equal(x.detach(), tensor({1.0, -2.0}, kDouble) * std::pow(1 + lr, 3)));  // x <- x + lr x, exactly
  }
  SECTION("linear: y = 0") {
    // f(x) = c'x: the gradient never changes, s'y = 0.
    Tensor x = zeros({2}, TensorOptions(kDouble).requires_grad(true));
    const Tensor c = tensor({1.0, 3.0}, kDouble);
    O::BarzilaiBorwein opt({x}, O::BarzilaiBorweinOptions(lr));
    for (int k = 0; k < 3; ++k) {
      opt.zero_grad();
      dot(c, x).backward();
      opt.step();
      CHECK(step_size(opt) == lr);
    }
    CHECK(equal(x.detach(), c * (-3 * lr)));
  }
}

namespace {

// A logistic regression with L2 (strongly convex, so one minimum): 400 samples, 6 features, labels drawn from the
// model itself. Returns the iterations full-batch descent with `opt` needs until the gradient's norm is below tol.
struct Logistic {
  Logistic() {
    manual_seed(2024);
    X = randn({400, 6}, kDouble);
    const Tensor w_true = tensor({1.5, -2.0, 0.5, 1.0, -1.0, 0.25}, kDouble);
    y = bernoulli(sigmoid(X.matmul(w_true) + 0.3));
  }
  // Iterations until |grad| < tol, or `cap` if never.
  int iterations(const std::function<std::unique_ptr<O::Optimizer>(std::vector<Tensor>)>& make, int cap) const {
    Tensor w = zeros({6}, TensorOptions(kDouble).requires_grad(true));
    Tensor b = zeros({1}, TensorOptions(kDouble).requires_grad(true));
    std::unique_ptr<O::Optimizer> opt = make({w, b});
    for (int k = 0; k < cap; ++k) {
      opt->zero_grad();
      const Tensor loss = F::binary_cross_entropy_with_logits(X.matmul(w) + b, y) + 0.5e-2 * dot(w, w);
      loss.backward();
      const double norm = std::sqrt(w.grad().pow(2).sum().item<double>() + b.grad().pow(2).sum().item<double>());
      if (!std::isfinite(norm)) return cap;
      if (norm < 1e-6) return k;
      opt->step();
    }
    return cap;
  }
  Tensor X, y;
};

}  // namespace

TEST_CASE("barzilai_borwein: a logistic regression in fewer iterations than the best fixed-step descent",
          "[optim][bb]") {
  const Logistic problem;
  constexpr int kCap = 5000;
  int best_sgd = kCap;
  double best_lr = 0;
  std::ostringstream grid;
  for (double lr : {0.3, 1.0, 3.0, 10.0, 30.0}) {
    const int n = problem.iterations(
        [lr](std::vector<Tensor> ps) { return std::make_unique<O::SGD>(std::move(ps), O::SGDOptions(lr)); }, kCap);
    grid << " lr " << lr << ": " << n << ";";
    if (n < best_sgd) best_sgd = n, best_lr = lr;
  }
  const int bb = problem.iterations(
      [](std::vector<Tensor> ps) {
        return std::make_unique<O::BarzilaiBorwein>(std::move(ps), O::BarzilaiBorweinOptions(1.0));
      },
      kCap);
  WARN("logistic regression to |grad| < 1e-6: Barzilai-Borwein "
       << bb << " iterations, SGD " << best_sgd << " at its best lr " << best_lr << " (" << grid.str() << " " << kCap
       << " = not reached)");
  CHECK(bb < best_sgd);
  // The counts measured (x86-64, every kernel set): the crossing of 1e-6 is far from any iteration's norm.
  CHECK(bb == 12);
  CHECK(best_sgd == 29);
  CHECK(best_lr == 10.0);
}

TEST_CASE("barzilai_borwein: state_dict mid-run, loaded into a fresh optimizer, continues bit for bit", "[optim][bb]") {
  Tensor x = zeros({3}, TensorOptions(kDouble).requires_grad(true));
  Tensor twin = zeros({3}, TensorOptions(kDouble).requires_grad(true));
  O::BarzilaiBorwein straight({x}, O::BarzilaiBorweinOptions(0.1));
  const O::LossClosure straight_closure = quadratic(straight, x);
  std::map<std::string, Tensor> saved;
  {
    O::BarzilaiBorwein first({twin}, O::BarzilaiBorweinOptions(0.1));
    const O::LossClosure closure = quadratic(first, twin);
    for (int k = 0; k < 3; ++k) {
      first.step(closure);
      straight.step(straight_closure);
    }
    for (const auto& [k, v] : first.state_dict()) saved[k] = v.clone();
  }
  for (const char* key : {"state.0.step", "state.0.step_size", "state.0.prev", "state.0.prev_grad", "param_groups.0.lr",
                          "param_groups.0.curvature_eps"}) {
    INFO(key);
    CHECK(saved.count(key) == 1);
  }
  O::BarzilaiBorwein second({twin}, O::BarzilaiBorweinOptions(0.7));
  second.load_state_dict(saved);
  const O::LossClosure closure = quadratic(second, twin);
  for (int k = 3; k < 8; ++k) {
    second.step(closure);
    straight.step(straight_closure);
    CHECK(equal(twin, x));
    CHECK(step_size(second) == step_size(straight));
  }
}

TEST_CASE("barzilai_borwein: bad options", "[optim][bb]") {
  Tensor x = zeros({3}, requires_grad());
  CHECK_THROWS_WITH(O::BarzilaiBorwein({x}, O::BarzilaiBorweinOptions(0)),
                    Catch::Contains("optim::BarzilaiBorwein") && Catch::Contains("invalid learning rate: 0"));
  CHECK_THROWS_WITH(O::BarzilaiBorwein({x}, O::BarzilaiBorweinOptions().curvature_eps(-1)),
                    Catch::Contains("invalid curvature_eps: -1"));
}
