// Numerical robustness against PyTorch: log_softmax, logsumexp, cross_entropy, sigmoid, softplus,
// binary_cross_entropy_with_logits and layer_norm at inputs of +-1e4 (where exp overflows in every float type),
// mixed rows such as [1e4, -1e4, 0, 3], and rows near 1e4 with a small spread (where a naive E[x^2] - E[x]^2
// variance cancels). Values and gradients stay finite and match tests/fixtures/robust_numerics.safetensors
// (tools/gen_robust_fixtures.py: float64 references computed from the inputs rounded to each dtype) in float64,
// float32, float16 and bfloat16.
#include <catch2/catch.hpp>
#include <wick/nn/functional.h>
#include <wick/wick.h>

#include <algorithm>
#include <functional>

#include "fixture.h"

using namespace wick;
namespace F = wick::nn::functional;
using testing::Fixture;
using testing::Inputs;

namespace {

const Fixture& robust() {
  static const Fixture f("robust_numerics.safetensors");
  return f;
}

struct Tol {
  double rtol, atol;
};
// About four ulps of each type at the outputs' scale: results of order 1 (probabilities, normalised values,
// gradients) and of order 1e4 (log-probabilities) both sit within atol + rtol * |expected|.
Tol tolerance(ScalarType t) {
  switch (t) {
    case kDouble: return {1e-10, 1e-10};
    case kFloat: return {2e-6, 2e-5};
    case kHalf: return {4e-3, 4e-3};
    default: return {3e-2, 3e-2};  // bfloat16: 8 significant bits
  }
}

const ScalarType kDtypes[] = {kDouble, kFloat, kHalf, kBFloat16};

using Fn = std::function<Tensor(Inputs&)>;

// Runs `fn` on the case's inputs cast to `dt` (those named in `grads` requiring grad), then checks the output
// and the gradients of sum(y * gy): finite, in `dt`, and close to PyTorch's.
void check_robust(const std::string& fn_name, ScalarType dt, const std::vector<std::string>& inputs,
                  const std::vector<std::string>& grads, const Fn& fn) {
  const std::string prefix = fn_name + "." + dtype_name(dt) + ".";
  INFO(prefix);
  Inputs in;
  for (const std::string& k : inputs) {
    Tensor t = robust()(prefix + k);
    if (t.is_floating_point()) t = t.to(dt);
    if (std::find(grads.begin(), grads.end(), k) != grads.end()) t.requires_grad_(true);
    in[k] = t;
  }
  const Tensor y = fn(in);
  CHECK(y.dtype() == dt);
  CHECK(isfinite(y).all().item<bool>());
  const Tol tol = tolerance(dt);
  CHECK_CLOSE(y, robust()(prefix + "y"), tol.rtol, tol.atol);
  (y * robust()(prefix + "gy").to(dt)).sum().backward();
  for (const std::string& k : grads) {
    INFO("gradient of " << k);
    const Tensor g = in[k].grad();
    REQUIRE(g.defined());
    CHECK(g.dtype() == dt);
    CHECK(isfinite(g).all().item<bool>());
    CHECK_CLOSE(g, robust()(prefix + "d" + k), tol.rtol, tol.atol);
  }
}

}  // namespace

TEST_CASE("robust numerics: log_softmax at +-1e4", "[numerics]") {
  for (ScalarType dt : kDtypes)
    check_robust("log_softmax", dt, {"x"}, {"x"}, [](Inputs& in) { return log_softmax(in["x"], 1); });
}

TEST_CASE("robust numerics: logsumexp at +-1e4", "[numerics]") {
  for (ScalarType dt : kDtypes)
    check_robust("logsumexp", dt, {"x"}, {"x"}, [](Inputs& in) { return logsumexp(in["x"], {1}); });
}

TEST_CASE("robust numerics: cross_entropy at +-1e4", "[numerics]") {
  for (ScalarType dt : kDtypes)
    check_robust("cross_entropy", dt, {"x", "target"}, {"x"},
                 [](Inputs& in) { return F::cross_entropy(in["x"], in["target"]); });
}

TEST_CASE("robust numerics: sigmoid at +-1e4 and past exp's overflow", "[numerics]") {
  for (ScalarType dt : kDtypes)
    check_robust("sigmoid", dt, {"x"}, {"x"}, [](Inputs& in) { return sigmoid(in["x"]); });
}

TEST_CASE("robust numerics: softplus at +-1e4 and past exp's overflow", "[numerics]") {
  for (ScalarType dt : kDtypes)
    check_robust("softplus", dt, {"x"}, {"x"}, [](Inputs& in) { return F::softplus(in["x"]); });
}

TEST_CASE("robust numerics: binary_cross_entropy_with_logits at +-1e4", "[numerics]") {
  for (ScalarType dt : kDtypes)
    check_robust("binary_cross_entropy_with_logits", dt, {"input", "target"}, {"input"},
                 [](Inputs& in) { return F::binary_cross_entropy_with_logits(in["input"], in["target"]); });
}

TEST_CASE("robust numerics: layer_norm at +-1e4 and near 1e4 with a small spread", "[numerics]") {
  for (ScalarType dt : kDtypes)
    check_robust("layer_norm", dt, {"x", "weight", "bias"}, {"x", "weight", "bias"}, [](Inputs& in) {
      return F::layer_norm(in["x"], F::LayerNormFuncOptions({4}).weight(in["weight"]).bias(in["bias"]));
    });
}
