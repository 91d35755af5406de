// Shape, indexing, creation, conversion and random ops against PyTorch (tests/fixtures/ops_shape.safetensors,
// written by tools/gen_fixtures.py): views and reshapes, cat/stack/split/chunk/unbind, repeat/flip/tril/triu/pad,
// index/index_put_/index_select/index_add/gather/scatter/scatter_add/masked_select/nonzero, the factories,
// to/copy_/clone/contiguous, with values, result dtypes and gradients, on float64, integer and bool inputs,
// transposed and strided views, negative dims, empty tensors and the edge cases PyTorch defines.
#include <catch2/catch.hpp>
#include <wick/cuda.h>
#include <wick/wick.h>

#include "../support/fixtures.h"
#include "../support/skip.h"

using namespace wick;
using namespace wick::testing;

namespace {

const char* const kFile = "ops_shape.safetensors";

// Registry ops of these kinds that ops_shape leaves to another fixture, with where they are checked.
const std::map<std::string, std::string>& covered_elsewhere() {
  static const std::map<std::string, std::string> list = {
      {"diagonal", "ops_einsum.safetensors (tools/gen_einsum_fixtures.py), tests/lib/einsum_test.cpp"},
      {"upsample_nearest2d", "resampling: nn_pool.safetensors (F.interpolate cases), tests/nn/pool_test.cpp"},
      {"upsample_bilinear2d", "resampling: nn_pool.safetensors (F.interpolate cases), tests/nn/pool_test.cpp"},
      {"upsample_nearest3d", "resampling: nn_volumetric.safetensors (F.interpolate cases), tests/nn/volumetric_test.cpp"},
      {"upsample_trilinear3d",
       "resampling: nn_volumetric.safetensors (F.interpolate cases), tests/nn/volumetric_test.cpp"},
  };
  return list;
}

bool guarded_kind(OpKind k) {
  return k == OpKind::Creation || k == OpKind::Shape || k == OpKind::Indexing || k == OpKind::Random ||
         k == OpKind::Conversion;
}

}  // namespace

TEST_CASE("shape: views, joins, indexing, factories, conversions and random draws match PyTorch",
          "[shape][reference]") {
  const RefFile f(kFile);
  const RunStats s = run_cases(f, reference_ops());
  CHECK(s.cases == int(f.cases().size()));
  CHECK(s.cases > 400);
  CHECK(s.grads > 150);
  CHECK(s.errors >= 40);
}

TEST_CASE("shape: gradients built with create_graph=true match PyTorch too", "[shape][reference][autograd]") {
  const RefFile f(kFile);
  RunOptions o;
  o.create_graph = true;
  o.filter = [&](const std::string& name) { return !f.meta(name + ".grad").empty(); };
  CHECK(run_cases(f, reference_ops(), o).grads > 150);
}

TEST_CASE("shape: the fixtures cover every creation, shape, indexing, random and conversion op of the registry",
          "[shape][reference]") {
  // Random ops are covered by what does not depend on the generator (range, dtype, shape, a permutation's
  // every index once, bernoulli of p = 0 or 1): their draws cannot match PyTorch's.
  const RefFile f(kFile);
  std::set<std::string> covered;
  for (const std::string& name : f.cases()) covered.insert(f.meta(name + ".op"));
  for (const OpInfo& op : op_registry()) {
    if (!guarded_kind(op.kind)) continue;
    auto elsewhere = covered_elsewhere().find(op.name);
    if (elsewhere != covered_elsewhere().end()) {
      INFO("op " << op.name << " is listed as covered elsewhere (" << elsewhere->second
                 << ") but has cases in ops_shape: drop it from covered_elsewhere()");
      CHECK(covered.count(op.name) == 0);
      continue;
    }
    INFO("op " << op.name << " has no case in ops_shape (add one to gen_shape() in tools/gen_fixtures.py)");
    CHECK(covered.count(op.name) == 1);
  }
  for (const auto& [name, why] : covered_elsewhere()) {
    INFO(name << " (" << why << ")");
    const OpInfo* op = find_op(name);
    REQUIRE(op != nullptr);
    CHECK(guarded_kind(op->kind));
  }
}

TEST_CASE("shape: the fixtures exercise float64, integer and bool inputs and non-contiguous views",
          "[shape][reference]") {
  // The coverage the generator promises, so that a trimmed generator cannot silently drop it.
  const RefFile f(kFile);
  std::map<std::string, std::set<ScalarType>> dtypes;
  std::set<std::string> viewed;
  for (const std::string& name : f.cases()) {
    const std::string op = f.meta(name + ".op");
    for (const std::string& k : split(f.meta(name + ".inputs"), ',')) {
      if (f.has_meta(name + ".view." + k)) viewed.insert(op);
      if (k == "x" || k == "a") dtypes[op].insert(f.get(name + ".in." + k).dtype());
    }
  }
  for (const char* op :
       {"view",   "reshape", "flatten",      "squeeze",       "unsqueeze", "permute", "transpose", "t",    "expand",
        "narrow", "select",  "slice",        "repeat",        "split",     "chunk",   "unbind",    "flip", "tril",
        "triu",   "gather",  "index_select", "masked_select", "nonzero",   "cat",     "index",     "pad"}) {
    INFO("op " << op);
    CHECK(dtypes[op].count(kDouble) == 1);
    CHECK((dtypes[op].count(kInt64) + dtypes[op].count(kInt32)) >= 1);
    CHECK(dtypes[op].count(kBool) == 1);
    CHECK(viewed.count(op) == 1);
  }
}

TEST_CASE("shape: ops_shape cases on CUDA, values and gradients", "[cuda_reference]") {
  // The same PyTorch (CPU) references judge the CUDA backend; factories and random draws run where they
  // always do (their cases take no input tensor).
  WICK_REQUIRE_CUDA();
  RunOptions o;
  o.device = kCUDA;
  const RefFile f(kFile);
  CHECK(run_cases(f, reference_ops(), o).cases == int(f.cases().size()));
}
