// Pooling. Max and average pooling run as the backend's fused kernels, or compositions of primitives where it
// has none (pool_composed.h); each backward is itself a recorded op whose derivative is the forward gather (max)
// or the forward pooling (average), so second derivatives work.
// Adaptive average pooling is a mean, an ordinary pooling, or (for uneven windows) two small matrix products.
#include <algorithm>
#include <cmath>

#include "fused.h"
#include "ops/elementwise.h"
#include "ops/pool_composed.h"
#include "wick/detail/op_scope.h"
#include "wick/detail/record.h"
#include "wick/grad_mode.h"
#include "wick/nn_ops.h"
#include "wick/ops.h"

namespace wick {

using detail::Grads;
using detail::record;
using detail::record_needed;

namespace {

// ---- recorded kernels (4-D NCHW) ------------------------------------------------------------------------
Tensor max_pool_backward(const Tensor& gy, const Tensor& indices, IntArrayRef input_sizes, const PoolParams& p);
Tensor avg_pool_forward(const Tensor& x, const PoolParams& p, IntArrayRef out_sizes);

// Each maximum's flat index within its plane picks the gradient's value back out.
Tensor gather_planes(const Tensor& g, const Tensor& indices) {
  const Tensor flat = g.flatten(2);
  return flat.gather(2, indices.flatten(2)).view(indices.sizes());
}

std::tuple<Tensor, Tensor> max_pool_forward(const Tensor& x, const PoolParams& p, IntArrayRef out_sizes) {
  Tensor out, indices;
  {
    NoGradGuard guard;
    const ScalarType ct = compute_dtype(x.device(), x.dtype());
    const Tensor xc = as_compute(x, ct);
    FusedKernels* fused = detail::fused_for(x.device(), FusedOp::MaxPool2d, ct);
    if (product(out_sizes) == 0 || fused) {
      out = make_empty(out_sizes, ct, x.device());
      indices = make_empty(out_sizes, kInt64, x.device());
      if (fused && out.numel() > 0) fused->max_pool2d(view_of(out), view_of(indices), view_of(xc), p);
    } else {
      std::tie(out, indices) = detail::composed_max_pool2d(xc, p, out_sizes);
    }
    if (ct != x.dtype()) out = out.to(x.dtype());
  }
  if (record_needed(x))
    record("max_pool2d", {&x}, out, [indices, in_sizes = SizeVec(x.sizes()), p](Grads g) {
      g.in[0] = max_pool_backward(g.out[0], indices, in_sizes, p);
    });
  return {out, indices};
}

Tensor max_pool_backward(const Tensor& gy, const Tensor& indices, IntArrayRef input_sizes, const PoolParams& p) {
  Tensor out;
  {
    NoGradGuard guard;
    const ScalarType ct = compute_dtype(gy.device(), gy.dtype());
    const Tensor gyc = as_compute(gy, ct);
    FusedKernels* fused = detail::fused_for(gy.device(), FusedOp::MaxPool2d, ct);
    if (gyc.numel() == 0) {
      out = zeros(input_sizes, TensorOptions().dtype(ct).device(gy.device()));
    } else if (fused) {
      out = make_empty(input_sizes, ct, gy.device());
      fused->max_pool2d_backward(view_of(out), view_of(gyc), view_of(indices), p);
    } else {
      out = detail::composed_max_pool2d_backward(gyc, indices, input_sizes);
    }
    if (ct != gy.dtype()) out = out.to(gy.dtype());
  }
  if (record_needed(gy))
    record("max_pool2d_backward", {&gy}, out, [indices](Grads g) { g.in[0] = gather_planes(g.out[0], indices); });
  return out;
}

Tensor avg_pool_backward(const Tensor& gy, IntArrayRef input_sizes, const PoolParams& p) {
  Tensor out;
  {
    NoGradGuard guard;
    const ScalarType ct = compute_dtype(gy.device(), gy.dtype());
    const Tensor gyc = as_compute(gy, ct);
    FusedKernels* fused = detail::fused_for(gy.device(), FusedOp::AvgPool2d, ct);
    if (gyc.numel() == 0) {
      out = zeros(input_sizes, TensorOptions().dtype(ct).device(gy.device()));
    } else if (fused) {
      out = make_empty(input_sizes, ct, gy.device());
      fused->avg_pool2d_backward(view_of(out), view_of(gyc), p);
    } else {
      out = detail::composed_avg_pool2d_backward(gyc, input_sizes, p);
    }
    if (ct != gy.dtype()) out = out.to(gy.dtype());
  }
  if (record_needed(gy))
    record("avg_pool2d_backward", {&gy}, out,
           [out_sizes = SizeVec(gy.sizes()), p](Grads g) { g.in[0] = avg_pool_forward(g.out[0], p, out_sizes); });
  return out;
}

Tensor avg_pool_forward(const Tensor& x, const PoolParams& p, IntArrayRef out_sizes) {
  Tensor out;
  {
    NoGradGuard guard;
    const ScalarType ct = compute_dtype(x.device(), x.dtype());
    const Tensor xc = as_compute(x, ct);
    FusedKernels* fused = detail::fused_for(x.device(), FusedOp::AvgPool2d, ct);
    if (product(out_sizes) == 0 || fused) {
      out = make_empty(out_sizes, ct, x.device());
      if (fused && out.numel() > 0) fused->avg_pool2d(view_of(out), view_of(xc), p);
    } else {
      out = detail::composed_avg_pool2d(xc, p, out_sizes);
    }
    if (ct != x.dtype()) out = out.to(x.dtype());
  }
  if (record_needed(x))
    record("avg_pool2d", {&x}, out,
           [in_sizes = SizeVec(x.sizes()), p](Grads g) { g.in[0] = avg_pool_backward(g.out[0], in_sizes, p); });
  return out;
}

// ---- argument checking ----------------------------------------------------------------------------------

void spread(const char* op, const char* what, IntArrayRef v, int spatial, int64_t out[2], int64_t min) {
  WICK_CHECK(v.size() == 1 || int(v.size()) == spatial, op, what, " must have 1 or ", spatial, " values, got ",
             shape_str(v));
  for (int i = 0; i < spatial; ++i) {
    const int64_t x = v[v.size() == 1 ? 0 : size_t(i)];
    WICK_CHECK(x >= min, op, what, " must be ", min == 0 ? "non-negative" : "positive", ", got ", shape_str(v));
    out[2 - spatial + i] = x;
  }
}

// PyTorch's pooling_output_shape: a ceil-mode window must start inside the input or its left padding.
int64_t pool_out_size(int64_t in, int64_t k, int64_t pad, int64_t s, int64_t d, bool ceil_mode) {
  const int64_t span = in + 2 * pad - d * (k - 1) - 1 + (ceil_mode ? s - 1 : 0);
  int64_t out = (span >= 0 ? span / s : -((-span + s - 1) / s)) + 1;
  if (ceil_mode && (out - 1) * s >= in + pad) --out;
  return out;
}

struct Pool {
  PoolParams p;
  Tensor x;  // 4-D
  SizeVec out_sizes;
  bool unbatched;
};

Pool prepare_pool(const char* op, int spatial, bool is_max, const Tensor& input, IntArrayRef kernel_size,
                  IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation, bool ceil_mode) {
  WICK_CHECK(input.defined(), op, "expected a defined input tensor");
  WICK_CHECK(input.dim() == spatial + 1 || input.dim() == spatial + 2, op, "expected a ", spatial + 1,
             "-D (unbatched) or ", spatial + 2, "-D (batched) input, got shape ", shape_str(input.sizes()));
  WICK_CHECK(is_floating_point(input.dtype()), op, "expected a floating point input, got ", dtype_name(input.dtype()));
  Pool r;
  r.p.ceil_mode = ceil_mode;
  spread(op, "kernel_size", kernel_size, spatial, r.p.kernel, 1);
  spread(op, "stride", stride.empty() ? kernel_size : stride, spatial, r.p.stride, 1);
  spread(op, "padding", padding, spatial, r.p.padding, 0);
  spread(op, "dilation", dilation, spatial, r.p.dilation, 1);
  r.unbatched = input.dim() == spatial + 1;
  Tensor x = r.unbatched ? input.unsqueeze(0) : input;
  if (spatial == 1) x = x.unsqueeze(2);
  r.x = x;
  r.out_sizes = {x.size(0), x.size(1), x.size(2), x.size(3)};  // 1-d: the height of 1 stays
  for (int d = 2 - spatial; d < 2; ++d) {
    const int64_t k = r.p.kernel[d], pad = r.p.padding[d], dil = r.p.dilation[d];
    const int64_t half = is_max ? ((k - 1) * dil + 1) / 2 : k / 2;
    WICK_CHECK(pad <= half, op, "padding should be at most half of the ", is_max ? "effective " : "",
               "kernel size, but got padding ", shape_str(padding), " with kernel_size ", shape_str(kernel_size));
    const int64_t out = pool_out_size(x.size(2 + d), k, pad, r.p.stride[d], dil, ceil_mode);
    WICK_CHECK(out > 0, op, "kernel_size ", shape_str(kernel_size), " is larger than the padded input of shape ",
               shape_str(input.sizes()), " (output size would be ", out, ")");
    r.out_sizes[size_t(2 + d)] = out;
  }
  return r;
}

Tensor finish(const Tensor& y, int spatial, bool unbatched) {
  Tensor t = spatial == 1 ? y.squeeze(2) : y;
  return unbatched ? t.squeeze(0) : t;
}

std::tuple<Tensor, Tensor> max_pool_nd(const char* op, int spatial, const Tensor& input, IntArrayRef kernel_size,
                                       IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation, bool ceil_mode) {
  const Pool r = prepare_pool(op, spatial, true, input, kernel_size, stride, padding, dilation, ceil_mode);
  auto [out, indices] = max_pool_forward(r.x, r.p, r.out_sizes);
  return {finish(out, spatial, r.unbatched), finish(indices, spatial, r.unbatched)};
}

Tensor avg_pool_nd(const char* op, int spatial, const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride,
                   IntArrayRef padding, bool ceil_mode, bool count_include_pad, std::optional<int64_t> divisor) {
  Pool r = prepare_pool(op, spatial, false, input, kernel_size, stride, padding, 1, ceil_mode);
  if (divisor) {
    WICK_CHECK(*divisor != 0, op, "divisor_override must be non-zero");
    // Sum over each window = average including padding x its padded size; then divide by the override.
    r.p.count_include_pad = true;
    const int64_t OH = r.out_sizes[2], OW = r.out_sizes[3];
    std::vector<double> scale(size_t(OH * OW));
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        const int64_t h0 = oh * r.p.stride[0] - r.p.padding[0], w0 = ow * r.p.stride[1] - r.p.padding[1];
        const int64_t h1 = std::min(h0 + r.p.kernel[0], r.x.size(2) + r.p.padding[0]);
        const int64_t w1 = std::min(w0 + r.p.kernel[1], r.x.size(3) + r.p.padding[1]);
        scale[size_t(oh * OW + ow)] = double((h1 - h0) * (w1 - w0)) / double(*divisor);
      }
    const Tensor s = tensor(scale, TensorOptions().dtype(input.dtype()).device(input.device())).view({OH, OW});
    return finish(avg_pool_forward(r.x, r.p, r.out_sizes) * s, spatial, r.unbatched);
  }
  r.p.count_include_pad = count_include_pad;
  return finish(avg_pool_forward(r.x, r.p, r.out_sizes), spatial, r.unbatched);
}

// Row i averages input positions [floor(i * in / out), ceil((i + 1) * in / out)).
Tensor adaptive_matrix(int64_t in, int64_t out, const TensorOptions& options) {
  std::vector<double> m(size_t(out * in), 0.0);
  for (int64_t i = 0; i < out; ++i) {
    const int64_t start = (i * in) / out, end = ((i + 1) * in + out - 1) / out;
    for (int64_t j = start; j < end; ++j) m[size_t(i * in + j)] = 1.0 / double(end - start);
  }
  return tensor(m, options).view({out, in});
}

Tensor adaptive_avg_pool_nd(const char* op, int spatial, const Tensor& input, IntArrayRef output_size) {
  WICK_CHECK(input.defined(), op, "expected a defined input tensor");
  WICK_CHECK(input.dim() == spatial + 1 || input.dim() == spatial + 2, op, "expected a ", spatial + 1,
             "-D (unbatched) or ", spatial + 2, "-D (batched) input, got shape ", shape_str(input.sizes()));
  WICK_CHECK(is_floating_point(input.dtype()), op, "expected a floating point input, got ", dtype_name(input.dtype()));
  int64_t out[2] = {1, 1};
  spread(op, "output_size", output_size, spatial, out, 1);
  for (int64_t d = input.dim() - spatial; d < input.dim(); ++d)
    WICK_CHECK(input.size(d) > 0, op, "input of shape ", shape_str(input.sizes()), " has an empty spatial dim");
  const bool unbatched = input.dim() == spatial + 1;
  Tensor x = unbatched ? input.unsqueeze(0) : input;
  if (spatial == 1) x = x.unsqueeze(2);
  const int64_t H = x.size(2), W = x.size(3);
  Tensor y;
  if (out[0] == 1 && out[1] == 1) {
    y = x.mean({2, 3}, true);
  } else if (H % out[0] == 0 && W % out[1] == 0) {
    const int64_t kh = H / out[0], kw = W / out[1];
    y = avg_pool2d(x, {kh, kw}, {kh, kw});
  } else {
    const TensorOptions o = TensorOptions().dtype(x.dtype()).device(x.device());
    y = matmul(matmul(adaptive_matrix(H, out[0], o), x), adaptive_matrix(W, out[1], o).t());
  }
  return finish(y, spatial, unbatched);
}

}  // namespace

std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride,
                                                   IntArrayRef padding, IntArrayRef dilation, bool ceil_mode) {
  WICK_PROFILE_OP("max_pool2d_with_indices", input);
  return max_pool_nd("max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode);
}

Tensor max_pool2d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride, IntArrayRef padding,
                  IntArrayRef dilation, bool ceil_mode) {
  WICK_PROFILE_OP("max_pool2d", input);
  return std::get<0>(max_pool_nd("max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode));
}

std::tuple<Tensor, Tensor> max_pool1d_with_indices(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride,
                                                   IntArrayRef padding, IntArrayRef dilation, bool ceil_mode) {
  WICK_PROFILE_OP("max_pool1d_with_indices", input);
  return max_pool_nd("max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode);
}

Tensor max_pool1d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride, IntArrayRef padding,
                  IntArrayRef dilation, bool ceil_mode) {
  WICK_PROFILE_OP("max_pool1d", input);
  return std::get<0>(max_pool_nd("max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode));
}

Tensor avg_pool2d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride, IntArrayRef padding, bool ceil_mode,
                  bool count_include_pad, std::optional<int64_t> divisor_override) {
  WICK_PROFILE_OP("avg_pool2d", input);
  return avg_pool_nd("avg_pool2d", 2, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override);
}

Tensor avg_pool1d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride, IntArrayRef padding, bool ceil_mode,
                  bool count_include_pad) {
  WICK_PROFILE_OP("avg_pool1d", input);
  return avg_pool_nd("avg_pool1d", 1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, std::nullopt);
}

Tensor adaptive_avg_pool2d(const Tensor& input, IntArrayRef output_size) {
  WICK_PROFILE_OP("adaptive_avg_pool2d", input);
  const uint64_t since = detail::tape_position();
  return detail::named(adaptive_avg_pool_nd("adaptive_avg_pool2d", 2, input, output_size), "adaptive_avg_pool2d",
                       since);
}

Tensor adaptive_avg_pool1d(const Tensor& input, IntArrayRef output_size) {
  WICK_PROFILE_OP("adaptive_avg_pool1d", input);
  return adaptive_avg_pool_nd("adaptive_avg_pool1d", 1, input, output_size);
}

}  // namespace wick
