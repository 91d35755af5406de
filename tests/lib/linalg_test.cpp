// Matrix products against PyTorch (tests/fixtures/ops_linalg.safetensors, written by tools/gen_fixtures.py):
// matmul in its 1-D, 2-D, batched and broadcast-batch forms, mm, bmm, addmm (beta/alpha), linear, outer and
// dot, on transposed, expanded and strided operands, empty dims and a large (threaded, oneDNN) product, with
// gradients; shape and dtype mismatches throw wick::Error.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include "../support/fixtures.h"

using namespace wick;
using namespace wick::testing;

TEST_CASE("linalg: matrix products match PyTorch", "[linalg][matmul][reference]") {
  const RefFile f("ops_linalg.safetensors");
  const RunStats s = run_cases(f, reference_ops());
  CHECK(s.cases == int(f.cases().size()));
  CHECK(s.cases > 50);
  CHECK(s.grads > 35);
  CHECK(s.errors >= 9);
  for (const char* op : {"matmul", "mm", "bmm", "addmm", "linear", "outer", "dot"}) CHECK(s.ops.count(op) == 1);
}

TEST_CASE("linalg: gradients built with create_graph=true match PyTorch too", "[linalg][reference][autograd]") {
  const RefFile f("ops_linalg.safetensors");
  RunOptions o;
  o.create_graph = true;
  o.filter = [&](const std::string& name) { return !f.meta(name + ".grad").empty(); };
  CHECK(run_cases(f, reference_ops(), o).grads > 35);
}

TEST_CASE("linalg: error messages name the op and both shapes", "[linalg][errors]") {
  CHECK_THROWS_WITH(matmul(ones({64, 784}), ones({100, 10})),
                    Catch::Contains("matmul") && Catch::Contains("[64, 784]") && Catch::Contains("[100, 10]"));
  CHECK_THROWS_WITH(mm(ones({2, 3}), ones({4, 5})), Catch::Contains("mm") && Catch::Contains("[4, 5]"));
  CHECK_THROWS_WITH(bmm(ones({2, 3, 4}), ones({3, 4, 5})), Catch::Contains("bmm") && Catch::Contains("[3, 4, 5]"));
  CHECK_THROWS_WITH(linear(ones({4, 6}), ones({3, 5})), Catch::Contains("linear") && Catch::Contains("[3, 5]"));
}
