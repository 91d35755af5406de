// Batch, layer and group normalisation, each one tape entry. Where the backend fuses normalisation (the CPU
// with oneDNN: float32, and float16/bfloat16 computed in float32) the forward and the backward are one
// primitive each; elsewhere (float64, CUDA, builds without oneDNN) they are computed from reductions and
// arithmetic. A higher-order gradient always takes the composed derivative, written with differentiable ops,
// which is also what the float64 gradchecks verify.
#include <string>
#include <vector>

#include "fused.h"
#include "ops/elementwise.h"
#include "wick/detail/autocast_op.h"
#include "wick/detail/op_scope.h"
#include "wick/detail/record.h"
#include "wick/grad_mode.h"
#include "wick/nn_ops.h"
#include "wick/ops.h"

namespace wick {

using detail::Grads;
using detail::record;
using detail::record_needed;
using detail::save;
using detail::save_if;

namespace {

// [C] -> [1, C, 1, ...]: broadcasts a per-channel tensor against an input of `dims` dims.
Tensor per_channel(const Tensor& t, int64_t dims) {
  std::vector<int64_t> shape(size_t(dims), 1);
  shape[1] = t.numel();
  return t.reshape(shape);
}

// Every dim but the channel dim 1: what batch norm's statistics, and the per-channel parameters'
// gradients of batch and group norm, reduce over.
std::vector<int64_t> all_but_channel(int64_t dims) {
  std::vector<int64_t> out{0};
  for (int64_t d = 2; d < dims; ++d) out.push_back(d);
  return out;
}

std::vector<int64_t> dim_range(int64_t begin, int64_t end) {
  std::vector<int64_t> out;
  for (int64_t d = begin; d < end; ++d) out.push_back(d);
  return out;
}

void check_floating_input(const char* op, const Tensor& input, int64_t min_dims, const char* layout) {
  WICK_CHECK(input.defined() && input.dim() >= min_dims, op, "expected an input of at least ", min_dims, " dims ",
             layout, ", got ", input.defined() ? shape_str(input.sizes()) : std::string("an undefined tensor"));
  WICK_CHECK(is_floating_point(input.dtype()), op, "expected a floating point input, got ", dtype_name(input.dtype()));
}

void check_parameter(const char* op, const char* what, const Tensor& input, const Tensor& t, int64_t numel) {
  if (!t.defined()) return;
  check_same_device(op, input, t);
  WICK_CHECK(t.numel() == numel, op, "expected ", what, " of ", numel, " elements for input of shape ",
             shape_str(input.sizes()), ", got one of shape ", shape_str(t.sizes()));
}

// xhat = (x - mean) / sqrt(var + eps), with `mean` and `var` broadcastable against x. While a higher-order
// gradient is being built, statistics taken from x over `stat_dims` are recomputed from x, so that their
// own dependence on x is differentiated too.
struct Normalized {
  Tensor xhat, invstd;
};
Normalized normalized(const Tensor& x, const Tensor& mean, const Tensor& var, double eps, IntArrayRef stat_dims,
                      bool stats_from_x) {
  if (stats_from_x && detail::grad_mode_enabled()) {
    const Tensor m = x.mean(stat_dims, true);
    const Tensor invstd = (x.var(stat_dims, false, true) + eps).rsqrt();
    return {(x - m) * invstd, invstd};
  }
  const Tensor invstd = (var + eps).rsqrt();
  return {(x - mean) * invstd, invstd};
}

// d(loss)/dx given d(loss)/d(xhat). With statistics taken from x itself, the mean and variance carry
// gradient too: the two mean terms are their share.
Tensor input_grad(const Tensor& gxhat, const Normalized& n, IntArrayRef stat_dims, bool stats_from_x) {
  if (!stats_from_x) return gxhat * n.invstd;
  return n.invstd * (gxhat - gxhat.mean(stat_dims, true) - n.xhat * (gxhat * n.xhat).mean(stat_dims, true));
}

// The tensor as a fused primitive's optional argument: compute dtype, contiguous, 1-D.
Tensor flat_compute(const Tensor& t, ScalarType compute) {
  return t.defined() ? as_compute(t, compute).reshape({t.numel()}) : Tensor();
}

// view_of for an optional argument; `storage` keeps the View alive for the call.
const View* optional_view(const Tensor& t, View& storage) {
  if (!t.defined()) return nullptr;
  storage = view_of(t);
  return &storage;
}

}  // namespace

// ---- batch norm -----------------------------------------------------------------------------------------

Tensor batch_norm(const Tensor& input, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                  const Tensor& running_var, bool training, double momentum, double eps, bool) {
  WICK_PROFILE_OP("batch_norm", input, weight, bias, running_mean, running_var);
  const char* op = "batch_norm";
  check_floating_input(op, input, 2, "[N, C, ...]");
  const int64_t C = input.size(1), dims = input.dim();
  check_parameter(op, "weight", input, weight, C);
  check_parameter(op, "bias", input, bias, C);
  check_parameter(op, "running_mean", input, running_mean, C);
  check_parameter(op, "running_var", input, running_var, C);
  const int64_t per_channel_count = C > 0 ? input.numel() / C : 0;
  if (training)
    WICK_CHECK(per_channel_count > 1, op, "expected more than 1 value per channel when training, got input of shape ",
               shape_str(input.sizes()));
  else
    WICK_CHECK(running_mean.defined() && running_var.defined(), op,
               "running_mean and running_var must be defined in evaluation mode");

  const ScalarType ct = compute_dtype(input.device(), input.dtype());
  const bool fused = detail::fused_for(input.device(), FusedOp::BatchNorm, ct);
  const std::vector<int64_t> reduced = all_but_channel(dims);
  Tensor out, mean, var;  // mean and var: [C] in the compute dtype, the batch's (training) or the running ones
  {
    NoGradGuard no_grad;
    const Tensor x = as_compute(input, ct);
    if (training && fused) {
      mean = make_empty({C}, ct, input.device());
      var = make_empty({C}, ct, input.device());
    } else if (training) {
      mean = x.mean(reduced);
      var = x.var(reduced, false);
    } else {
      mean = as_compute(running_mean, ct).reshape({C});
      var = as_compute(running_var, ct).reshape({C});
    }
    if (fused) {
      out = make_empty(x.sizes(), ct, input.device());
      const Tensor w = flat_compute(weight, ct), b = flat_compute(bias, ct);
      View wv, bv;
      if (out.numel() > 0)
        detail::fused_kernels_of(input.device())
            .batch_norm(view_of(out), view_of(x), view_of(mean), view_of(var), optional_view(w, wv),
                        optional_view(b, bv), eps, training);
    } else {
      out = (x - per_channel(mean, dims)) * (per_channel(var, dims) + eps).rsqrt();
      if (weight.defined()) out = out * per_channel(weight, dims);
      if (bias.defined()) out = out + per_channel(bias, dims);
    }
    if (out.dtype() != input.dtype()) out = out.to(input.dtype());
    // PyTorch's running statistics: an exponential average of the mean and of the *unbiased* variance.
    if (training && running_mean.defined())
      running_mean.mul_(1 - momentum).add_(mean.to(running_mean.dtype()).reshape(running_mean.sizes()) * momentum);
    if (training && running_var.defined()) {
      const double unbias = double(per_channel_count) / double(per_channel_count - 1);
      running_var.mul_(1 - momentum)
          .add_(var.to(running_var.dtype()).reshape(running_var.sizes()) * (momentum * unbias));
    }
  }
  if (record_needed({&input, &weight, &bias}))
    record(
        op, {&input, &weight, &bias}, out,
        [sx = save(input), sw = save_if(weight.defined(), weight), has_bias = bias.defined(), smean = save(mean),
         svar = save(var), training, eps, fused, ct](Grads g) {
          const Tensor x = sx.get(), w = sw.get(), mean = smean.get(), var = svar.get();
          const Tensor& go = g.out[0];
          const int64_t C = x.size(1), dims = x.dim();
          if (fused && !detail::grad_mode_enabled()) {
            const Tensor xc = as_compute(x, ct), goc = as_compute(go, ct), wc = flat_compute(w, ct);
            const Tensor gi = make_empty(xc.sizes(), ct, x.device());
            const Tensor gw = w.defined() ? make_empty({C}, ct, x.device()) : Tensor();
            const Tensor gb = has_bias ? make_empty({C}, ct, x.device()) : Tensor();
            View wv, gwv, gbv;
            if (gi.numel() > 0)
              detail::fused_kernels_of(x.device())
                  .batch_norm_backward(view_of(gi), optional_view(gw, gwv), optional_view(gb, gbv), view_of(goc),
                                       view_of(xc), view_of(mean), view_of(var), optional_view(wc, wv), eps, training);
            g.in[0] = gi;
            if (w.defined()) g.in[1] = gw.reshape(w.sizes());
            if (has_bias) g.in[2] = gb;
            return;
          }
          // float16/bfloat16 are computed in float32 here too (as the statistics are), then rounded once.
          const std::vector<int64_t> reduced = all_but_channel(dims);
          const Tensor xc = x.to(ct), goc = go.to(ct), wc = w.defined() ? w.to(ct) : w;
          const Normalized n = normalized(xc, per_channel(mean, dims), per_channel(var, dims), eps, reduced, training);
          if (g.needed(0))
            g.in[0] = input_grad(wc.defined() ? goc * per_channel(wc, dims) : goc, n, reduced, training).to(x.dtype());
          if (g.needed(1)) g.in[1] = (goc * n.xhat).sum(reduced).reshape(w.sizes()).to(w.dtype());
          if (g.needed(2)) g.in[2] = goc.sum(reduced).to(go.dtype());
        });
  return out;
}

// ---- layer norm -----------------------------------------------------------------------------------------

Tensor layer_norm(const Tensor& input, IntArrayRef normalized_shape, const Tensor& weight, const Tensor& bias,
                  double eps, bool) {
  WICK_PROFILE_OP("layer_norm", input, weight, bias);
  if (detail::AutocastOp ac{detail::autocast_lists::norm, input.device()})
    return layer_norm(ac(input), normalized_shape, ac(weight), ac(bias), eps);
  const char* op = "layer_norm";
  const int64_t k = int64_t(normalized_shape.size());
  check_floating_input(op, input, 1, "[*, normalized_shape]");
  bool matches = k >= 1 && input.dim() >= k;
  for (int64_t i = 0; matches && i < k; ++i) matches = input.size(input.dim() - k + i) == normalized_shape[size_t(i)];
  WICK_CHECK(
      matches, op, "given normalized_shape=", shape_str(normalized_shape), ", expected input with shape [*",
      [&] {
        std::string s;
        for (int64_t v : normalized_shape) s += ", " + std::to_string(v);
        return s;
      }(),
      "], but got input of size ", shape_str(input.sizes()));
  for (const Tensor* t : {&weight, &bias})
    if (t->defined()) {
      check_same_device(op, input, *t);
      WICK_CHECK(t->sizes() == normalized_shape, op, "expected weight and bias of shape ", shape_str(normalized_shape),
                 ", got ", shape_str(t->sizes()));
    }

  const int64_t lead = input.dim() - k;
  const std::vector<int64_t> stat_dims = dim_range(lead, input.dim()), param_dims = dim_range(0, lead);
  // Statistics keep the normalised dims as 1s, so they broadcast against the input.
  SizeVec stat_shape(input.sizes());
  for (int64_t d = lead; d < input.dim(); ++d) stat_shape[size_t(d)] = 1;
  int64_t K = 1;
  for (int64_t v : normalized_shape) K *= v;
  const int64_t M = K > 0 ? input.numel() / K : 0;

  const ScalarType ct = compute_dtype(input.device(), input.dtype());
  const bool fused = detail::fused_for(input.device(), FusedOp::LayerNorm, ct) && K > 0;
  Tensor out, mean, var;
  {
    NoGradGuard no_grad;
    const Tensor x = as_compute(input, ct);
    if (fused) {
      out = make_empty(x.sizes(), ct, input.device());
      mean = make_empty(stat_shape, ct, input.device());
      var = make_empty(stat_shape, ct, input.device());
      const Tensor w = flat_compute(weight, ct), b = flat_compute(bias, ct);
      View wv, bv;
      if (M > 0)
        detail::fused_kernels_of(input.device())
            .layer_norm(view_of(out.view({M, K})), view_of(mean.view({M})), view_of(var.view({M})),
                        view_of(x.view({M, K})), optional_view(w, wv), optional_view(b, bv), eps);
    } else {
      mean = x.mean(stat_dims, true);
      var = x.var(stat_dims, false, true);
      out = (x - mean) * (var + eps).rsqrt();
      if (weight.defined()) out = out * weight;
      if (bias.defined()) out = out + bias;
    }
    if (out.dtype() != input.dtype()) out = out.to(input.dtype());
  }
  if (record_needed({&input, &weight, &bias}))
    record(op, {&input, &weight, &bias}, out,
           [sx = save(input), sw = save_if(weight.defined(), weight), has_bias = bias.defined(), smean = save(mean),
            svar = save(var), stat_dims, param_dims, param_shape = SizeVec(normalized_shape), M, K, eps, fused,
            ct](Grads g) {
             const Tensor x = sx.get(), w = sw.get(), mean = smean.get(), var = svar.get();
             const Tensor& go = g.out[0];
             if (fused && !detail::grad_mode_enabled()) {
               const Tensor xc = as_compute(x, ct), goc = as_compute(go, ct), wc = flat_compute(w, ct);
               const Tensor gi = make_empty(xc.sizes(), ct, x.device());
               const Tensor gw = w.defined() ? make_empty({K}, ct, x.device()) : Tensor();
               const Tensor gb = has_bias ? make_empty({K}, ct, x.device()) : Tensor();
               View wv, gwv, gbv;
               if (M > 0)
                 detail::fused_kernels_of(x.device())
                     .layer_norm_backward(view_of(gi.view({M, K})), optional_view(gw, gwv), optional_view(gb, gbv),
                                          view_of(goc.view({M, K})), view_of(xc.view({M, K})), view_of(mean.view({M})),
                                          view_of(var.view({M})), optional_view(wc, wv), eps);
               else {  // no rows: the parameters get no gradient
                 if (gw.defined()) gw.zero_();
                 if (gb.defined()) gb.zero_();
               }
               g.in[0] = gi;
               if (w.defined()) g.in[1] = gw.view(param_shape);
               if (has_bias) g.in[2] = gb.view(param_shape);
               return;
             }
             // float16/bfloat16 are computed in float32 here too (as the statistics are), then rounded once.
             const Tensor xc = x.to(ct), goc = go.to(ct), wc = w.defined() ? w.to(ct) : w;
             const Normalized n = normalized(xc, mean, var, eps, stat_dims, true);
             // Parameter gradients sum over the leading dims; with none, there is nothing to sum.
             auto over_rows = [&](const Tensor& t) { return param_dims.empty() ? t : t.sum(param_dims); };
             if (g.needed(0)) g.in[0] = input_grad(wc.defined() ? goc * wc : goc, n, stat_dims, true).to(x.dtype());
             if (g.needed(1)) g.in[1] = over_rows(goc * n.xhat).to(w.dtype());
             if (g.needed(2)) g.in[2] = over_rows(goc).to(go.dtype());
           });
  return out;
}

// ---- group norm -----------------------------------------------------------------------------------------

Tensor group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps, bool) {
  WICK_PROFILE_OP("group_norm", input, weight, bias);
  if (detail::AutocastOp ac{detail::autocast_lists::norm, input.device()})
    return group_norm(ac(input), num_groups, ac(weight), ac(bias), eps);
  const char* op = "group_norm";
  check_floating_input(op, input, 2, "[N, C, ...]");
  const int64_t N = input.size(0), C = input.size(1), dims = input.dim();
  WICK_CHECK(num_groups > 0 && C % num_groups == 0, op,
             "expected the number of channels in the input to be divisible by num_groups, but got input of shape ",
             shape_str(input.sizes()), " and num_groups=", num_groups);
  check_parameter(op, "weight", input, weight, C);
  check_parameter(op, "bias", input, bias, C);

  // Each (sample, group) is one row of [N * G, K]: layer normalisation of the rows, then the per-channel affine.
  const int64_t G = num_groups, K = N * G > 0 ? input.numel() / (N * G) : 0;
  const std::vector<int64_t> row_dims{2}, param_dims = all_but_channel(dims);
  const ScalarType ct = compute_dtype(input.device(), input.dtype());
  const bool fused = detail::fused_for(input.device(), FusedOp::LayerNorm, ct) && K > 0;
  Tensor out, mean, var;  // mean, var: [N, G, 1]
  {
    NoGradGuard no_grad;
    const Tensor x = as_compute(input, ct);
    Tensor xhat;
    if (fused) {
      xhat = make_empty(x.sizes(), ct, input.device());
      mean = make_empty({N, G, 1}, ct, input.device());
      var = make_empty({N, G, 1}, ct, input.device());
      if (N * G > 0)
        detail::fused_kernels_of(input.device())
            .layer_norm(view_of(xhat.view({N * G, K})), view_of(mean.view({N * G})), view_of(var.view({N * G})),
                        view_of(x.view({N * G, K})), nullptr, nullptr, eps);
    } else {
      const Tensor rows = x.reshape({N, G, K});
      mean = rows.mean(row_dims, true);
      var = rows.var(row_dims, false, true);
      xhat = ((rows - mean) * (var + eps).rsqrt()).reshape(x.sizes());
    }
    out = xhat;
    if (weight.defined()) out = out * per_channel(weight, dims);
    if (bias.defined()) out = out + per_channel(bias, dims);
    if (out.dtype() != input.dtype()) out = out.to(input.dtype());
  }
  if (record_needed({&input, &weight, &bias}))
    record(op, {&input, &weight, &bias}, out,
           [sx = save(input), sw = save_if(weight.defined(), weight), smean = save(mean), svar = save(var), N, G, K,
            row_dims, param_dims, eps, fused, ct](Grads g) {
             const Tensor x = sx.get(), w = sw.get(), mean = smean.get(), var = svar.get();
             const Tensor& go = g.out[0];
             const int64_t dims = x.dim();
             // float16/bfloat16 are computed in float32 (as the statistics are), then rounded once.
             const Tensor goc = go.to(ct);
             const Tensor gxhat = w.defined() ? goc * per_channel(w.to(ct), dims) : goc;
             Tensor xhat;  // [N, C, ...]
             if (fused && !detail::grad_mode_enabled()) {
               const Tensor xc = as_compute(x, ct), gc = as_compute(gxhat, ct);
               const Tensor gi = make_empty(xc.sizes(), ct, x.device());
               if (N * G > 0)
                 detail::fused_kernels_of(x.device())
                     .layer_norm_backward(view_of(gi.view({N * G, K})), nullptr, nullptr, view_of(gc.view({N * G, K})),
                                          view_of(xc.view({N * G, K})), view_of(mean.view({N * G})),
                                          view_of(var.view({N * G})), nullptr, eps);
               g.in[0] = gi;
               if (g.needed(1)) xhat = ((xc.view({N, G, K}) - mean) * (var + eps).rsqrt()).view(x.sizes());
             } else {
               const Normalized n = normalized(x.to(ct).reshape({N, G, K}), mean, var, eps, row_dims, true);
               if (g.needed(0))
                 g.in[0] = input_grad(gxhat.reshape({N, G, K}), n, row_dims, true).reshape(x.sizes()).to(x.dtype());
               xhat = n.xhat.reshape(x.sizes());
             }
             if (g.needed(1)) g.in[1] = (goc * xhat).sum(param_dims).to(w.dtype());
             if (g.needed(2)) g.in[2] = goc.sum(param_dims).to(go.dtype());
           });
  return out;
}

}  // namespace wick
