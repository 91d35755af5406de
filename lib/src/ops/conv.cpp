// Convolutions. Three recorded primitives carry every derivative: the forward, its gradient with respect to
// the input (also the forward of a transposed convolution) and with respect to the weight. Each one's
// derivative is written with the other two, so gradients of any order come out of the same three kernels.
// conv1d is conv2d over a height of 1; "same" padding pads the input's far side when the total is odd. The
// kernels are the backend's fused ones where it has them, else compositions of primitives (conv_composed.h).
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

Tensor conv_input_grad(const Tensor& gy, const Tensor& w, IntArrayRef input_sizes, const ConvParams& p);
Tensor conv_weight_grad(const Tensor& gy, const Tensor& x, IntArrayRef weight_sizes, const ConvParams& p);

// The dtype a convolution runs in: the tensors' own where the backend's fused kernels take it (bfloat16 on CPUs
// with bf16 dot-product instructions, accumulating in float32), else the usual widening.
ScalarType conv_dtype(Device device, ScalarType t) {
  const ScalarType widened = compute_dtype(device, t);
  return widened != t && detail::fused_for(device, FusedOp::Conv2d, t) ? t : widened;
}

int64_t conv_out_size(int64_t in, int64_t k, int64_t s, int64_t pad, int64_t d) {
  return (in + 2 * pad - d * (k - 1) - 1) / s + 1;
}

// y = conv(x, w) + b on 4-D tensors already checked.
Tensor conv_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParams& p) {
  const SizeVec out_sizes{x.size(0), w.size(0),
                          conv_out_size(x.size(2), w.size(2), p.stride[0], p.padding[0], p.dilation[0]),
                          conv_out_size(x.size(3), w.size(3), p.stride[1], p.padding[1], p.dilation[1])};
  Tensor out;
  {
    NoGradGuard guard;
    const ScalarType ct = conv_dtype(x.device(), x.dtype());
    const Tensor xc = as_compute(x, ct), wc = as_compute(w, ct);
    const Tensor bc = b.defined() ? as_compute(b, ct) : Tensor();
    FusedKernels* fused = detail::fused_for(x.device(), FusedOp::Conv2d, ct);
    if (product(out_sizes) == 0) {
      out = make_empty(out_sizes, ct, x.device());
    } else if (fused) {
      out = make_empty(out_sizes, ct, x.device());
      const View bv = bc.defined() ? view_of(bc) : View{};
      fused->conv2d(view_of(out), view_of(xc), view_of(wc), bc.defined() ? &bv : nullptr, p);
    } else {
      out = detail::composed_conv2d(xc, wc, bc, p, out_sizes);
    }
    if (ct != x.dtype()) out = out.to(x.dtype());
  }
  if (record_needed({&x, &w, &b}))
    record("conv2d", {&x, &w, &b}, out, [sx = save(x), sw = save(w), p](Grads g) {
      const Tensor& gy = g.out[0];
      const Tensor x = sx.get(), w = sw.get();
      if (g.needed(0)) g.in[0] = conv_input_grad(gy, w, x.sizes(), p);
      const ScalarType ct = conv_dtype(x.device(), x.dtype());
      FusedKernels* fused = detail::fused_for(x.device(), FusedOp::Conv2d, ct);
      if (g.needed(1) && g.needed(2) && !detail::grad_mode_enabled() && fused) {
        // Plain backward: one kernel call gives both (oneDNN fuses the bias reduction).
        const Tensor gyc = as_compute(gy, ct), xc = as_compute(x, ct);
        Tensor gw = make_empty(w.sizes(), ct, x.device()), gb = make_empty({w.size(0)}, ct, x.device());
        const View gbv = view_of(gb);
        fused->conv2d_backward_weight(view_of(gw), &gbv, view_of(gyc), view_of(xc), p);
        g.in[1] = gw;
        g.in[2] = gb;
        return;
      }
      if (g.needed(1)) g.in[1] = conv_weight_grad(gy, x, w.sizes(), p);
      if (g.needed(2)) g.in[2] = gy.sum({0, 2, 3});
    });
  return out;
}

// d(conv)/d(input) applied to gy: a transposed convolution of gy with w, shaped as the input.
Tensor conv_input_grad(const Tensor& gy, const Tensor& w, IntArrayRef input_sizes, const ConvParams& p) {
  Tensor out;
  {
    NoGradGuard guard;
    const ScalarType ct = conv_dtype(gy.device(), gy.dtype());
    const Tensor gyc = as_compute(gy, ct), wc = as_compute(w, ct);
    FusedKernels* fused = detail::fused_for(gy.device(), FusedOp::Conv2d, ct);
    if (gyc.numel() == 0 || wc.numel() == 0) {
      out = zeros(input_sizes, TensorOptions().dtype(ct).device(gy.device()));
    } else if (fused) {
      out = make_empty(input_sizes, ct, gy.device());
      fused->conv2d_backward_input(view_of(out), view_of(gyc), view_of(wc), p);
    } else {
      out = detail::composed_conv2d_backward_input(gyc, wc, input_sizes, p);
    }
    if (ct != gy.dtype()) out = out.to(gy.dtype());
  }
  if (record_needed(gy, w))
    record("conv2d_backward_input", {&gy, &w}, out, [sgy = save(gy), sw = save(w), p](Grads g) {
      const Tensor& gg = g.out[0];
      if (g.needed(0)) g.in[0] = conv_forward(gg, sw.get(), Tensor(), p);
      if (g.needed(1)) g.in[1] = conv_weight_grad(sgy.get(), gg, sw.get().sizes(), p);
    });
  return out;
}

// d(conv)/d(weight) applied to gy, given the forward input x.
Tensor conv_weight_grad(const Tensor& gy, const Tensor& x, IntArrayRef weight_sizes, const ConvParams& p) {
  Tensor out;
  {
    NoGradGuard guard;
    const ScalarType ct = conv_dtype(x.device(), x.dtype());
    const Tensor gyc = as_compute(gy, ct), xc = as_compute(x, ct);
    FusedKernels* fused = detail::fused_for(x.device(), FusedOp::Conv2d, ct);
    if (gyc.numel() == 0 || xc.numel() == 0) {
      out = zeros(weight_sizes, TensorOptions().dtype(ct).device(x.device()));
    } else if (fused) {
      out = make_empty(weight_sizes, ct, x.device());
      fused->conv2d_backward_weight(view_of(out), nullptr, view_of(gyc), view_of(xc), p);
    } else {
      out = detail::composed_conv2d_backward_weight(gyc, xc, weight_sizes, p);
    }
    if (ct != x.dtype()) out = out.to(x.dtype());
  }
  if (record_needed(gy, x))
    record("conv2d_backward_weight", {&gy, &x}, out, [sgy = save(gy), sx = save(x), p](Grads g) {
      const Tensor& gg = g.out[0];
      if (g.needed(0)) g.in[0] = conv_forward(sx.get(), gg, Tensor(), p);
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

  // The 2-D kernels' parameters, from the last two dims (a 1-d op runs over a height of 1).
  ConvParams last_two() const {
    ConvParams p;
    p.groups = groups;
    for (int i = 0; i < std::min(spatial, 2); ++i) {
      const int from = spatial - 1 - i, to = 1 - i;
      p.stride[to] = stride[from];
      p.padding[to] = padding[from];
      p.dilation[to] = dilation[from];
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

// ---- 3-d: the depth dim folded into one 2-d convolution ----------------------------------------------------
// Each output depth becomes a batch entry whose channels are the input planes its kernel-depth taps read, ordered
// (channel, kd) as weight [OC, C / G, KD, KH, KW] flattens to [OC, C / G * KD, KH, KW]. So a conv3d is one conv2d
// (oneDNN's or the backend's kernels) plus one gathering copy, and its derivatives of any order are conv2d's and
// the views'. The transposed convolution is the adjoint: a transposed conv2d, then each plane added back to the
// output depth it came from.

// The planes of x [N, C, D, H, W] (padded along depth) that output depths [0, OD) read: [N * OD, C * KD, H, W].
Tensor fold_depth(const Tensor& x, int64_t OD, int64_t KD, const SpatialArgs& a) {
  const int64_t N = x.size(0), C = x.size(1), H = x.size(3), W = x.size(4), pd = a.padding[0];
  const Tensor padded = pd > 0 ? pad(x, {0, 0, 0, 0, pd, pd}) : x;
  std::vector<Tensor> taps;  // per kd: [N, OD, C, H, W], the planes od * stride + kd * dilation
  for (int64_t kd = 0; kd < KD; ++kd) {
    const int64_t first = kd * a.dilation[0];
    taps.push_back(padded.slice(2, first, first + (OD - 1) * a.stride[0] + 1, a.stride[0]).permute({0, 2, 1, 3, 4}));
  }
  return stack(taps, 3).view({N * OD, C * KD, H, W});
}

Tensor conv3d_forward(const Tensor& x, const Tensor& w, const Tensor& b, const SpatialArgs& a) {
  const int64_t N = x.size(0), OC = w.size(0), KD = w.size(2);
  const int64_t OD = conv_out_size(x.size(2), KD, a.stride[0], a.padding[0], a.dilation[0]);
  const Tensor y = conv_forward(fold_depth(x, OD, KD, a), w.reshape({OC, -1, w.size(3), w.size(4)}), b, a.last_two());
  return y.view({N, OD, OC, y.size(2), y.size(3)}).permute({0, 2, 1, 3, 4}).contiguous();
}

Tensor conv_transpose3d_forward(const Tensor& x, const Tensor& w, const SpatialArgs& a, IntArrayRef out_spatial) {
  const int64_t N = x.size(0), C = x.size(1), D = x.size(2), KD = w.size(2);
  const int64_t OC = w.size(1) * a.groups, OD = out_spatial[0], OH = out_spatial[1], OW = out_spatial[2];
  // Planes [N * D, OC * KD, OH, OW], channel (oc, kd): input depth d's contribution to output depth
  // d * stride + kd * dilation - padding.
  const Tensor planes =
      conv_input_grad(x.permute({0, 2, 1, 3, 4}).reshape({N * D, C, x.size(3), x.size(4)}),
                      w.reshape({C, -1, w.size(3), w.size(4)}), {N * D, OC * KD, OH, OW}, a.last_two());
  std::vector<int64_t> depth;
  for (int64_t d = 0; d < D; ++d)
    for (int64_t kd = 0; kd < KD; ++kd) depth.push_back(d * a.stride[0] + kd * a.dilation[0]);
  const Tensor per_depth =
      planes.view({N, D, OC, KD, OH, OW}).permute({0, 2, 1, 3, 4, 5}).reshape({N, OC, D * KD, OH, OW});
  const int64_t full = std::max(depth.back() + 1, a.padding[0] + OD);  // output_padding may reach past the taps
  const Tensor sums = zeros({N, OC, full, OH, OW}, x.options())
                          .index_add(2, tensor(depth, TensorOptions().device(x.device())), per_depth);
  return sums.narrow(2, a.padding[0], OD);
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
  if (spatial == 3) return lower_output(conv3d_forward(x, weight, bias, a), spatial, unbatched);
  const Tensor w = spatial == 1 ? weight.unsqueeze(2) : weight;
  return lower_output(conv_forward(x, w, bias, a.last_two()), spatial, unbatched);
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
  Tensor out;
  if (spatial == 3) {
    out = conv_transpose3d_forward(x, weight, a, out_spatial);
  } else {
    const Tensor w = spatial == 1 ? weight.unsqueeze(2) : weight;
    const SizeVec out_sizes{x.size(0), OC, spatial == 1 ? 1 : out_spatial[0], out_spatial[out_spatial.size() - 1]};
    out = conv_input_grad(x, w, out_sizes, a.last_two());
  }
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
