// The composed fallbacks of the fused kernels (softmax, convolution, pooling, normalisation) against the fused
// kernels, values and gradients, over the geometries that stress them. (The recurrent cells' twin is in
// tests/nn/rnn_test.cpp; the convolution and pooling gradchecks run both ways; and the whole suite runs again
// with WICK_FUSED_KERNELS=0 in CI, which checks the fallbacks against PyTorch's fixtures.)
#include <catch2/catch.hpp>

#include <wick/wick.h>

#include <functional>
#include <vector>

#include "../support/fixtures.h"
#include "../support/scoped_settings.h"
#include "../support/skip.h"

using namespace wick;
using V = std::vector<Tensor>;

namespace {

// f's outputs and the gradients of a weighted sum of them with respect to every input, with the fused kernels
// on or off.
V run(const std::function<V(const V&)>& f, const V& values, bool fused) {
  testing::FusedKernels scope(fused);
  V in;
  for (const Tensor& t : values) in.push_back(t.clone().requires_grad_(is_floating_point(t.dtype())));
  const V out = f(in);
  Tensor loss = zeros({}, dtype(values[0].dtype()));
  for (size_t k = 0; k < out.size(); ++k)
    if (is_floating_point(out[k].dtype())) loss = loss + (out[k] * randn_like(out[k]).abs()).sum();
  loss.backward();
  V all = out;
  for (const Tensor& t : in)
    if (t.requires_grad()) all.push_back(t.grad().defined() ? t.grad() : zeros_like(t));
  return all;
}

void check_same(const std::function<V(const V&)>& f, const V& values, testing::Tolerance tol) {
  manual_seed(5);
  const V fused = run(f, values, true);
  manual_seed(5);
  const V composed = run(f, values, false);
  REQUIRE(fused.size() == composed.size());
  for (size_t k = 0; k < fused.size(); ++k) {
    INFO("result " << k << " of " << fused.size() << " (outputs, then input gradients)");
    CHECK(testing::compare(composed[k], fused[k], tol) == "");
  }
}

Tensor leaf(IntArrayRef shape, ScalarType t = kDouble) { return randn(shape, dtype(t)); }

}  // namespace

TEST_CASE("fused fallbacks: composed convolutions match the fused kernels", "[lib][fused]") {
  WICK_REQUIRE_FUSED_KERNELS();
  manual_seed(1);
  const testing::Tolerance tol{1e-11, 1e-11};
  struct Case {
    V in;
    std::function<V(const V&)> f;
  };
  const std::vector<Case> cases = {
      {{leaf({2, 4, 9, 8}), leaf({6, 2, 3, 2}), leaf({6})},
       [](const V& v) {
         return V{conv2d(v[0], v[1], v[2], {2, 1}, {1, 0}, {1, 2}, 2)};
       }},
      {{leaf({1, 3, 7, 7}), leaf({4, 3, 1, 1})}, [](const V& v) { return V{conv2d(v[0], v[1])}; }},
      {{leaf({3, 2, 6, 5}), leaf({2, 1, 3, 3})}, [](const V& v) { return V{conv2d(v[0], v[1], {}, 3, 2, 1, 2)}; }},
      {{leaf({2, 4, 3, 4}), leaf({4, 3, 3, 2}), leaf({6})},
       [](const V& v) { return V{conv_transpose2d(v[0], v[1], v[2], 2, 1, 1, 2)}; }},
      {{leaf({2, 3, 11}), leaf({5, 3, 4})}, [](const V& v) { return V{conv1d(v[0], v[1], {}, 1, "same", 2)}; }},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    INFO("case " << i);
    check_same(cases[i].f, cases[i].in, tol);
  }
}

TEST_CASE("fused fallbacks: composed pooling and softmax match the fused kernels", "[lib][fused]") {
  WICK_REQUIRE_FUSED_KERNELS();
  manual_seed(2);
  const testing::Tolerance tol{1e-12, 1e-12};
  const Tensor x = leaf({2, 3, 10, 9});
  // Max pooling: padding, dilation and ceil_mode windows that overhang; its indices must agree too.
  for (bool ceil : {false, true}) {
    INFO("ceil_mode " << ceil);
    check_same(
        [ceil](const V& v) {
          auto [y, idx] = max_pool2d_with_indices(v[0], {3, 2}, {2, 2}, {1, 1}, {1, 2}, ceil);
          return V{y, idx};
        },
        {x}, tol);
    for (bool include_pad : {true, false})
      check_same([=](const V& v) { return V{avg_pool2d(v[0], {3, 3}, {2, 2}, {1, 1}, ceil, include_pad)}; }, {x}, tol);
  }
  check_same([](const V& v) { return V{max_pool1d(v[0], 3, 2, 1)}; }, {leaf({2, 3, 12})}, tol);
  for (int64_t dim : {0, 1, 3})
    check_same([dim](const V& v) { return V{softmax(v[0], dim), log_softmax(v[0], dim)}; }, {x}, tol);
}

TEST_CASE("fused fallbacks: composed normalisation matches the fused kernels", "[lib][fused]") {
  WICK_REQUIRE_FUSED_KERNELS();
  // The CPU fuses normalisation only on oneDNN (float32); elsewhere both sides would be the composition.
  WICK_REQUIRE_ONEDNN();
  manual_seed(3);
  const testing::Tolerance tol{2e-5, 2e-5};
  const Tensor x = leaf({4, 6, 5, 3}, kFloat), w = leaf({6}, kFloat), b = leaf({6}, kFloat);
  check_same([](const V& v) { return V{batch_norm(v[0], v[1], v[2], {}, {}, true, 0.1, 1e-5)}; }, {x, w, b}, tol);
  check_same([](const V& v) { return V{layer_norm(v[0], {5, 3}, {}, {}, 1e-5)}; }, {x}, tol);
  check_same([](const V& v) { return V{group_norm(v[0], 3, v[1], v[2])}; }, {x, w, b}, tol);
}
