// Pooling. Max and average pooling run as the backend's fused kernels, or compositions of primitives where it
// has none (pool_composed.h); each backward is itself a recorded op whose derivative is the forward gather (max)
// or the forward pooling (average), so second derivatives work.
// Adaptive average pooling is a mean, an ordinary pooling, or (for uneven windows) two small matrix products.
#include <algorithm>
#include <cmath>

#include "fused.h"
#include "ops/elementwise.h"
#include "ops/pool_composed.h"
#include "ops/spatial_args.h"
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

// Checked kernel_size, stride, padding and dilation for each of `spatial` dims (1 to 3), and the output sizes.
struct PoolArgs {
  int64_t kernel[3] = {1, 1, 1}, stride[3] = {1, 1, 1}, padding[3] = {0, 0, 0}, dilation[3] = {1, 1, 1};
  int64_t out[3] = {1, 1, 1};
};

PoolArgs pool_args(const char* op, int spatial, bool is_max, const Tensor& input, IntArrayRef kernel_size,
                   IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation, bool ceil_mode) {
  WICK_CHECK(input.defined(), op, "expected a defined input tensor");
  WICK_CHECK(input.dim() == spatial + 1 || input.dim() == spatial + 2, op, "expected a ", spatial + 1,
             "-D (unbatched) or ", spatial + 2, "-D (batched) input, got shape ", shape_str(input.sizes()));
  WICK_CHECK(is_floating_point(input.dtype()), op, "expected a floating point input, got ", dtype_name(input.dtype()));
  PoolArgs a;
  detail::spread_spatial(op, "kernel_size", kernel_size, spatial, a.kernel, 1);
  detail::spread_spatial(op, "stride", stride.empty() ? kernel_size : stride, spatial, a.stride, 1);
  detail::spread_spatial(op, "padding", padding, spatial, a.padding, 0);
  detail::spread_spatial(op, "dilation", dilation, spatial, a.dilation, 1);
  for (int d = 0; d < spatial; ++d) {
    const int64_t k = a.kernel[d], pad = a.padding[d], dil = a.dilation[d];
    const int64_t half = is_max ? ((k - 1) * dil + 1) / 2 : k / 2;
    WICK_CHECK(pad <= half, op, "padding should be at most half of the ", is_max ? "effective " : "",
               "kernel size, but got padding ", shape_str(padding), " with kernel_size ", shape_str(kernel_size));
    a.out[d] = detail::pool_out_size(input.size(input.dim() - spatial + d), k, pad, a.stride[d], dil, ceil_mode);
    WICK_CHECK(a.out[d] > 0, op, "kernel_size ", shape_str(kernel_size), " is larger than the padded input of shape ",
               shape_str(input.sizes()), " (output size would be ", a.out[d], ")");
  }
  return a;
}

struct Pool {
  PoolParams p;
  Tensor x;  // 4-D
  SizeVec out_sizes;
  bool unbatched;
};

Pool prepare_pool(const char* op, int spatial, bool is_max, const Tensor& input, IntArrayRef kernel_size,
                  IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation, bool ceil_mode) {
  const PoolArgs a = pool_args(op, spatial, is_max, input, kernel_size, stride, padding, dilation, ceil_mode);
  Pool r;
  r.p.ceil_mode = ceil_mode;
  r.unbatched = input.dim() == spatial + 1;
  Tensor x = r.unbatched ? input.unsqueeze(0) : input;
  if (spatial == 1) x = x.unsqueeze(2);
  r.x = x;
  r.out_sizes = {x.size(0), x.size(1), x.size(2), x.size(3)};  // 1-d: the height of 1 stays
  for (int d = 0; d < spatial; ++d) {
    const int to = 2 - spatial + d;
    r.p.kernel[to] = a.kernel[d];
    r.p.stride[to] = a.stride[d];
    r.p.padding[to] = a.padding[d];
    r.p.dilation[to] = a.dilation[d];
    r.out_sizes[size_t(2 + to)] = a.out[d];
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
  int64_t out[3] = {1, 1, 1};
  detail::spread_spatial(op, "output_size", output_size, spatial, out + std::max(0, 2 - spatial), 1);
  for (int64_t d = input.dim() - spatial; d < input.dim(); ++d)
    WICK_CHECK(input.size(d) > 0, op, "input of shape ", shape_str(input.sizes()), " has an empty spatial dim");
  const bool unbatched = input.dim() == spatial + 1;
  Tensor x = unbatched ? input.unsqueeze(0) : input;
  if (spatial == 1) x = x.unsqueeze(2);
  if (spatial == 3) {
    // Separable: the H x W planes first, then depth with a (OD, 1) window over the flattened planes.
    const int64_t N = x.size(0), C = x.size(1), D = x.size(2);
    const Tensor planes = adaptive_avg_pool_nd(op, 2, x.reshape({N, C * D, x.size(3), x.size(4)}), {out[1], out[2]});
    const Tensor y = adaptive_avg_pool_nd(op, 2, planes.view({N, C, D, out[1] * out[2]}), {out[0], out[1] * out[2]});
    return finish(y.view({N, C, out[0], out[1], out[2]}), spatial, unbatched);
  }
  const int64_t H = x.size(2), W = x.size(3);
  Tensor y;
  if (out[0] == 1 && out[1] == 1) {
    y = x.mean({2, 3}, true);
  } else if (H % out[0] == 0 && W % out[1] == 0) {
    const int64_t kh = H / out[0], kw = W / out[1];
    y = avg_pool2d(x, {kh, kw}, {kh, kw});
  } else {
    const TensorOptions o = TensorOptions().dtype(x.dtype()).device(x.device());
    y = out[0] == H ? x : matmul(adaptive_matrix(H, out[0], o), x);
    if (out[1] != W) y = matmul(y, adaptive_matrix(W, out[1], o).t());
  }
  return finish(y, spatial, unbatched);
}

// ---- 3-d: box windows are separable --------------------------------------------------------------------------
// A max or an average over a D x H x W box is that reduction over D of the reductions over H x W, and PyTorch's
// window counts (count_include_pad, ceil_mode, divisor_override) are products of per-dim counts. So a 3-d pooling
// of [N, C, D, H, W] is a 2-d pooling of its N x C x D planes, then a 2-d pooling with a (kD, 1) window of
// [N, C, D, OH * OW]: two calls of the backend's kernels, whose recorded derivatives serve for any order.

struct Pool3d {
  Tensor x;  // 5-D
  bool unbatched;
  PoolArgs a;
};

Pool3d prepare_pool3d(const char* op, bool is_max, const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride,
                      IntArrayRef padding, IntArrayRef dilation, bool ceil_mode) {
  Pool3d r{Tensor(), input.defined() && input.dim() == 4, PoolArgs()};
  r.a = pool_args(op, 3, is_max, input, kernel_size, stride, padding, dilation, ceil_mode);
  r.x = r.unbatched ? input.unsqueeze(0) : input;
  return r;
}

Tensor as_planes(const Tensor& x) { return x.reshape({x.size(0), x.size(1) * x.size(2), x.size(3), x.size(4)}); }

std::tuple<Tensor, Tensor> max_pool3d_impl(const char* op, const Tensor& input, IntArrayRef kernel_size,
                                           IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation,
                                           bool ceil_mode) {
  const Pool3d r = prepare_pool3d(op, true, input, kernel_size, stride, padding, dilation, ceil_mode);
  const PoolArgs& a = r.a;
  const int64_t N = r.x.size(0), C = r.x.size(1), D = r.x.size(2), HW = r.x.size(3) * r.x.size(4);
  const int64_t OD = a.out[0], OH = a.out[1], OW = a.out[2];
  const auto [planes, plane_idx] =
      max_pool_nd(op, 2, as_planes(r.x), {a.kernel[1], a.kernel[2]}, {a.stride[1], a.stride[2]},
                  {a.padding[1], a.padding[2]}, {a.dilation[1], a.dilation[2]}, ceil_mode);
  const auto [out, depth_idx] = max_pool_nd(op, 2, planes.view({N, C, D, OH * OW}), {a.kernel[0], 1}, {a.stride[0], 1},
                                            {a.padding[0], 0}, {a.dilation[0], 1}, ceil_mode);
  // depth_idx = d * OH * OW + j picks plane d's maximum at output position j, whose own index within its H x W
  // plane is plane_idx; the index within the D x H x W volume is d * H * W + that.
  const TensorOptions o = TensorOptions().dtype(kInt64).device(r.x.device());
  const Tensor depth_of = arange(D, o).view({D, 1}).expand({D, OH * OW}).reshape({-1});
  const Tensor d = depth_of.index_select(0, depth_idx.reshape({-1})).view(depth_idx.sizes());
  const Tensor in_plane = plane_idx.view({N, C, D * OH * OW}).gather(2, depth_idx.view({N, C, OD * OH * OW}));
  const Tensor indices = (d * HW + in_plane.view(depth_idx.sizes())).view({N, C, OD, OH, OW});
  const Tensor y = out.view({N, C, OD, OH, OW});
  return {r.unbatched ? y.squeeze(0) : y, r.unbatched ? indices.squeeze(0) : indices};
}

Tensor avg_pool3d_impl(const char* op, const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride,
                       IntArrayRef padding, bool ceil_mode, bool count_include_pad,
                       std::optional<int64_t> divisor_override) {
  const Pool3d r = prepare_pool3d(op, false, input, kernel_size, stride, padding, 1, ceil_mode);
  WICK_CHECK(!divisor_override || *divisor_override != 0, op, "divisor_override must be non-zero");
  const PoolArgs& a = r.a;
  const int64_t N = r.x.size(0), C = r.x.size(1), D = r.x.size(2);
  // With a divisor override the planes pass sums (a divisor of 1) and the depth pass divides.
  const Tensor planes = avg_pool_nd(op, 2, as_planes(r.x), {a.kernel[1], a.kernel[2]}, {a.stride[1], a.stride[2]},
                                    {a.padding[1], a.padding[2]}, ceil_mode, count_include_pad,
                                    divisor_override ? std::optional<int64_t>(1) : std::nullopt);
  const Tensor out = avg_pool_nd(op, 2, planes.view({N, C, D, a.out[1] * a.out[2]}), {a.kernel[0], 1}, {a.stride[0], 1},
                                 {a.padding[0], 0}, ceil_mode, count_include_pad, divisor_override);
  const Tensor y = out.view({N, C, a.out[0], a.out[1], a.out[2]});
  return r.unbatched ? y.squeeze(0) : y;
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

std::tuple<Tensor, Tensor> max_pool3d_with_indices(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride,
                                                   IntArrayRef padding, IntArrayRef dilation, bool ceil_mode) {
  WICK_PROFILE_OP("max_pool3d_with_indices", input);
  const uint64_t since = detail::tape_position();
  auto [y, indices] = max_pool3d_impl("max_pool3d", input, kernel_size, stride, padding, dilation, ceil_mode);
  return {detail::named(y, "max_pool3d", since), indices};
}

Tensor max_pool3d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride, IntArrayRef padding,
                  IntArrayRef dilation, bool ceil_mode) {
  WICK_PROFILE_OP("max_pool3d", input);
  const uint64_t since = detail::tape_position();
  return detail::named(
      std::get<0>(max_pool3d_impl("max_pool3d", input, kernel_size, stride, padding, dilation, ceil_mode)),
      "max_pool3d", since);
}

Tensor avg_pool3d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride, IntArrayRef padding, bool ceil_mode,
                  bool count_include_pad, std::optional<int64_t> divisor_override) {
  WICK_PROFILE_OP("avg_pool3d", input);
  const uint64_t since = detail::tape_position();
  return detail::named(avg_pool3d_impl("avg_pool3d", input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                                       divisor_override),
                       "avg_pool3d", since);
}

Tensor adaptive_avg_pool3d(const Tensor& input, IntArrayRef output_size) {
  WICK_PROFILE_OP("adaptive_avg_pool3d", input);
  const uint64_t since = detail::tape_position();
  return detail::named(adaptive_avg_pool_nd("adaptive_avg_pool3d", 3, input, output_size), "adaptive_avg_pool3d",
                       since);
}

}  // namespace wick
