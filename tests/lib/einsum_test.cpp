// einsum and diagonal against PyTorch (tests/fixtures/ops_einsum.safetensors, written by
// tools/gen_einsum_fixtures.py): every part of the equation syntax, diagonals at either offset and on permuted dims,
// with values, dtypes and gradients; the products run through bmm; diagonal is a view of its input; each malformed
// equation or bad dim throws wick::Error naming the op and the offending part. The finite-difference gradchecks of
// both ops are with every other op's, in tests/autograd/gradcheck_ops_test.cpp.
#include <algorithm>
#include <functional>
#include <set>

#include <catch2/catch.hpp>
#include <wick/autograd/node.h>
#include <wick/cuda.h>
#include <wick/wick.h>

#include "../support/fixtures.h"
#include "../support/skip.h"

using namespace wick;
using namespace wick::testing;

namespace {

const char* const kFile = "ops_einsum.safetensors";

RunOptions only(const std::string& prefix, bool create_graph = false) {
  RunOptions o;
  o.create_graph = create_graph;
  o.filter = [prefix](const std::string& name) { return name.rfind(prefix, 0) == 0; };
  return o;
}

// The names of every node the output's graph reaches.
std::multiset<std::string> graph_nodes(const Tensor& out) {
  std::multiset<std::string> names;
  std::vector<autograd::NodePtr> todo = {out.grad_fn()}, seen;
  while (!todo.empty()) {
    autograd::NodePtr n = todo.back();
    todo.pop_back();
    if (!n || std::find(seen.begin(), seen.end(), n) != seen.end()) continue;
    seen.push_back(n);
    names.insert(n->name());
    for (const autograd::Edge& e : n->next_edges()) todo.push_back(e.function);
  }
  return names;
}

// Runs the cases of one op, then again with gradients built with create_graph=true (the differentiable form of
// each backward rule), and checks that the file still holds at least as many cases as it was written with.
void check_against_pytorch(const std::string& op, int min_cases, int min_grads, int min_errors) {
  const RefFile f(kFile);
  const RunStats s = run_cases(f, reference_ops(), only(op + "."));
  CHECK(s.ops == std::set<std::string>{op});
  CHECK(s.cases - s.errors >= min_cases);
  CHECK(s.grads >= min_grads);
  CHECK(s.errors >= min_errors);
  CHECK(run_cases(f, reference_ops(), only(op + ".", true)).grads >= min_grads);
}

}  // namespace

TEST_CASE("einsum: every equation matches PyTorch, values, dtypes and gradients", "[einsum][reference]") {
  check_against_pytorch("einsum", 50, 50, 15);
}

TEST_CASE("diagonal: offsets, dims and dtypes match PyTorch", "[diagonal][reference]") {
  check_against_pytorch("diagonal", 18, 16, 4);
}

TEST_CASE("einsum: ops_einsum cases on CUDA, values and gradients", "[cuda_reference]") {
  WICK_REQUIRE_CUDA();
  RunOptions o;
  o.device = kCUDA;
  const RefFile f(kFile);
  CHECK(run_cases(f, reference_ops(), o).cases == int(f.cases().size()));
}

TEST_CASE("einsum: float32 agrees with the products it stands for", "[einsum]") {
  manual_seed(3);
  const Tensor a = randn({2, 3, 4}), b = randn({2, 4, 5}), m = randn({4, 4});
  const Tensor out = einsum("bij,bjk->bik", {a, b});
  CHECK(out.dtype() == kFloat);
  CHECK_TENSOR(out, bmm(a, b), (Tolerance{1e-6, 1e-6}));
  CHECK_TENSOR(einsum("ii", {m}), m.diagonal().sum(), (Tolerance{1e-6, 1e-6}));
  CHECK_TENSOR(einsum("ij->ji", {m}), m.t(), (Tolerance{0, 0}));
}

TEST_CASE("einsum: products run through bmm, not elementwise loops", "[einsum][autograd]") {
  const Tensor a = randn({3, 4}, requires_grad()), b = randn({4, 5}, requires_grad()),
               c = randn({5, 2}, requires_grad());
  const std::multiset<std::string> pair = graph_nodes(einsum("ij,jk->ik", {a, b}));
  CHECK(pair.count("BmmBackward0") == 1);
  CHECK(pair.count("MulBackward0") == 0);
  CHECK(graph_nodes(einsum("ij,jk,kl->il", {a, b, c})).count("BmmBackward0") == 2);
  // A repeated subscript is a diagonal view.
  CHECK(graph_nodes(einsum("ii->i", {randn({3, 3}, requires_grad())})).count("DiagonalBackward0") == 1);
}

TEST_CASE("diagonal: a view that shares its input's storage", "[diagonal]") {
  Tensor x = zeros({3, 4});
  Tensor d = x.diagonal(1);
  CHECK(d.sizes() == IntArrayRef({3}));
  CHECK(d.strides() == IntArrayRef({5}));
  CHECK(d.data_ptr() == static_cast<char*>(x.data_ptr()) + sizeof(float));
  d.fill_(7);  // writes x[0][1], x[1][2], x[2][3]
  CHECK_TENSOR(x, tensor({{0.f, 7.f, 0.f, 0.f}, {0.f, 0.f, 7.f, 0.f}, {0.f, 0.f, 0.f, 7.f}}), (Tolerance{0, 0}));
  x.fill_(1);
  CHECK(d.sum().item<float>() == 3);
  // A view of a view: the diagonal of a transposed 3-D tensor still reaches the base.
  Tensor y = zeros({2, 3, 3});
  y.transpose(0, 2).diagonal(0, 0, 1).fill_(5);  // y[k][i][i] for every k and i
  CHECK(y.sum().item<float>() == 2 * 3 * 5);
  CHECK(y.index({1, 2, 2}).item<float>() == 5);
  CHECK(y.index({0, 2, 1}).item<float>() == 0);
}

TEST_CASE("diagonal: in-place writes through it are differentiated and checked", "[diagonal][autograd]") {
  const Tensor x = ones({3, 3}, requires_grad());
  Tensor y = x * 1;
  y.diagonal().mul_(4);  // y's history now passes through the write
  y.sum().backward();
  CHECK_TENSOR(x.grad(), tensor({{4.f, 1.f, 1.f}, {1.f, 4.f, 1.f}, {1.f, 1.f, 4.f}}), (Tolerance{0, 0}));

  // A diagonal saved for backward, then changed in place through its base: backward refuses.
  Tensor z = x * 2;
  const Tensor d = z.diagonal();
  const Tensor loss = (d * d).sum();
  z.add_(1);
  CHECK_THROWS_AS(loss.backward(), Error);
}

TEST_CASE("diagonal: backward puts the gradient on the diagonal and differentiates again", "[diagonal][autograd]") {
  const Tensor x = arange(12, dtype(kDouble)).reshape({3, 4}).requires_grad_(true);
  const Tensor d = x.diagonal(-1);  // x[1][0], x[2][1]
  CHECK(d.grad_fn_name() == "DiagonalBackward0");
  const Tensor g = autograd::grad({(d * d).sum()}, {x}, {}, true, true)[0];
  CHECK(g.grad_fn_name() == "DiagonalBackwardBackward0");
  CHECK_TENSOR(g, tensor({{0., 0., 0., 0.}, {8., 0., 0., 0.}, {0., 18., 0., 0.}}, dtype(kDouble)), (Tolerance{0, 0}));
  const Tensor gg = autograd::grad({g.sum()}, {x})[0];  // d/dx sum(2 x_diag) = 2 on the diagonal
  CHECK_TENSOR(gg, tensor({{0., 0., 0., 0.}, {2., 0., 0., 0.}, {0., 2., 0., 0.}}, dtype(kDouble)), (Tolerance{0, 0}));
}

TEST_CASE("diagonal: bad dims throw wick::Error naming diagonal and the dims", "[diagonal][errors]") {
  const Tensor x = ones({2, 3, 4});
  CHECK_THROWS_WITH(x.diagonal(0, 1, 1),
                    Catch::Contains("wick::diagonal") && Catch::Contains("dim1 (1)") && Catch::Contains("dim2 (1)"));
  CHECK_THROWS_WITH(x.diagonal(0, 2, -1), Catch::Contains("wick::diagonal") && Catch::Contains("same dim 2"));
  CHECK_THROWS_WITH(x.diagonal(0, 0, 3), Catch::Contains("wick::diagonal") && Catch::Contains("dim 3"));
  CHECK_THROWS_WITH(x.diagonal(0, -4, 1), Catch::Contains("wick::diagonal") && Catch::Contains("dim -4"));
  CHECK_THROWS_WITH(ones({4}).diagonal(), Catch::Contains("wick::diagonal") && Catch::Contains("[4]"));
}

TEST_CASE("einsum: each malformed equation throws wick::Error naming einsum and the offending part",
          "[einsum][errors]") {
  const Tensor a = ones({3, 4}), b = ones({4, 5}), c = ones({5, 2});
  using Catch::Contains;
  auto fails_with = [](std::function<void()> call, const std::vector<std::string>& parts) {
    try {
      call();
      FAIL_CHECK("no error");
    } catch (const Error& e) {
      const std::string what = e.what();
      INFO(what);
      CHECK(what.rfind("wick::einsum: ", 0) == 0);
      for (const std::string& p : parts) CHECK(what.find(p) != std::string::npos);
    }
  };
  fails_with([&] { einsum("ij,jk->ik", {a}); }, {"2 operands", "1 tensor was given"});
  fails_with([&] { einsum("ij,jk->ik", {a, b, c}); }, {"2 operands", "3 tensors were given"});
  fails_with([&] { einsum("ijk,jk->ik", {a, b}); }, {"operand 0", "[3, 4]", "\"ijk\"", "name 3"});
  fails_with([&] { einsum("ij,j->i", {a, b}); }, {"operand 1", "[4, 5]", "\"j\"", "name 1"});
  fails_with([&] { einsum("...ijk", {a}); }, {"operand 0", "at least 3"});
  fails_with([&] { einsum("i#,jk->ik", {a, b}); }, {"invalid character '#'", "index 1"});
  fails_with([&] { einsum("ij,jk=>ik", {a, b}); }, {"invalid character '='"});
  fails_with([&] { einsum("ij,jk->iz", {a, b}); }, {"output subscript 'z'", "does not appear"});
  fails_with([&] { einsum("ij,jk->ii", {a, b}); }, {"output subscript 'i'", "more than once"});
  fails_with(
      [&] {
        einsum("ij,jk->ik", {a, ones({5, 2})});
      },
      {"subscript 'j'", "size 4 in operand 0", "size 5 in operand 1"});
  fails_with([&] { einsum("...ij,...jk->...ik", {ones({2, 3, 4}), ones({3, 4, 5})}); }, {"'...'", "size 2", "size 3"});
  fails_with([&] { einsum("...i...,i->i", {ones({2, 3, 4}), ones({4})}); }, {"operand 0", "more than one ellipsis"});
  fails_with([&] { einsum("...i->......i", {a}); }, {"the output", "more than one ellipsis"});
  fails_with([&] { einsum("i.j", {a}); }, {"'.' at index 1", "not part of an ellipsis"});
  fails_with([&] { einsum("ii->i", {a}); }, {"subscript 'i' is repeated", "sizes 3 and 4"});
  fails_with([&] { einsum("ij", {}); }, {"at least one operand"});
  fails_with([&] { einsum("ij,jk", {a, Tensor()}); }, {"operand 1", "undefined"});
  fails_with([&] { einsum("ij,jk", {a, ones({4, 5}, dtype(kDouble))}); }, {"float32", "float64", "operand 1"});
  fails_with([&] { einsum("ij->ji", {ones({2, 2}, dtype(kInt64))}); }, {"floating point", "int64"});
}
