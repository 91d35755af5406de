// Gradients of composite expressions against torch.autograd (tests/fixtures/ops_composite.safetensors,
// written by tools/gen_fixtures.py): MLP + cross-entropy, attention, layer-norm-like chains, broadcasting
// with logsumexp, tensors reused several times, norms and amax, batched matmul with prod, softmax with a
// dtype, non-contiguous inputs, max/min with dims... Values, first-order gradients and, where stored,
// Hessian-vector products (create_graph=true twice over).
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <cmath>

#include "../support/fixtures.h"

using namespace wick;
using namespace wick::testing;

namespace {

using V = std::vector<Tensor>;

// The same expressions as gen_composite() in tools/gen_fixtures.py, input for input.
const OpTable& composites() {
  static const OpTable table = [] {
    OpTable t;
    auto mlp_ce = [](const V& in, const Args&) {
      const Tensor h = tanh(linear(in[0], in[1], in[2]));
      const Tensor logits = linear(h, in[3], in[4]);
      return V{-(log_softmax(logits, 1) * in[5]).sum({1}).mean()};
    };
    t["mlp_ce"] = mlp_ce;
    t["mlp_ce_f32"] = mlp_ce;
    t["attention"] = [](const V& in, const Args&) {
      const Tensor s = matmul(in[0], in[1].transpose(-1, -2)) / std::sqrt(double(in[0].size(-1)));
      return V{matmul(softmax(s, -1), in[2])};
    };
    t["layernorm"] = [](const V& in, const Args&) {
      const Tensor& x = in[0];
      const Tensor mu = x.mean({1}, true);
      const Tensor v = x.var({1}, false, true);
      const Tensor y = (x - mu) / sqrt(v + 1e-5);
      return V{(y * y * in[1]).sum()};
    };
    t["bcast_logsumexp"] = [](const V& in, const Args&) { return V{(in[0] * in[1] + in[2]).logsumexp({-1})}; };
    t["reuse"] = [](const V& in, const Args&) {
      const Tensor& x = in[0];
      return V{x * x + sin(x) * x - exp(x / 3)};
    };
    t["norm_amax"] = [](const V& in, const Args&) {
      const Tensor& x = in[0];
      return V{norm(x, 2, {2}) + x.amax({1}).sum({-1}, true)};
    };
    t["matmul_bcast_prod"] = [](const V& in, const Args&) { return V{matmul(in[0], in[1]).prod(-1).mean()}; };
    t["softmax_dtype_mix"] = [](const V& in, const Args&) {
      return V{(softmax(in[0], 1, kDouble) * log_softmax(in[0], 0, kDouble)).sum()};
    };
    t["noncontig_relu_std"] = [](const V& in, const Args&) { return V{relu(matmul(in[0].t(), in[1])).std({0})}; };
    t["var_div_std"] = [](const V& in, const Args&) {
      const Tensor& x = in[0];
      return V{x.var({0}) / (x.std({1}).sum() + 1)};
    };
    t["pow_where_clamp"] = [](const V& in, const Args&) {
      const Tensor& x = in[0];
      return V{where(x > 1, x.pow(2.5), x.sqrt()) * clamp(x, 0.5, 2)};
    };
    t["addmm_bce"] = [](const V& in, const Args&) {
      const Tensor p = sigmoid(addmm(in[0], in[1], in[2], 0.5, 2.0));
      const Tensor& target = in[3];
      return V{-(target * log(p) + (1 - target) * log(1 - p)).mean()};
    };
    t["max_min_dims"] = [](const V& in, const Args&) {
      const Tensor& x = in[0];
      return V{std::get<0>(max(x, 1)).sum() * std::get<0>(min(x, 0))};
    };
    t["mse_l2"] = [](const V& in, const Args&) {
      const Tensor pred = matmul(in[0], in[1]).squeeze(-1);
      return V{(pred - in[2]).pow(2).mean() + (in[1] * in[1]).sum() * 0.1};
    };
    t["activations_mix"] = [](const V& in, const Args&) {
      const Tensor& x = in[0];
      return V{(gelu(x) * silu(x.flip({0})) + softplus(x) - elu(x)).sum({0})};
    };
    t["div_rsqrt_atan2"] = [](const V& in, const Args&) {
      const Tensor &a = in[0], &b = in[1];
      return V{(a / (b * b + 1) - rsqrt(b * b + 0.5) + atan2(a, b + 3)).sum({1})};
    };
    return t;
  }();
  return table;
}

}  // namespace

TEST_CASE("reference gradients: composite expressions match torch.autograd", "[autograd][reference]") {
  const RefFile f("ops_composite.safetensors");
  const RunStats s = run_cases(f, composites());
  CHECK(s.cases == int(f.cases().size()));
  CHECK(s.cases >= 17);
  CHECK(s.grads == s.cases);
  CHECK(s.hvps >= 7);
}

TEST_CASE("reference gradients: composites with create_graph=true", "[autograd][reference]") {
  RunOptions o;
  o.create_graph = true;
  CHECK(run_cases(RefFile("ops_composite.safetensors"), composites(), o).grads >= 17);
}

TEST_CASE("reference gradients: every op fixture's gradients, accumulated through backward()",
          "[autograd][reference]") {
  // run_cases uses autograd::grad; here the same gradients arrive through Tensor::backward into .grad.
  int checked = 0;
  for (const char* file :
       {"ops_unary.safetensors", "ops_binary.safetensors", "ops_reduce.safetensors", "ops_linalg.safetensors"}) {
    const RefFile f(file);
    for (const std::string& name : f.cases()) {
      if (f.meta(name + ".grad").empty() || f.has_meta(name + ".sample")) continue;
      INFO("case " << name << " of " << file);
      const Args args(f.meta(name + ".args"));
      const std::vector<std::string> names = split(f.meta(name + ".inputs"), ','),
                                     grads = split(f.meta(name + ".grad"), ',');
      std::vector<Tensor> leaves, inputs;
      bool generated = false;
      for (const std::string& k : names) {
        generated = generated || f.has_meta(name + ".gen." + k);
        if (generated) break;
        Tensor base = f.get(name + ".in." + k).clone();
        if (std::find(grads.begin(), grads.end(), k) != grads.end()) base.requires_grad_(true);
        leaves.push_back(base);
        inputs.push_back(apply_view(base, f.meta(name + ".view." + k)));
      }
      if (generated) continue;
      Tensor out;
      try {
        out = reference_ops().at(f.meta(name + ".op"))(inputs, args)[0];
        // Twice: gradients accumulate into the leaves.
        out.backward(f.get(name + ".gout"), true);
        out.backward(f.get(name + ".gout"));
      } catch (const std::exception& e) {
        FAIL_CHECK("threw: " << e.what());
        continue;
      }
      for (size_t i = 0; i < names.size(); ++i) {
        if (std::find(grads.begin(), grads.end(), names[i]) == grads.end()) continue;
        const Tensor expected = f.get(name + ".grad." + names[i]);
        const Tensor g = leaves[i].grad();
        INFO("input " << names[i]);
        // a gradient through a lower-precision output (float64 input, float32 result) has that precision
        const Tolerance tol = looser(default_tolerance(expected.dtype()), default_tolerance(out.dtype()));
        CHECK_TENSOR(g.defined() ? g : zeros_like(leaves[i]), expected * 2, tol);
      }
      ++checked;
    }
  }
  CHECK(checked > 300);
}
