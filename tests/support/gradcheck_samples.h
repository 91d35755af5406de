// Gradcheck samples for differentiable ops, keyed by op-registry name. Any test file can add samples with
// WICK_GRADCHECK_SAMPLE; tests/autograd/gradcheck_ops_test.cpp checks every sample and fails for any
// differentiable op in the registry that has none.
#pragma once

#include <functional>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include <wick/autograd/gradcheck.h>
#include <wick/wick.h>

namespace wick::testing {

struct GradcheckSample {
  std::function<std::vector<Tensor>()> inputs;   // float64 leaves that require grad
  autograd::DifferentiableFn fn;
  bool second_order = true;                      // also run gradgradcheck
};

inline std::multimap<std::string, GradcheckSample>& gradcheck_samples() {
  static std::multimap<std::string, GradcheckSample> samples;
  return samples;
}

struct RegisterSample {
  RegisterSample(const char* op, GradcheckSample s) { gradcheck_samples().emplace(op, std::move(s)); }
};

// A float64 leaf that requires grad, with deterministic values in [lo, hi].
inline Tensor leaf(IntArrayRef shape, double lo = -1.5, double hi = 1.5, uint64_t seed = 0) {
  const int64_t n = product(shape);
  Tensor t = linspace(lo, hi, n, dtype(kDouble));
  if (seed) {  // a fixed shuffle so neighbouring elements are not monotone
    std::vector<int64_t> perm;
    for (int64_t i = 0; i < n; ++i) perm.push_back((i * 7 + int64_t(seed)) % n);
    if (n > 0 && std::gcd(int64_t(7), n) == 1) t = t.index_select(0, tensor(perm));
  }
  return t.reshape(shape).detach().requires_grad_(true);
}

}  // namespace wick::testing

#define WICK_GRADCHECK_CONCAT2(a, b) a##b
#define WICK_GRADCHECK_CONCAT(a, b) WICK_GRADCHECK_CONCAT2(a, b)
#define WICK_GRADCHECK_SAMPLE(op, ...) \
  static ::wick::testing::RegisterSample WICK_GRADCHECK_CONCAT(wick_sample_, __LINE__)(op, ::wick::testing::GradcheckSample{__VA_ARGS__})
