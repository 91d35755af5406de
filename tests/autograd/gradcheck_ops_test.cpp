// Finite-difference checks (float64) of every differentiable op in the registry, first and second order.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <set>

#include "../support/gradcheck_samples.h"

using namespace wick;
using testing::leaf;
using V = std::vector<Tensor>;

#define SAMPLE1(op, lo, hi, expr)                                                                     \
  WICK_GRADCHECK_SAMPLE(op, [] { return V{leaf({2, 3}, lo, hi, 1)}; }, [](const V& in) { \
    const Tensor& x = in[0];                                                                          \
    return V{expr};                                                                                   \
  })
#define SAMPLE2(op, lo1, hi1, lo2, hi2, expr)                                                              \
  WICK_GRADCHECK_SAMPLE(op, [] { return V{leaf({2, 3}, lo1, hi1), leaf({2, 3}, lo2, hi2, 3)}; }, \
                        [](const V& in) {                                                                  \
                          const Tensor &a = in[0], &b = in[1];                                            \
                          return V{expr};                                                                  \
                        })

namespace {
Tensor mask23() { return tensor({{true, false, true}, {false, false, true}}); }
}  // namespace

// ---- conversion ------------------------------------------------------------------------------------------
SAMPLE1("contiguous", -1, 1, x.t().contiguous() * leaf({3, 2}, 0.5, 2.0).detach());
SAMPLE1("clone", -1, 1, x.clone() * x);
SAMPLE1("to", -1, 1, x.to(kDouble, false, true) * 3);
WICK_GRADCHECK_SAMPLE("copy_", [] { return V{leaf({2, 3}), leaf({3}, 0.5, 1.0)}; }, [](const V& in) {
  Tensor y = in[0] * 2;
  y.copy_(in[1]);  // overwrites y: in[0] gets no gradient through it, in[1] does (broadcast)
  return V{y * y};
});

// ---- unary -----------------------------------------------------------------------------------------------
SAMPLE1("neg", -1, 1, -x);
SAMPLE1("abs", -1.5, 1.5, x.abs());
SAMPLE1("sign", -1.5, 1.5, x.sign() * x);
SAMPLE1("exp", -1, 1, x.exp());
SAMPLE1("log", 0.2, 2, x.log());
SAMPLE1("log1p", -0.5, 2, x.log1p());
SAMPLE1("expm1", -1, 1, x.expm1());
SAMPLE1("sqrt", 0.2, 2, x.sqrt());
SAMPLE1("rsqrt", 0.2, 2, x.rsqrt());
SAMPLE1("reciprocal", 0.3, 2, x.reciprocal());
SAMPLE1("square", -1, 1, x.square());
SAMPLE1("sin", -2, 2, x.sin());
SAMPLE1("cos", -2, 2, x.cos());
SAMPLE1("tanh", -2, 2, x.tanh());
SAMPLE1("sigmoid", -2, 2, x.sigmoid());
SAMPLE1("erf", -2, 2, erf(x));
SAMPLE1("relu", -1.5, 1.5, x.relu());
SAMPLE1("gelu", -2, 2, gelu(x));
SAMPLE1("gelu", -2, 2, gelu(x, "tanh"));
SAMPLE1("silu", -2, 2, silu(x));
SAMPLE1("softplus", -2, 2, softplus(x, 2, 3));
SAMPLE1("leaky_relu", -1.5, 1.5, leaky_relu(x, 0.2));
SAMPLE1("elu", -1.5, 1.5, elu(x, 0.7));
SAMPLE1("hardtanh", -1.5, 1.5, hardtanh(x, -0.7, 0.8) * x);
SAMPLE1("relu6", -1, 7, relu6(x) * x);
SAMPLE1("floor", -1.4, 1.3, x.floor() + x);
SAMPLE1("ceil", -1.4, 1.3, x.ceil() + x);
SAMPLE1("round", -1.4, 1.3, x.round() + x);
SAMPLE1("trunc", -1.4, 1.3, x.trunc() + x);
SAMPLE1("clamp", -1.5, 1.5, x.clamp(-1.0, 1.0) * x);

// ---- binary ----------------------------------------------------------------------------------------------
SAMPLE2("add", -1, 1, -2, 2, a + b * a);
SAMPLE2("add", -1, 1, -2, 2, add(a, b, 2.5));
SAMPLE2("sub", -1, 1, -2, 2, (a - b) * a);
SAMPLE2("mul", -1, 1, -2, 2, a * b);
SAMPLE2("div", -1, 1, 0.5, 2, a / b);
SAMPLE2("remainder", -1.3, 1.4, 0.7, 1.6, remainder(a, b));
SAMPLE2("pow", 0.5, 2, -0.9, 1.6, pow(a, b));  // exponent 0 is a kink of the second derivative, as in PyTorch
SAMPLE1("pow", 0.5, 2, x.pow(3) + x.pow(2.5));
SAMPLE2("maximum", -1, 1, -0.95, 1.05, maximum(a, b));
SAMPLE2("minimum", -1, 1, -0.95, 1.05, minimum(a, b));
SAMPLE2("max", -1, 1, -0.95, 1.05, max(a, b) * a.max(b));  // the elementwise overloads
SAMPLE2("min", -1, 1, -0.95, 1.05, min(a, b) * a.min(b));
SAMPLE2("atan2", -1, 1, 0.5, 2, atan2(a, b));
SAMPLE2("lerp", -1, 1, -2, 2, lerp(a, b, 0.3));
SAMPLE2("where", -1, 1, -2, 2, where(mask23(), a, b * b));
SAMPLE1("masked_fill", -1, 1, x.masked_fill(mask23(), 2.0) * x);
// broadcasting is undone by summing back to each input's shape
WICK_GRADCHECK_SAMPLE("mul", [] { return V{leaf({2, 1, 3}), leaf({4, 1}, 0.5, 1.5)}; },
                      [](const V& in) { return V{in[0] * in[1]}; });

// ---- reductions ------------------------------------------------------------------------------------------
SAMPLE1("sum", -1, 1, x.sum() * x.sum({1}, true));
SAMPLE1("mean", -1, 1, x.mean({0}) * 3);
SAMPLE1("prod", 0.5, 1.5, x.prod(1));
SAMPLE1("prod", -1, 1, x.prod());
WICK_GRADCHECK_SAMPLE("prod", [] { return V{tensor({{0.0, 2.0, 3.0}, {0.0, 0.0, 2.0}}, dtype(kDouble)).requires_grad_(true)}; },
                      [](const V& in) { return V{in[0].prod(1)}; });
SAMPLE1("max", -1, 1, x.max() + std::get<0>(x.max(1)));
SAMPLE1("min", -1, 1, x.min() + std::get<0>(x.min(0)).sum());
SAMPLE1("amax", -1, 1, x.amax({1}));
SAMPLE1("amin", -1, 1, x.amin({0}, true));
SAMPLE1("var", -1, 1, x.var({1}));
SAMPLE1("std", -1, 1, x.std({0}, false));
SAMPLE1("norm", -1, 1, x.norm() + x.norm(1) + x.norm(3, {1}));
SAMPLE1("logsumexp", -2, 2, x.logsumexp({1}));
SAMPLE1("softmax", -2, 2, x.softmax(1) * leaf({2, 3}, 0.1, 0.9, 2).detach());
SAMPLE1("log_softmax", -2, 2, x.log_softmax(0) * leaf({2, 3}, 0.1, 0.9, 2).detach());
SAMPLE1("cumsum", -1, 1, x.cumsum(1) * x.cumsum(0));
SAMPLE1("sort", -1, 1, std::get<0>(x.sort(1)) * std::get<0>(x.sort(0, true)));
SAMPLE1("topk", -1, 1, std::get<0>(x.topk(2, 1)) * std::get<0>(x.topk(1, 0, false)).sum());

// ---- linear algebra --------------------------------------------------------------------------------------
WICK_GRADCHECK_SAMPLE("mm", [] { return V{leaf({2, 3}), leaf({3, 2}, -1, 2)}; },
                      [](const V& in) { return V{in[0].mm(in[1])}; });
WICK_GRADCHECK_SAMPLE("bmm", [] { return V{leaf({2, 2, 3}), leaf({2, 3, 2}, -1, 2)}; },
                      [](const V& in) { return V{in[0].bmm(in[1])}; });
WICK_GRADCHECK_SAMPLE("matmul", [] { return V{leaf({2, 1, 2, 3}), leaf({3, 3, 2}, -1, 2)}; },
                      [](const V& in) { return V{in[0].matmul(in[1])}; });
WICK_GRADCHECK_SAMPLE("matmul", [] { return V{leaf({3}), leaf({2, 3, 2}, -1, 2)}; },
                      [](const V& in) { return V{in[0].matmul(in[1]), in[1].transpose(1, 2).matmul(in[0])}; });
WICK_GRADCHECK_SAMPLE("matmul", [] { return V{leaf({3}), leaf({3}, -1, 2)}; },
                      [](const V& in) { return V{in[0].matmul(in[1])}; });
WICK_GRADCHECK_SAMPLE("addmm", [] { return V{leaf({2}), leaf({2, 3}), leaf({3, 2}, -1, 2)}; },
                      [](const V& in) { return V{addmm(in[0], in[1], in[2], 0.5, 2)}; });
WICK_GRADCHECK_SAMPLE("linear", [] { return V{leaf({4, 3}), leaf({2, 3}, -1, 2), leaf({2}, 0, 1)}; },
                      [](const V& in) { return V{linear(in[0], in[1], in[2])}; });
WICK_GRADCHECK_SAMPLE("outer", [] { return V{leaf({3}), leaf({2}, -1, 2)}; },
                      [](const V& in) { return V{outer(in[0], in[1])}; });
WICK_GRADCHECK_SAMPLE("dot", [] { return V{leaf({3}), leaf({3}, -1, 2)}; },
                      [](const V& in) { return V{dot(in[0], in[1])}; });
// einsum is composed (diagonal, sum, permute, expand, reshape, bmm): three operands, a broadcast ellipsis, a
// repeated subscript and a size-1 dim broadcast against a contracted one.
WICK_GRADCHECK_SAMPLE("einsum", [] { return V{leaf({2, 3}), leaf({2, 3, 2}, -1, 2, 3), leaf({2, 2}, -2, 1, 5)}; },
                      [](const V& in) { return V{einsum("bn,anm,bm->ba", in)}; });
WICK_GRADCHECK_SAMPLE("einsum", [] { return V{leaf({2, 1, 2, 3}, -1, 1, 3), leaf({3, 3, 2}, -1, 2)}; },
                      [](const V& in) { return V{einsum("...ij,...jk->...ik", in)}; });
WICK_GRADCHECK_SAMPLE("einsum", [] { return V{leaf({3, 3, 2}, -1, 1, 2), leaf({2, 2}, -1, 2)}; },
                      [](const V& in) { return V{einsum("iij,jk->ik", in)}; });
WICK_GRADCHECK_SAMPLE("einsum", [] { return V{leaf({2, 1}), leaf({3, 2}, -1, 2, 4)}; },
                      [](const V& in) { return V{einsum("ij,jk->ik", in)}; });

// ---- shape -----------------------------------------------------------------------------------------------
namespace {
Tensor weights(IntArrayRef shape) { return leaf(shape, 0.5, 2.0, 5).detach(); }
}  // namespace
SAMPLE1("view", -1, 1, x.view({3, 2}) * weights({3, 2}));
SAMPLE1("reshape", -1, 1, x.t().reshape({6}) * weights({6}));
SAMPLE1("flatten", -1, 1, x.flatten() * weights({6}));
SAMPLE1("unflatten", -1, 1, x.flatten().unflatten(0, {3, 2}) * weights({3, 2}));
SAMPLE1("squeeze", -1, 1, x.unsqueeze(0).squeeze() * weights({2, 3}));
SAMPLE1("unsqueeze", -1, 1, x.unsqueeze(1) * weights({2, 4, 3}));
SAMPLE1("permute", -1, 1, x.unsqueeze(2).permute({2, 0, 1}) * weights({1, 2, 3}));
SAMPLE1("transpose", -1, 1, x.transpose(0, 1) * weights({3, 2}));
SAMPLE1("t", -1, 1, x.t() * weights({3, 2}));
SAMPLE1("expand", -1, 1, x.unsqueeze(0).expand({4, 2, 3}) * weights({4, 2, 3}));
SAMPLE1("repeat", -1, 1, x.repeat({2, 1, 2}) * weights({2, 2, 6}));
SAMPLE2("cat", -1, 1, -2, 2, cat({a, b * b, a}, 1) * weights({2, 9}));
SAMPLE2("stack", -1, 1, -2, 2, stack({a, b}, 1) * weights({2, 2, 3}));
SAMPLE1("split", -1, 1, x.split(2, 1)[0] * 2 + 0 * x.split(2, 1)[1].sum());
SAMPLE1("chunk", -1, 1, x.chunk(2, 0)[1] * weights({1, 3}));
SAMPLE1("unbind", -1, 1, x.unbind(1)[2] * x.unbind(1)[0]);
SAMPLE1("narrow", -1, 1, x.narrow(1, 1, 2) * weights({2, 2}));
SAMPLE1("select", -1, 1, x.select(1, -1) * weights({2}));
SAMPLE1("slice", -1, 1, x.slice(1, 0, 3, 2) * weights({2, 2}));
SAMPLE1("flip", -1, 1, x.flip({0, 1}) * weights({2, 3}));
SAMPLE1("diagonal", -1, 1, x.diagonal(1) * weights({2}));
WICK_GRADCHECK_SAMPLE("diagonal", [] { return V{leaf({2, 3, 4}, -1, 1, 2)}; }, [](const V& in) {
  const Tensor d = in[0].diagonal(-1, 2, 0);  // [3, 2]: the diagonal of dims (2, 0) below the main one
  return V{d * d * weights({3, 2})};
});
WICK_GRADCHECK_SAMPLE("tril", [] { return V{leaf({3, 3})}; }, [](const V& in) { return V{tril(in[0]) * 2 + triu(in[0], 1)}; });
WICK_GRADCHECK_SAMPLE("triu", [] { return V{leaf({2, 3, 3})}; }, [](const V& in) { return V{triu(in[0], -1)}; });
SAMPLE1("pad", -1, 1, pad(x, {1, 2}, "constant", 0.5) * weights({2, 6}));
SAMPLE1("pad", -1, 1, pad(x, {2, 1}, "reflect") * weights({2, 6}));
SAMPLE1("pad", -1, 1, pad(x, {1, 1, 1, 0}, "replicate") * weights({3, 5}));

// ---- indexing --------------------------------------------------------------------------------------------
SAMPLE1("index", -1, 1, x.index({Slice(), Slice(1, None)}) * weights({2, 2}));
SAMPLE1("index", -1, 1, x.index({tensor({1, 0, 1}), tensor({2, 2, 0})}));
SAMPLE1("index", -1, 1, x.index({x.detach() > 0}));
SAMPLE1("index_select", -1, 1, x.index_select(1, tensor({2, 0, 2})));
SAMPLE2("index_add", -1, 1, -2, 2, a.index_add(1, tensor({0, 2, 0}), b * b));
SAMPLE1("gather", -1, 1, x.gather(1, tensor({{0, 0}, {2, 1}})));
SAMPLE2("scatter", -1, 1, -2, 2, a.scatter(1, tensor({{2, 0}, {1, 0}}), b));
SAMPLE1("scatter", -1, 1, x.scatter(1, tensor({{2, 0}, {1, 0}}), 3.0));
SAMPLE2("scatter_add", -1, 1, -2, 2, a.scatter_add(0, tensor({{1, 0, 1}, {1, 1, 0}}), b));
SAMPLE1("masked_select", -1, 1, masked_select(x, mask23()));

TEST_CASE("gradcheck: every differentiable op in the registry has a sample", "[autograd][gradcheck]") {
  for (const OpInfo& op : op_registry()) {
    if (!op.differentiable) continue;
    INFO("op: " << op.name);
    CHECK(testing::gradcheck_samples().count(op.name) > 0);
  }
}

TEST_CASE("gradcheck: first and second derivatives of every differentiable op", "[autograd][gradcheck]") {
  for (const auto& [name, sample] : testing::gradcheck_samples()) {
    INFO("op: " << name);
    const std::vector<Tensor> inputs = sample.inputs();
    CHECK(autograd::gradcheck(sample.fn, inputs) == "");
    if (sample.second_order) CHECK(autograd::gradgradcheck(sample.fn, inputs) == "");
  }
}

// The profiler's coverage of backward rules, driven by the same samples: a sample's backward pass records its
// outputs' nodes under the names grad_fn() gives them, and no rule the graph does not hold.
TEST_CASE("profiler: each sample's backward records its nodes under their grad_fn names", "[profiler][autograd]") {
  for (const auto& [name, sample] : testing::gradcheck_samples()) {
    INFO("op: " << name);
    const std::vector<Tensor> inputs = sample.inputs();
    const std::vector<Tensor> outputs = sample.fn(inputs);
    std::multiset<std::string> roots;
    Tensor total = zeros({}, kDouble);
    for (const Tensor& out : outputs) {
      if (!out.grad_fn()) continue;
      roots.insert(out.grad_fn()->name());
      total = total + out.sum();
    }
    // Every node the backward pass can reach, by name, leaves' AccumulateGrad nodes aside.
    std::multiset<std::string> graph;
    std::set<uint64_t> seen;
    std::vector<autograd::NodePtr> stack = {total.grad_fn()};
    while (!stack.empty()) {
      const autograd::NodePtr n = stack.back();
      stack.pop_back();
      if (n->sequence_nr() == 0 || !seen.insert(n->sequence_nr()).second) continue;
      graph.insert(n->name());
      for (const autograd::Edge& e : n->next_edges())
        if (e.function) stack.push_back(e.function);
    }
    profiler::Profile prof;
    total.backward();
    prof.stop();
    std::multiset<std::string> ran;
    for (const profiler::Event& e : prof.events())
      if (e.parent < 0 && e.kind == profiler::EventKind::Backward && e.name != "wick::autograd::AccumulateGrad")
        ran.insert(e.name);  // top-level: a checkpoint's rule runs a backward of its own inside
    for (const std::string& r : roots) CHECK(ran.count(r) > 0);
    for (const std::string& r : ran) {
      INFO("backward event " << r);
      CHECK(ran.count(r) <= graph.count(r));
    }
  }
}

TEST_CASE("gradcheck: detects a wrong derivative", "[autograd][gradcheck]") {
  // A deliberately wrong rule (d/dx x^2 = x) must be reported.
  auto wrong = [](const V& in) {
    const Tensor x = in[0];
    Tensor y = (x * x).detach();
    Tensor out = y + 0 * x;  // value x^2, gradient 0: wrong
    return V{out};
  };
  CHECK(autograd::gradcheck(wrong, {leaf({3}, 0.5, 1.5)}) != "");
}

// In-place writes through views (index_put_ with slices) rebase the written tensor's history.
WICK_GRADCHECK_SAMPLE("index_put_", [] { return V{leaf({2, 3}), leaf({2}, 0.5, 1.5)}; }, [](const V& in) {
  Tensor y = in[0] * 2;
  y.index_put_({Slice(), 1}, in[1] * in[1]);
  return V{y * y};
});
// With index tensors: the written elements' gradient goes to the values (broadcast here along the last dim), the
// others' to the old value; also through a view of a non-leaf.
WICK_GRADCHECK_SAMPLE("index_put_", [] { return V{leaf({3, 4, 2}), leaf({1, 2}, 0.5, 1.5)}; }, [](const V& in) {
  Tensor y = in[0] * 2;
  y.index_put_({tensor({int64_t(2), 0, 1}), tensor({int64_t(1), 3, 3})}, in[1] * in[1]);
  Tensor z = in[0] * 3;
  z.index({Slice(1, 3)}).index_put_({tensor({int64_t(0), 1}), Slice(), tensor({int64_t(1)})}, in[1].sum());
  return V{y * y, z.sin()};
});
