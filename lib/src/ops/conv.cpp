// Convolutions. Three recorded primitives carry every derivative: the forward, its gradient with respect to
// the input (also the forward of a transposed convolution) and with respect to the weight. Each one's
// derivative is written with the other two, so gradients of any order come out of the same three kernels.
// conv1d is conv2d over a height of 1; "same" padding pads the input's far side when the total is odd. The
// kernels are the backend's fused ones where it has them, else compositions of primitives (conv_composed.h);
// 3-d convolutions run on 3-d kernels (oneDNN's on the CPU) or fold their depth into 2-d ones.
#include <string>

#include "fused.h"
#include "ops/conv_composed.h"
#include "ops/elementwise.h"
#include "ops/spatial_args.h"
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

namespace {

Tensor conv_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParams& p);
Tensor conv_input_grad(const Tensor& gy, const Tensor& w, IntArrayRef input_sizes, const ConvParams& p);
Tensor conv_weight_grad(const Tensor& gy, const Tensor& x, IntArrayRef weight_sizes, const ConvParams& p);

// 4-D operands are 2-d convolutions (1-d ones included), 5-D ones 3-d.
FusedOp conv_op(const Tensor& x) { return x.dim() == 5 ? FusedOp::Conv3d : FusedOp::Conv2d; }

// The dtype a convolution runs in: the tensors' own where the backend's fused kernels take it (bfloat16 on CPUs
// with bf16 dot-product instructions, accumulating in float32), else the usual widening.
ScalarType conv_dtype(Device device, ScalarType t, FusedOp op) {
  const ScalarType widened = compute_dtype(device, t);
  return widened != t && detail::fused_for(device, op, t) ? t : widened;
}

int64_t conv_out_size(int64_t in, int64_t k, int64_t s, int64_t pad, int64_t d) {
  return (in + 2 * pad - d * (k - 1) - 1) / s + 1;
}

// The output sizes of conv(x, w) for 4-D or 5-D operands.
SizeVec conv_out_sizes(const Tensor& x, const Tensor& w, const ConvParams& p) {
  SizeVec sizes{x.size(0), w.size(0)};
  if (x.dim() == 5)
    sizes.push_back(conv_out_size(x.size(2), w.size(2), p.depth_stride, p.depth_padding, p.depth_dilation));
  for (int d = 0; d < 2; ++d)
    sizes.push_back(
        conv_out_size(x.size(x.dim() - 2 + d), w.size(w.dim() - 2 + d), p.stride[d], p.padding[d], p.dilation[d]));
  return sizes;
}

// ---- 3-d convolutions composed from 2-d ones, for a backend without 3-d kernels ------------------------------
// Each output depth becomes a batch entry whose channels are the input planes its kernel-depth taps read, ordered
// (channel, kd) as weight [OC, C / G, KD, KH, KW] flattens to [OC, C / G * KD, KH, KW]: one 2-d pass plus one
// gathering copy. The input gradient is the adjoint: a 2-d input gradient, each plane added back to its depth.

// The planes of x [N, C, D, H, W] that output depths [0, OD) read: [N * OD, C * KD, H, W].
Tensor fold_depth(const Tensor& x, int64_t OD, int64_t KD, const ConvParams& p) {
  const int64_t N = x.size(0), C = x.size(1), H = x.size(3), W = x.size(4), pd = p.depth_padding;
  const Tensor padded = pd > 0 ? pad(x, {0, 0, 0, 0, pd, pd}) : x;
  std::vector<Tensor> taps;  // per kd: [N, OD, C, H, W], the planes od * stride + kd * dilation
  for (int64_t kd = 0; kd < KD; ++kd) {
    const int64_t first = kd * p.depth_dilation;
    taps.push_back(
        padded.slice(2, first, first + (OD - 1) * p.depth_stride + 1, p.depth_stride).permute({0, 2, 1, 3, 4}));
  }
  return stack(taps, 3).view({N * OD, C * KD, H, W});
}

// [N, OC, OD, OH, OW] <-> [N * OD, OC, OH, OW]
Tensor depth_to_batch(const Tensor& y) {
  return y.permute({0, 2, 1, 3, 4}).reshape({y.size(0) * y.size(2), y.size(1), y.size(3), y.size(4)});
}
Tensor batch_to_depth(const Tensor& y, int64_t N) {
  return y.view({N, y.size(0) / N, y.size(1), y.size(2), y.size(3)}).permute({0, 2, 1, 3, 4}).contiguous();
}
Tensor flat_kernel(const Tensor& w) { return w.reshape({w.size(0), -1, w.size(3), w.size(4)}); }

Tensor composed_conv3d(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParams& p, IntArrayRef out_sizes) {
  return batch_to_depth(conv_forward(fold_depth(x, out_sizes[2], w.size(2), p), flat_kernel(w), b, p), x.size(0));
}

Tensor composed_conv3d_backward_input(const Tensor& gy, const Tensor& w, IntArrayRef input_sizes, const ConvParams& p) {
  const int64_t N = input_sizes[0], C = input_sizes[1], D = input_sizes[2], H = input_sizes[3], W = input_sizes[4];
  const int64_t OD = gy.size(2), KD = w.size(2);
  // [N * OD, C * KD, H, W]: what output depth od's tap kd sends back to input depth od * stride + kd * dilation.
  const Tensor planes = conv_input_grad(depth_to_batch(gy), flat_kernel(w), {N * OD, C * KD, H, W}, p);
  std::vector<int64_t> depth;
  for (int64_t od = 0; od < OD; ++od)
    for (int64_t kd = 0; kd < KD; ++kd) depth.push_back(od * p.depth_stride + kd * p.depth_dilation);
  const Tensor per_depth = planes.view({N, OD, C, KD, H, W}).permute({0, 2, 1, 3, 4, 5}).reshape({N, C, OD * KD, H, W});
  // Padded depth: the taps' reach, or the input's extent where the last rows are ones no tap reads.
  const int64_t full = std::max(depth.back() + 1, p.depth_padding + D);
  return zeros({N, C, full, H, W}, gy.options())
      .index_add(2, tensor(depth, TensorOptions().device(gy.device())), per_depth)
      .narrow(2, p.depth_padding, D)
      .contiguous();
}

Tensor composed_conv3d_backward_weight(const Tensor& gy, const Tensor& x, IntArrayRef weight_sizes,
                                       const ConvParams& p) {
  const Tensor folded = fold_depth(x, gy.size(2), weight_sizes[2], p);
  return conv_weight_grad(depth_to_batch(gy), folded,
                          {weight_sizes[0], weight_sizes[1] * weight_sizes[2], weight_sizes[3], weight_sizes[4]}, p)
      .view(weight_sizes);
}

// ---- the three passes on the backend's kernels where it has them, else composed ---------------------------

Tensor forward_pass(FusedKernels* fused, const Tensor& x, const Tensor& w, const Tensor& b, const ConvParams& p,
                    IntArrayRef out_sizes) {
  const View bv = b.defined() ? view_of(b) : View{};
  if (fused) {
    Tensor out = make_empty(out_sizes, x.dtype(), x.device());
    if (x.dim() == 4) {
      fused->conv2d(view_of(out), view_of(x), view_of(w), b.defined() ? &bv : nullptr, p);
      return out;
    }
    if (fused->conv3d(view_of(out), view_of(x), view_of(w), b.defined() ? &bv : nullptr, p)) return out;
  }
  return x.dim() == 4 ? detail::composed_conv2d(x, w, b, p, out_sizes) : composed_conv3d(x, w, b, p, out_sizes);
}

Tensor input_pass(FusedKernels* fused, const Tensor& gy, const Tensor& w, IntArrayRef input_sizes,
                  const ConvParams& p) {
  if (fused) {
    Tensor out = make_empty(input_sizes, gy.dtype(), gy.device());
    if (gy.dim() == 4) {
      fused->conv2d_backward_input(view_of(out), view_of(gy), view_of(w), p);
      return out;
    }
    if (fused->conv3d_backward_input(view_of(out), view_of(gy), view_of(w), p)) return out;
  }
  return gy.dim() == 4 ? detail::composed_conv2d_backward_input(gy, w, input_sizes, p)
                       : composed_conv3d_backward_input(gy, w, input_sizes, p);
}

// The weight gradient on the backend's kernels, and the bias gradient with it where asked for (oneDNN fuses its
// reduction); undefined where a 3-d kernel declined.
Tensor fused_weight_pass(FusedKernels& fused, const Tensor& gy, const Tensor& x, IntArrayRef weight_sizes,
                         const ConvParams& p, Tensor* grad_bias) {
  Tensor gw = make_empty(weight_sizes, x.dtype(), x.device());
  View gbv;
  if (grad_bias) {
    *grad_bias = make_empty({weight_sizes[0]}, x.dtype(), x.device());
    gbv = view_of(*grad_bias);
  }
  if (x.dim() == 4) {
    fused.conv2d_backward_weight(view_of(gw), grad_bias ? &gbv : nullptr, view_of(gy), view_of(x), p);
    return gw;
  }
  return fused.conv3d_backward_weight(view_of(gw), grad_bias ? &gbv : nullptr, view_of(gy), view_of(x), p) ? gw
                                                                                                           : Tensor();
}

// ---- the recorded primitives ---------------------------------------------------------------------------------

// The first `sizes` windows of a convolution's output. A transposed convolution's output_padding of at least its
// stride (allowed below the dilation) adds rows past the last window; a convolution over them, as in the
// derivatives below, then has windows there too, which belong to no element of the original gradient.
Tensor first_windows(Tensor y, IntArrayRef sizes) {
  for (int64_t d = 2; d < y.dim(); ++d)
    if (y.size(d) != sizes[size_t(d)]) y = y.narrow(d, 0, sizes[size_t(d)]);
  return y;
}

// y = conv(x, w) + b on 4-D or 5-D tensors already checked.
Tensor conv_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParams& p) {
  const SizeVec out_sizes = conv_out_sizes(x, w, p);
  Tensor out;
  {
    NoGradGuard guard;
    const ScalarType ct = conv_dtype(x.device(), x.dtype(), conv_op(x));
    const Tensor xc = as_compute(x, ct), wc = as_compute(w, ct);
    const Tensor bc = b.defined() ? as_compute(b, ct) : Tensor();
    out = product(out_sizes) == 0
              ? make_empty(out_sizes, ct, x.device())
              : forward_pass(detail::fused_for(x.device(), conv_op(x), ct), xc, wc, bc, p, out_sizes);
    if (ct != x.dtype()) out = out.to(x.dtype());
  }
  if (record_needed({&x, &w, &b}))
    record(x.dim() == 5 ? "conv3d" : "conv2d", {&x, &w, &b}, out, [sx = save(x), sw = save(w), p](Grads g) {
      const Tensor& gy = g.out[0];
      const Tensor x = sx.get(), w = sw.get();
      if (g.needed(0)) g.in[0] = conv_input_grad(gy, w, x.sizes(), p);
      const ScalarType ct = conv_dtype(x.device(), x.dtype(), conv_op(x));
      FusedKernels* fused = detail::fused_for(x.device(), conv_op(x), ct);
      if (g.needed(1) && g.needed(2) && !detail::grad_mode_enabled() && fused) {
        // Plain backward: one kernel call gives both.
        Tensor gb;
        const Tensor gw = fused_weight_pass(*fused, as_compute(gy, ct), as_compute(x, ct), w.sizes(), p, &gb);
        if (gw.defined()) {
          g.in[1] = gw;
          g.in[2] = gb;
          return;
        }
      }
      if (g.needed(1)) g.in[1] = conv_weight_grad(gy, x, w.sizes(), p);
      if (g.needed(2)) g.in[2] = x.dim() == 5 ? gy.sum({0, 2, 3, 4}) : gy.sum({0, 2, 3});
    });
  return out;
}

// d(conv)/d(input) applied to gy: a transposed convolution of gy with w, shaped as the input.
Tensor conv_input_grad(const Tensor& gy, const Tensor& w, IntArrayRef input_sizes, const ConvParams& p) {
  Tensor out;
  {
    NoGradGuard guard;
    const ScalarType ct = conv_dtype(gy.device(), gy.dtype(), conv_op(gy));
    const Tensor gyc = as_compute(gy, ct), wc = as_compute(w, ct);
    out = gyc.numel() == 0 || wc.numel() == 0
              ? zeros(input_sizes, TensorOptions().dtype(ct).device(gy.device()))
              : input_pass(detail::fused_for(gy.device(), conv_op(gy), ct), gyc, wc, input_sizes, p);
    if (ct != gy.dtype()) out = out.to(gy.dtype());
  }
  if (record_needed(gy, w))
    record(gy.dim() == 5 ? "conv3d_backward_input" : "conv2d_backward_input", {&gy, &w}, out,
           [sgy = save(gy), sw = save(w), p](Grads g) {
             const Tensor& gg = g.out[0];
             if (g.needed(0)) g.in[0] = first_windows(conv_forward(gg, sw.get(), Tensor(), p), sgy.get().sizes());
             if (g.needed(1)) g.in[1] = conv_weight_grad(sgy.get(), gg, sw.get().sizes(), p);
           });
  return out;
}

// d(conv)/d(weight) applied to gy, given the forward input x.
Tensor conv_weight_grad(const Tensor& gy, const Tensor& x, IntArrayRef weight_sizes, const ConvParams& p) {
  Tensor out;
  {
    NoGradGuard guard;
    const ScalarType ct = conv_dtype(x.device(), x.dtype(), conv_op(x));
    const Tensor gyc = as_compute(gy, ct), xc = as_compute(x, ct);
    FusedKernels* fused = detail::fused_for(x.device(), conv_op(x), ct);
    if (gyc.numel() == 0 || xc.numel() == 0)
      out = zeros(weight_sizes, TensorOptions().dtype(ct).device(x.device()));
    else if (fused)
      out = fused_weight_pass(*fused, gyc, xc, weight_sizes, p, nullptr);
    if (!out.defined())
      out = x.dim() == 4 ? detail::composed_conv2d_backward_weight(gyc, xc, weight_sizes, p)
                         : composed_conv3d_backward_weight(gyc, xc, weight_sizes, p);
    if (ct != x.dtype()) out = out.to(x.dtype());
  }
  if (record_needed(gy, x))
    record(x.dim() == 5 ? "conv3d_backward_weight" : "conv2d_backward_weight", {&gy, &x}, out,
           [sgy = save(gy), sx = save(x), p](Grads g) {
             const Tensor& gg = g.out[0];
             if (g.needed(0)) g.in[0] = first_windows(conv_forward(sx.get(), gg, Tensor(), p), sgy.get().sizes());
             if (g.needed(1)) g.in[1] = conv_input_grad(sgy.get(), gg, sx.get().sizes(), p);
           });
  return out;
}

// ---- argument checking -------------------------------------------------------------------------------------

// stride, padding and dilation for each of `spatial` dims (1 to 3), checked.
struct SpatialArgs {
  int spatial = 2;
  int64_t stride[3] = {1, 1, 1}, padding[3] = {0, 0, 0}, dilation[3] = {1, 1, 1};
  int64_t groups = 1;

  // The kernels' parameters: the last two dims (a 1-d op runs over a height of 1), and a 3-d op's depth.
  ConvParams params() const {
    ConvParams p;
    p.groups = groups;
    for (int i = 0; i < std::min(spatial, 2); ++i) {
      const int from = spatial - 1 - i, to = 1 - i;
      p.stride[to] = stride[from];
      p.padding[to] = padding[from];
      p.dilation[to] = dilation[from];
    }
    if (spatial == 3) {
      p.depth_stride = stride[0];
      p.depth_padding = padding[0];
      p.depth_dilation = dilation[0];
    }
    return p;
  }
};

SpatialArgs conv_args(const char* op, int spatial, IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation,
                      int64_t groups) {
  SpatialArgs a;
  a.spatial = spatial;
  detail::spread_spatial(op, "stride", stride, spatial, a.stride, 1);
  detail::spread_spatial(op, "padding", padding, spatial, a.padding, 0);
  detail::spread_spatial(op, "dilation", dilation, spatial, a.dilation, 1);
  WICK_CHECK(groups > 0, op, "groups must be positive, got ", groups);
  a.groups = groups;
  return a;
}

void check_operands(const char* op, int spatial, const Tensor& input, const Tensor& weight, const Tensor& bias) {
  WICK_CHECK(input.defined() && weight.defined(), op, "input and weight must be defined tensors");
  WICK_CHECK(input.dim() == spatial + 1 || input.dim() == spatial + 2, op, "expected a ", spatial + 1,
             "-D (unbatched) or ", spatial + 2, "-D (batched) input, got shape ", shape_str(input.sizes()));
  WICK_CHECK(weight.dim() == spatial + 2, op, "expected a ", spatial + 2, "-D weight, got shape ",
             shape_str(weight.sizes()));
  check_same_device(op, input, weight);
  WICK_CHECK(is_floating_point(input.dtype()), op, "expected a floating point input, got ", dtype_name(input.dtype()));
  WICK_CHECK(input.dtype() == weight.dtype(), op, "input (", dtype_name(input.dtype()), ") and weight (",
             dtype_name(weight.dtype()), ") must have the same dtype");
  if (bias.defined()) {
    check_same_device(op, input, bias);
    WICK_CHECK(bias.dtype() == input.dtype(), op, "bias (", dtype_name(bias.dtype()), ") and input (",
               dtype_name(input.dtype()), ") must have the same dtype");
  }
}

// A convolution's channels, groups, bias and kernel extents against its (checked) operands, any rank.
void check_conv_shapes(const char* op, const Tensor& input, const Tensor& weight, const Tensor& bias,
                       const SpatialArgs& a) {
  const int64_t C = input.size(input.dim() - a.spatial - 1), OC = weight.size(0), groups = a.groups;
  WICK_CHECK(OC > 0, op, "weight of shape ", shape_str(weight.sizes()), " has no output channels");
  WICK_CHECK(OC % groups == 0, op, "out_channels (weight.size(0) = ", OC, ") must be divisible by groups (", groups,
             "); weight ", shape_str(weight.sizes()));
  WICK_CHECK(C == weight.size(1) * groups, op, "input of shape ", shape_str(input.sizes()), " has ", C,
             " channels, but weight of shape ", shape_str(weight.sizes()), " with groups=", groups, " expects ",
             weight.size(1) * groups, " channels");
  if (bias.defined())
    WICK_CHECK(bias.dim() == 1 && bias.size(0) == OC, op, "expected bias of shape [", OC, "], got ",
               shape_str(bias.sizes()));
  for (int d = 0; d < a.spatial; ++d) {
    const int64_t padded = input.size(input.dim() - a.spatial + d) + 2 * a.padding[d];
    const int64_t extent = a.dilation[d] * (weight.size(2 + d) - 1) + 1;
    WICK_CHECK(extent <= padded, op, "kernel size ",
               shape_str(IntArrayRef(weight.sizes().data() + 2, size_t(a.spatial))), " (dilated extent ", extent,
               ") is larger than the padded input (", padded, ") of input shape ", shape_str(input.sizes()));
  }
}

// A transposed convolution's channels and bias against its (checked) operands, and its output's spatial sizes.
SizeVec check_conv_transpose_shapes(const char* op, const Tensor& input, const Tensor& weight, const Tensor& bias,
                                    const SpatialArgs& a, IntArrayRef output_padding, IntArrayRef stride,
                                    IntArrayRef padding, IntArrayRef dilation) {
  int64_t out_pad[3] = {0, 0, 0};
  detail::spread_spatial(op, "output_padding", output_padding, a.spatial, out_pad, 0);
  const int64_t C = input.size(input.dim() - a.spatial - 1);
  WICK_CHECK(C == weight.size(0), op, "input of shape ", shape_str(input.sizes()), " has ", C,
             " channels, but weight of shape ", shape_str(weight.sizes()), " expects ", weight.size(0),
             " (weight [in_channels, out_channels / groups, ...])");
  WICK_CHECK(C % a.groups == 0, op, "in_channels (", C, ") must be divisible by groups (", a.groups, ")");
  const int64_t OC = weight.size(1) * a.groups;
  if (bias.defined())
    WICK_CHECK(bias.dim() == 1 && bias.size(0) == OC, op, "expected bias of shape [", OC, "], got ",
               shape_str(bias.sizes()));
  SizeVec sizes;
  for (int d = 0; d < a.spatial; ++d) {
    WICK_CHECK(out_pad[d] < a.stride[d] || out_pad[d] < a.dilation[d], op,
               "output_padding must be smaller than either stride or dilation, got output_padding ",
               shape_str(output_padding), ", stride ", shape_str(stride), ", dilation ", shape_str(dilation));
    const int64_t in = input.size(input.dim() - a.spatial + d);
    const int64_t size =
        (in - 1) * a.stride[d] - 2 * a.padding[d] + a.dilation[d] * (weight.size(2 + d) - 1) + out_pad[d] + 1;
    WICK_CHECK(size > 0, op, "input of shape ", shape_str(input.sizes()), " gives a non-positive output size ", size,
               " (padding ", shape_str(padding), " is too large)");
    sizes.push_back(size);
  }
  return sizes;
}

// Lifts a 1-d or unbatched operand to the 4-D NCHW form the kernels take (5-D NCDHW for 3-d).
Tensor lift_input(const Tensor& x, int spatial) {
  Tensor t = x.dim() == spatial + 1 ? x.unsqueeze(0) : x;
  return spatial == 1 ? t.unsqueeze(2) : t;
}
Tensor lower_output(const Tensor& y, int spatial, bool unbatched) {
  Tensor t = spatial == 1 ? y.squeeze(2) : y;
  return unbatched ? t.squeeze(0) : t;
}

Tensor conv_nd(const char* op, int spatial, const Tensor& input, const Tensor& weight, const Tensor& bias,
               IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation, int64_t groups) {
  if (detail::AutocastOp ac{detail::autocast_lists::conv, input.device()})
    return conv_nd(op, spatial, ac(input), ac(weight), ac(bias), stride, padding, dilation, groups);
  check_operands(op, spatial, input, weight, bias);
  const SpatialArgs a = conv_args(op, spatial, stride, padding, dilation, groups);
  check_conv_shapes(op, input, weight, bias, a);
  const bool unbatched = input.dim() == spatial + 1;
  const Tensor x = lift_input(input, spatial);
  const Tensor w = spatial == 1 ? weight.unsqueeze(2) : weight;
  return lower_output(conv_forward(x, w, bias, a.params()), spatial, unbatched);
}

Tensor conv_transpose_nd(const char* op, int spatial, const Tensor& input, const Tensor& weight, const Tensor& bias,
                         IntArrayRef stride, IntArrayRef padding, IntArrayRef output_padding, int64_t groups,
                         IntArrayRef dilation) {
  if (detail::AutocastOp ac{detail::autocast_lists::conv_transpose, input.device()})
    return conv_transpose_nd(op, spatial, ac(input), ac(weight), ac(bias), stride, padding, output_padding, groups,
                             dilation);
  check_operands(op, spatial, input, weight, bias);
  const SpatialArgs a = conv_args(op, spatial, stride, padding, dilation, groups);
  const SizeVec out_spatial =
      check_conv_transpose_shapes(op, input, weight, bias, a, output_padding, stride, padding, dilation);
  const bool unbatched = input.dim() == spatial + 1;
  const Tensor x = lift_input(input, spatial);
  const int64_t OC = weight.size(1) * groups;
  const Tensor w = spatial == 1 ? weight.unsqueeze(2) : weight;
  SizeVec out_sizes{x.size(0), OC};
  if (spatial == 1) out_sizes.push_back(1);
  for (const int64_t size : out_spatial) out_sizes.push_back(size);
  Tensor out = conv_input_grad(x, w, out_sizes, a.params());
  if (bias.defined()) {
    SizeVec bias_shape(size_t(out.dim()), 1);
    bias_shape[1] = OC;
    out = out + bias.view(bias_shape);
  }
  return lower_output(out, spatial, unbatched);
}

}  // namespace

namespace detail {
Tensor conv_padding_mode(const char* op, int spatial, const Tensor& input, const Tensor& weight, const Tensor& bias,
                         IntArrayRef stride, std::string_view padding, IntArrayRef dilation, int64_t groups) {
  if (padding == "valid") return conv_nd(op, spatial, input, weight, bias, stride, 0, dilation, groups);
  WICK_CHECK(padding == "same", op, "padding must be \"same\" or \"valid\", got \"", std::string(padding), "\"");
  check_operands(op, spatial, input, weight, bias);
  const SpatialArgs a = conv_args(op, spatial, stride, 0, dilation, groups);
  for (int d = 0; d < spatial; ++d)
    WICK_CHECK(a.stride[d] == 1, op, "padding=\"same\" is not supported for strided convolutions (stride ",
               shape_str(stride), ")");
  // Total padding d * (k - 1) per dim: half on each side, the odd one on the far side (as PyTorch).
  SizeVec sym, extra;  // extra: pad() order, last dim first
  bool asymmetric = false;
  for (int d = spatial - 1; d >= 0; --d) {
    const int64_t total = a.dilation[d] * (weight.size(2 + d) - 1);
    extra.push_back(0);
    extra.push_back(total % 2);
    asymmetric |= total % 2 != 0;
  }
  for (int d = 0; d < spatial; ++d) sym.push_back(a.dilation[d] * (weight.size(2 + d) - 1) / 2);
  const Tensor x = asymmetric ? pad(input, extra) : input;
  return conv_nd(op, spatial, x, weight, bias, stride, sym, dilation, groups);
}
}  // namespace detail

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride, IntArrayRef padding,
              IntArrayRef dilation, int64_t groups) {
  WICK_PROFILE_OP("conv2d", input, weight, bias);
  return conv_nd("conv2d", 2, input, weight, bias, stride, padding, dilation, groups);
}

Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride, IntArrayRef padding,
              IntArrayRef dilation, int64_t groups) {
  WICK_PROFILE_OP("conv1d", input, weight, bias);
  const uint64_t since = detail::tape_position();
  return detail::named(conv_nd("conv1d", 1, input, weight, bias, stride, padding, dilation, groups), "conv1d", since);
}

Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
                        IntArrayRef padding, IntArrayRef output_padding, int64_t groups, IntArrayRef dilation) {
  WICK_PROFILE_OP("conv_transpose2d", input, weight, bias);
  const uint64_t since = detail::tape_position();
  return detail::named(
      conv_transpose_nd("conv_transpose2d", 2, input, weight, bias, stride, padding, output_padding, groups, dilation),
      "conv_transpose2d", since);
}

Tensor conv_transpose1d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
                        IntArrayRef padding, IntArrayRef output_padding, int64_t groups, IntArrayRef dilation) {
  WICK_PROFILE_OP("conv_transpose1d", input, weight, bias);
  const uint64_t since = detail::tape_position();
  return detail::named(
      conv_transpose_nd("conv_transpose1d", 1, input, weight, bias, stride, padding, output_padding, groups, dilation),
      "conv_transpose1d", since);
}

Tensor conv3d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride, IntArrayRef padding,
              IntArrayRef dilation, int64_t groups) {
  WICK_PROFILE_OP("conv3d", input, weight, bias);
  const uint64_t since = detail::tape_position();
  return detail::named(conv_nd("conv3d", 3, input, weight, bias, stride, padding, dilation, groups), "conv3d", since);
}

Tensor conv_transpose3d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
                        IntArrayRef padding, IntArrayRef output_padding, int64_t groups, IntArrayRef dilation) {
  WICK_PROFILE_OP("conv_transpose3d", input, weight, bias);
  const uint64_t since = detail::tape_position();
  return detail::named(
      conv_transpose_nd("conv_transpose3d", 3, input, weight, bias, stride, padding, output_padding, groups, dilation),
      "conv_transpose3d", since);
}

}  // namespace wick
