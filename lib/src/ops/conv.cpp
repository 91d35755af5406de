// Convolutions. Three recorded primitives carry every derivative: the forward, its gradient with respect to
// the input (also the forward of a transposed convolution) and with respect to the weight. Each one's
// derivative is written with the other two, so gradients of any order come out of the same three kernels.
// conv1d is conv2d over a height of 1; "same" padding pads the input's far side when the total is odd. The
// kernels are the backend's fused ones where it has them, else compositions of primitives (conv_composed.h).
#include <string>

#include "fused.h"
#include "ops/conv_composed.h"
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

// One value for every spatial dim or one per dim, into the last `spatial` slots of out[2].
void spread(const char* op, const char* what, IntArrayRef v, int spatial, int64_t out[2], int64_t min) {
  WICK_CHECK(v.size() == 1 || int(v.size()) == spatial, op, what, " must have 1 or ", spatial, " values, got ",
             shape_str(v));
  for (int i = 0; i < spatial; ++i) {
    const int64_t x = v[v.size() == 1 ? 0 : size_t(i)];
    WICK_CHECK(x >= min, op, what, " must be ", min == 0 ? "non-negative" : "positive", ", got ", shape_str(v));
    out[2 - spatial + i] = x;
  }
}

ConvParams conv_params(const char* op, int spatial, IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation,
                       int64_t groups) {
  ConvParams p;
  spread(op, "stride", stride, spatial, p.stride, 1);
  spread(op, "padding", padding, spatial, p.padding, 0);
  spread(op, "dilation", dilation, spatial, p.dilation, 1);
  WICK_CHECK(groups > 0, op, "groups must be positive, got ", groups);
  p.groups = groups;
  return p;
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

// Lifts a 1-d or unbatched operand to the 4-D NCHW form the kernels take.
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
  const ConvParams p = conv_params(op, spatial, stride, padding, dilation, groups);
  const bool unbatched = input.dim() == spatial + 1;
  const Tensor x = lift_input(input, spatial);
  const Tensor w = spatial == 1 ? weight.unsqueeze(2) : weight;
  const int64_t C = x.size(1), OC = w.size(0);
  WICK_CHECK(OC > 0, op, "weight of shape ", shape_str(weight.sizes()), " has no output channels");
  WICK_CHECK(OC % groups == 0, op, "out_channels (weight.size(0) = ", OC, ") must be divisible by groups (", groups,
             "); weight ", shape_str(weight.sizes()));
  WICK_CHECK(C == w.size(1) * groups, op, "input of shape ", shape_str(input.sizes()), " has ", C,
             " channels, but weight of shape ", shape_str(weight.sizes()), " with groups=", groups, " expects ",
             w.size(1) * groups, " channels");
  if (bias.defined())
    WICK_CHECK(bias.dim() == 1 && bias.size(0) == OC, op, "expected bias of shape [", OC, "], got ",
               shape_str(bias.sizes()));
  for (int d = 2 - spatial; d < 2; ++d) {
    const int64_t padded = x.size(2 + d) + 2 * p.padding[d];
    const int64_t extent = p.dilation[d] * (w.size(2 + d) - 1) + 1;
    WICK_CHECK(extent <= padded, op, "kernel size ", shape_str(IntArrayRef(weight.sizes().data() + 2, size_t(spatial))),
               " (dilated extent ", extent, ") is larger than the padded input (", padded, ") of input shape ",
               shape_str(input.sizes()));
  }
  return lower_output(conv_forward(x, w, bias, p), spatial, unbatched);
}

Tensor conv_transpose_nd(const char* op, int spatial, const Tensor& input, const Tensor& weight, const Tensor& bias,
                         IntArrayRef stride, IntArrayRef padding, IntArrayRef output_padding, int64_t groups,
                         IntArrayRef dilation) {
  if (detail::AutocastOp ac{detail::autocast_lists::conv_transpose, input.device()})
    return conv_transpose_nd(op, spatial, ac(input), ac(weight), ac(bias), stride, padding, output_padding, groups,
                             dilation);
  check_operands(op, spatial, input, weight, bias);
  const ConvParams p = conv_params(op, spatial, stride, padding, dilation, groups);
  int64_t out_pad[2] = {0, 0};
  spread(op, "output_padding", output_padding, spatial, out_pad, 0);
  const bool unbatched = input.dim() == spatial + 1;
  const Tensor x = lift_input(input, spatial);
  const Tensor w = spatial == 1 ? weight.unsqueeze(2) : weight;
  const int64_t C = x.size(1);
  WICK_CHECK(C == w.size(0), op, "input of shape ", shape_str(input.sizes()), " has ", C,
             " channels, but weight of shape ", shape_str(weight.sizes()), " expects ", w.size(0),
             " (weight [in_channels, out_channels / groups, ...])");
  WICK_CHECK(C % groups == 0, op, "in_channels (", C, ") must be divisible by groups (", groups, ")");
  const int64_t OC = w.size(1) * groups;
  if (bias.defined())
    WICK_CHECK(bias.dim() == 1 && bias.size(0) == OC, op, "expected bias of shape [", OC, "], got ",
               shape_str(bias.sizes()));
  SizeVec out_sizes{x.size(0), OC, 0, 0};
  for (int d = 0; d < 2; ++d) {
    WICK_CHECK(out_pad[d] < p.stride[d] || out_pad[d] < p.dilation[d], op,
               "output_padding must be smaller than either stride or dilation, got output_padding ",
               shape_str(output_padding), ", stride ", shape_str(stride), ", dilation ", shape_str(dilation));
    const int64_t size =
        (x.size(2 + d) - 1) * p.stride[d] - 2 * p.padding[d] + p.dilation[d] * (w.size(2 + d) - 1) + out_pad[d] + 1;
    WICK_CHECK(size > 0, op, "input of shape ", shape_str(input.sizes()), " gives a non-positive output size ", size,
               " (padding ", shape_str(padding), " is too large)");
    out_sizes[size_t(2 + d)] = size;
  }
  Tensor out = conv_input_grad(x, w, out_sizes, p);
  if (bias.defined()) out = out + bias.view({1, OC, 1, 1});
  return lower_output(out, spatial, unbatched);
}

}  // namespace

namespace detail {
Tensor conv_padding_mode(const char* op, int spatial, const Tensor& input, const Tensor& weight, const Tensor& bias,
                         IntArrayRef stride, std::string_view padding, IntArrayRef dilation, int64_t groups) {
  if (padding == "valid") return conv_nd(op, spatial, input, weight, bias, stride, 0, dilation, groups);
  WICK_CHECK(padding == "same", op, "padding must be \"same\" or \"valid\", got \"", std::string(padding), "\"");
  check_operands(op, spatial, input, weight, bias);
  const ConvParams p = conv_params(op, spatial, stride, 0, dilation, groups);
  for (int d = 2 - spatial; d < 2; ++d)
    WICK_CHECK(p.stride[d] == 1, op, "padding=\"same\" is not supported for strided convolutions (stride ",
               shape_str(stride), ")");
  // Total padding d * (k - 1) per dim: half on each side, the odd one on the far side (as PyTorch).
  SizeVec sym, extra;  // extra: pad() order, last dim first
  bool asymmetric = false;
  for (int i = spatial - 1; i >= 0; --i) {
    const int d = 2 - spatial + i;
    const int64_t total = p.dilation[d] * (weight.size(2 + i) - 1);
    extra.push_back(0);
    extra.push_back(total % 2);
    asymmetric |= total % 2 != 0;
  }
  for (int i = 0; i < spatial; ++i) {
    const int d = 2 - spatial + i;
    sym.push_back(p.dilation[d] * (weight.size(2 + i) - 1) / 2);
  }
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

}  // namespace wick
