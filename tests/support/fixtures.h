// PyTorch reference fixtures (tests/fixtures/ops_*.safetensors, written by tools/gen_fixtures.py, whose
// docstring documents the layout) and tensor comparison with per-dtype tolerances.
//
//   const RefFile f("ops_unary.safetensors");
//   const RunStats s = run_cases(f, reference_ops());   // every case: values, dtypes, gradients, errors
//
// Fixtures are read with wick::load_safetensors; tests/lib/serialize_test.cpp checks that loader on its own.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <wick/wick.h>

#ifndef WICK_FIXTURES_DIR
#define WICK_FIXTURES_DIR "tests/fixtures"
#endif

namespace wick::testing {

// ---- comparison ---------------------------------------------------------------------------------------------
struct Tolerance {
  double rtol = 0, atol = 0;
};
// float64 1e-9/1e-11, float32 1e-5/1e-6, float16 2e-3/1e-3 (one ulp), bfloat16 1.6e-2/1e-2, ints and bool exact.
Tolerance default_tolerance(ScalarType t);
inline Tolerance looser(Tolerance a, Tolerance b) {
  return {a.rtol > b.rtol ? a.rtol : b.rtol, a.atol > b.atol ? a.atol : b.atol};
}

// The elements of any tensor as doubles, read from raw memory (no wick cast kernels involved).
std::vector<double> to_doubles(const Tensor& t);

// "" when `actual` has expected's dtype (if check_dtype) and shape and |a - e| <= atol + rtol * |e| elementwise
// (NaN matches NaN, infinities match themselves); otherwise a message naming the first mismatches.
std::string compare(const Tensor& actual, const Tensor& expected, Tolerance tol, bool check_dtype = true);
// The same at expected's dtype's default_tolerance.
std::string compare(const Tensor& actual, const Tensor& expected);

ScalarType dtype_from_name(const std::string& name);             // "float32", "int64", ... as PyTorch spells them
std::vector<std::string> split(const std::string& s, char sep);  // "" gives no parts

// ---- fixture files ----------------------------------------------------------------------------------------
class RefFile {
 public:
  explicit RefFile(const std::string& file);  // relative to WICK_FIXTURES_DIR
  const std::string& path() const { return path_; }
  bool has(const std::string& key) const { return tensors_.count(key) != 0; }
  Tensor get(const std::string& key) const;  // throws std::runtime_error naming the key when missing
  bool has_meta(const std::string& key) const { return meta_.count(key) != 0; }
  std::string meta(const std::string& key, const std::string& fallback = "") const;
  std::vector<std::string> cases() const { return split(meta("cases"), ','); }
  const TensorDict& tensors() const { return tensors_; }

 private:
  std::string path_;
  TensorDict tensors_;
  std::map<std::string, std::string> meta_;
};

// A case's "k=v;k=v" arguments.
class Args {
 public:
  Args() = default;
  explicit Args(const std::string& text);
  bool has(const std::string& key) const { return values_.count(key) != 0; }
  bool is_none(const std::string& key) const { return !has(key) || values_.at(key) == "None"; }
  const std::string& str(const std::string& key) const;
  int64_t i(const std::string& key) const;
  double d(const std::string& key) const;
  bool b(const std::string& key, bool fallback = false) const;
  Scalar scalar(const std::string& key) const;  // bool, int or float, as the Python value was
  std::optional<Scalar> opt_scalar(const std::string& key) const;
  std::vector<int64_t> ints(const std::string& key) const;
  std::optional<ScalarType> dtype(const std::string& key) const;
  std::string describe() const;

 private:
  std::map<std::string, std::string> values_;
};

// The fixture's view language ("T", "step2", "perm:..", "expand:..", "slice:d,a,b,s") and generated inputs
// ("wave:<shape>:<dtype>:<seed>:<lo>:<hi>"), as tools/gen_fixtures.py defines them.
Tensor apply_view(Tensor t, const std::string& spec);
Tensor generate_input(const std::string& spec);

// ---- running cases ----------------------------------------------------------------------------------------
using OpFn = std::function<std::vector<Tensor>(const std::vector<Tensor>& inputs, const Args& args)>;
using OpTable = std::map<std::string, OpFn>;

// Every op of the op fixtures (ops_unary/binary/reduce/linalg/promotion/shape, and ops_einsum from
// tools/gen_einsum_fixtures.py), by the generators' names.
const OpTable& reference_ops();

struct RunOptions {
  // Build gradients with create_graph=true: the differentiable (composed) form of each backward rule runs.
  bool create_graph = false;
  // Where the inputs live (outputs and gradients are compared on the host).
  Device device = kCPU;
  // Only cases for which this returns true (all when empty).
  std::function<bool(const std::string& name)> filter;
};

struct RunStats {
  int cases = 0, errors = 0, grads = 0, hvps = 0, sampled = 0, known = 0;
  std::set<std::string> ops;  // ops exercised
};

// Cases where wick knowingly differs from PyTorch 1.13, with the reason: they WARN instead of failing, and
// fail once they match (so the list stays true). Everything else that differs fails.
const std::map<std::string, std::string>& known_deviations();

// Runs one case with Catch2 CHECKs: output dtypes/shapes/values, gradients (and Hessian-vector products)
// against PyTorch, or that wick throws wick::Error where PyTorch rejects the call.
void run_case(const RefFile& f, const std::string& name, const OpTable& ops, const RunOptions& options,
              RunStats& stats);
// All cases of a file; an op missing from `ops` fails the test (no case is skipped silently).
RunStats run_cases(const RefFile& f, const OpTable& ops, const RunOptions& options = {});

}  // namespace wick::testing

// The assertions every test uses for tensors, instead of wick::allclose (which is code under test, broadcasts and
// ignores dtypes): dtype, shape and values compared through raw memory, mismatches in the message.
// CHECK_TENSOR(actual, expected, tolerance); CHECK_TENSOR_CLOSE(actual, expected) at expected's dtype's
// default tolerance; REQUIRE_TENSOR_CLOSE stops the case.
#define CHECK_TENSOR(actual, expected, tolerance)                                              \
  do {                                                                                         \
    const std::string wick_msg_ = ::wick::testing::compare((actual), (expected), (tolerance)); \
    INFO(#actual << ": " << wick_msg_);                                                        \
    CHECK(wick_msg_.empty());                                                                  \
  } while (0)
#define CHECK_TENSOR_CLOSE(actual, expected)                                      \
  do {                                                                            \
    const std::string wick_msg_ = ::wick::testing::compare((actual), (expected)); \
    INFO(#actual << ": " << wick_msg_);                                           \
    CHECK(wick_msg_.empty());                                                     \
  } while (0)
#define REQUIRE_TENSOR_CLOSE(actual, expected)                                    \
  do {                                                                            \
    const std::string wick_msg_ = ::wick::testing::compare((actual), (expected)); \
    INFO(#actual << ": " << wick_msg_);                                           \
    REQUIRE(wick_msg_.empty());                                                   \
  } while (0)
