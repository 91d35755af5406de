// Reads the PyTorch reference files written by tools/gen_nn_fixtures.py through wick::load_safetensors (which
// tests/lib/serialize_test.cpp checks on its own, against files PyTorch wrote).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <wick/wick.h>

#include "../support/fixtures.h"

#ifndef WICK_FIXTURES_DIR
#define WICK_FIXTURES_DIR "tests/fixtures"
#endif

namespace wick::testing {

class Fixture {
 public:
  explicit Fixture(const std::string& file) : path_(std::string(WICK_FIXTURES_DIR) + "/" + file) {
    tensors_ = load_safetensors(path_);
    metadata_ = load_safetensors_metadata(path_);
  }

  // A fresh copy of the tensor stored under `key` (float64 / int64 / bool as stored): tests mark it as
  // requiring grad or edit it, which must not leak into the next case.
  Tensor operator()(const std::string& key) const {
    auto it = tensors_.find(key);
    if (it == tensors_.end()) throw std::runtime_error("fixture " + path_ + " has no tensor '" + key + "'");
    return it->second.clone();
  }
  bool has(const std::string& key) const { return tensors_.count(key) != 0; }
  std::string meta(const std::string& key) const {
    auto it = metadata_.find(key);
    return it == metadata_.end() ? std::string() : it->second;
  }
  std::vector<std::string> keys() const {
    std::vector<std::string> k;
    for (const auto& e : tensors_) k.push_back(e.first);
    return k;
  }

 private:
  std::string path_;
  TensorDict tensors_;
  std::map<std::string, std::string> metadata_;
};

// Largest |a - b| (after casting both to float64), for messages.
inline double max_abs_diff(const Tensor& a, const Tensor& b) {
  if (a.sizes() != b.sizes()) return INFINITY;
  if (a.numel() == 0) return 0;
  return (a.to(kDouble) - b.to(kDouble)).abs().max().item<double>();
}

// a ~ b elementwise within atol + rtol * |b|, shapes equal, NaN where the other has NaN (PyTorch gives NaN
// gradients in a few places, e.g. d/dtarget of kl_div at a target of 0).
// Read through raw memory (compare), not wick::allclose, which is code under test. Dtypes may differ: the cases
// run in float32 and float64 against one float64 reference.
inline bool close(const Tensor& a, const Tensor& b, double rtol, double atol) {
  if (!a.defined() || !b.defined()) return false;
  return compare(a, b, Tolerance{rtol, atol}, /*check_dtype=*/false).empty();
}

}  // namespace wick::testing

// CHECK_CLOSE(actual, expected, rtol, atol) with shapes and the largest difference in the message.
#define CHECK_CLOSE(actual, expected, rtol, atol)                                                             \
  do {                                                                                                        \
    const ::wick::Tensor wick_a_ = (actual), wick_e_ = (expected);                                            \
    INFO(#actual << " " << ::wick::shape_str(wick_a_.sizes()) << " vs " << ::wick::shape_str(wick_e_.sizes()) \
                 << ", max |diff| = " << ::wick::testing::max_abs_diff(wick_a_, wick_e_));                    \
    CHECK(::wick::testing::close(wick_a_, wick_e_, rtol, atol));                                              \
  } while (0)

namespace wick::testing {

using Inputs = std::map<std::string, Tensor>;

// Runs `fn` on the case's named inputs (floating ones cast to `dt` and requiring grad) and compares its output
// with "<case>.y" and, when the case has an upstream gradient "<case>.gy", the gradients of sum(y * gy) with
// "<case>.d<name>". Returns the inputs (with their .grad()) for further checks.
template <class Fn>
Inputs check_case(const Fixture& f, const std::string& name, const std::vector<std::string>& inputs, Fn&& fn,
                  ScalarType dt = kDouble, double rtol = 1e-9, double atol = 1e-10) {
  INFO("case " << name << " in " << dtype_name(dt));
  Inputs in;
  for (const std::string& k : inputs) {
    Tensor t = f(name + "." + k);
    if (t.is_floating_point()) t = t.to(dt).requires_grad_(true);
    in[k] = t;
  }
  const Tensor y = fn(in);
  CHECK_CLOSE(y, f(name + ".y"), rtol, atol);
  if (f.has(name + ".gy")) {
    // PyTorch's output had gradients: an output that stopped requiring grad is a failure, not a skip.
    INFO("the output must require grad, as PyTorch's did");
    REQUIRE(y.requires_grad());
    (y * f(name + ".gy").to(y.dtype())).sum().backward();
    for (const std::string& k : inputs) {
      if (!f.has(name + ".d" + k)) continue;
      INFO("gradient of " << k);
      CHECK_CLOSE(in[k].grad(), f(name + ".d" + k), rtol, atol);
    }
  }
  return in;
}

// Loads "<case>.param.<name>" into each parameter of the module (converted to float64), after checking that the
// module's parameter names and their order are the case's ("<case>.keys" in the metadata).
inline void load_parameters(const Fixture& f, const std::string& c, nn::Module& module) {
  module.to(kDouble);
  std::string keys;
  for (const auto& p : module.named_parameters()) keys += (keys.empty() ? "" : ",") + p.key();
  CHECK(keys == f.meta(c + ".keys"));
  NoGradGuard no_grad;
  for (const auto& p : module.named_parameters()) {
    INFO("parameter " << p.key());
    REQUIRE(p.value().sizes() == f(c + ".param." + p.key()).sizes());
    Tensor(p.value()).copy_(f(c + ".param." + p.key()));
  }
}

// Compares each output with "<case>.<name>", then the gradients of sum(output * "<case>.g<name>") with
// "<case>.d<input>" for every input that requires grad and "<case>.grad.<name>" for every parameter.
inline void compare_with_gradients(const Fixture& f, const std::string& c, const std::map<std::string, Tensor>& out,
                                   const Inputs& in, nn::Module& module) {
  Tensor loss = zeros({}, dtype(kDouble));
  for (const auto& [name, y] : out) {
    INFO("output " << name);
    CHECK_CLOSE(y, f(c + "." + name), 1e-9, 1e-10);
    loss = loss + (y * f(c + ".g" + name)).sum();
  }
  loss.backward();
  for (const auto& [name, t] : in) {
    if (!f.has(c + ".d" + name)) continue;  // PyTorch had no gradient for it either (e.g. integer targets)
    INFO("gradient of " << name);
    CHECK(t.requires_grad());
    CHECK_CLOSE(t.grad(), f(c + ".d" + name), 1e-9, 1e-10);
  }
  for (const auto& p : module.named_parameters()) {
    INFO("gradient of " << p.key());
    CHECK_CLOSE(p.value().grad(), f(c + ".grad." + p.key()), 1e-9, 1e-10);
  }
}

}  // namespace wick::testing
