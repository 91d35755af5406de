// The optional extension of a backend: fused kernels for the hot composite ops. lib/ asks
// fused_for(device, op, dtype) (lib/src/fused.h) before each use and composes the op from the core primitives
// of backend.h when the backend has no extension, does not support the op for that dtype, or
// WICK_FUSED_KERNELS=0 switched the extension off (the test suite runs both ways). So a new device works with
// the core primitives alone, and fuses what it wants to speed up.
#pragma once

#include "backend.h"

namespace wick {

enum class FusedOp : uint8_t {
  Softmax,     // softmax, softmax_backward
  Conv2d,      // conv2d, conv2d_backward_input, conv2d_backward_weight
  Conv3d,      // conv3d, conv3d_backward_input, conv3d_backward_weight
  MaxPool2d,   // max_pool2d, max_pool2d_backward
  AvgPool2d,   // avg_pool2d, avg_pool2d_backward
  BatchNorm,   // batch_norm, batch_norm_backward
  LayerNorm,   // layer_norm, layer_norm_backward
  LstmCell,    // lstm_cell, lstm_cell_backward
  GruCell,     // gru_cell, gru_cell_backward
  LinearInt8,  // pack_int8_weight, linear_int8 (dtype: the activations', float32)
  kCount
};

class FusedKernels {
 public:
  virtual ~FusedKernels() = default;
  // Whether the kernels of `op` take tensors of dtype t. The others below are only called when this said yes;
  // their defaults report a bug in lib/ rather than run.
  virtual bool supports(FusedOp op, ScalarType t) const = 0;

  // ---- softmax: out = softmax / log_softmax of in along dim (contiguous in and out) ----------------------
  virtual void softmax(const View& out, const View& in, int dim, bool log);
  // grad_in = softmax backward given the forward output (contiguous).
  virtual void softmax_backward(const View& grad_in, const View& grad_out, const View& out, int dim, bool log);

  // ---- convolution and pooling: NCHW, all views contiguous, output shapes computed by lib/ ----------------
  // out = conv2d(input, weight) (+ bias when given).
  virtual void conv2d(const View& out, const View& input, const View& weight, const View* bias, const ConvParams& p);
  // grad_input = d(conv2d)/d(input) applied to grad_out (also the forward of a transposed convolution).
  virtual void conv2d_backward_input(const View& grad_input, const View& grad_out, const View& weight,
                                     const ConvParams& p);
  // grad_weight (and grad_bias when given) from grad_out and the forward input.
  virtual void conv2d_backward_weight(const View& grad_weight, const View* grad_bias, const View& grad_out,
                                      const View& input, const ConvParams& p);
  // 3-D convolution: NCDHW views, the depth dim's parameters in p.depth_*. Unlike the 2-D passes these may decline
  // a geometry (returning false, having written nothing): lib/ then composes the pass from 2-D convolutions.
  virtual bool conv3d(const View& out, const View& input, const View& weight, const View* bias, const ConvParams& p);
  virtual bool conv3d_backward_input(const View& grad_input, const View& grad_out, const View& weight,
                                     const ConvParams& p);
  virtual bool conv3d_backward_weight(const View& grad_weight, const View* grad_bias, const View& grad_out,
                                      const View& input, const ConvParams& p);
  // Max pooling; `indices` (int64, out's shape) holds each maximum's flat position within its input plane.
  virtual void max_pool2d(const View& out, const View& indices, const View& input, const PoolParams& p);
  virtual void max_pool2d_backward(const View& grad_input, const View& grad_out, const View& indices,
                                   const PoolParams& p);
  virtual void avg_pool2d(const View& out, const View& input, const PoolParams& p);
  virtual void avg_pool2d_backward(const View& grad_input, const View& grad_out, const PoolParams& p);

  // ---- normalisation ---------------------------------------------------------------------------------------
  // Batch normalisation per channel of `input` [N, C, S] (contiguous), over N and S:
  //   out = (input - mean) / sqrt(var + eps) * scale + shift
  // training: mean and var [C] are outputs, the batch's mean and biased variance; otherwise they are
  // inputs (running statistics). scale and shift [C] are optional (absent: 1 and 0).
  virtual void batch_norm(const View& out, const View& input, const View& mean, const View& var, const View* scale,
                          const View* shift, double eps, bool training);
  // Gradients of batch_norm given its saved mean and var; grad_scale/grad_shift only where given.
  virtual void batch_norm_backward(const View& grad_input, const View* grad_scale, const View* grad_shift,
                                   const View& grad_out, const View& input, const View& mean, const View& var,
                                   const View* scale, double eps, bool training);
  // Layer normalisation of each row of `input` [M, K] (contiguous); mean and var [M] are outputs, scale and
  // shift [K] optional.
  virtual void layer_norm(const View& out, const View& mean, const View& var, const View& input, const View* scale,
                          const View* shift, double eps);
  virtual void layer_norm_backward(const View& grad_input, const View* grad_scale, const View* grad_shift,
                                   const View& grad_out, const View& input, const View& mean, const View& var,
                                   const View* scale, double eps);

  // ---- recurrent cells: one LSTM or GRU step's gate arithmetic ----------------------------------------------
  // All tensors are contiguous [B, k*H]; gates follow PyTorch's order.
  // LSTM, gates (input, forget, cell, output) = input_gates + hidden_gates [B, 4H], cx [B, H]:
  //   i, f, o = sigmoid, g = tanh;  cy = f cx + i g;  hy = o tanh(cy).
  // workspace [B, 5H] receives i, f, g, o and tanh(cy): all the backward needs besides cx.
  virtual void lstm_cell(const View& hy, const View& cy, const View& workspace, const View& input_gates,
                         const View& hidden_gates, const View& cx);
  // grad_gates [B, 4H] (the gradient of both gate inputs) and grad_cx [B, H]; an absent output gradient is 0.
  virtual void lstm_cell_backward(const View& grad_gates, const View& grad_cx, const View* grad_hy, const View* grad_cy,
                                  const View& workspace, const View& cx);
  // GRU, gates (reset, update, new) [B, 3H] from the input (x*) and the hidden state (h*, with its bias):
  //   r = sigmoid(xr + hr), z = sigmoid(xz + hz), n = tanh(xn + r hn), hy = n + z (hx - n).
  // workspace [B, 4H] receives r, z, n and hn.
  virtual void gru_cell(const View& hy, const View& workspace, const View& input_gates, const View& hidden_gates,
                        const View& hx);
  // The gradients of both gate inputs [B, 3H] (they differ in the new gate: hn is scaled by r) and of hx.
  virtual void gru_cell_backward(const View& grad_input_gates, const View& grad_hidden_gates, const View& grad_hx,
                                 const View& grad_hy, const View& workspace, const View& hx);

  // ---- dynamic int8 quantization (int8_quantization.h gives the arithmetic and the packed layout) ------------
  // packed (int8, int8::packed_bytes(N, K) elements) = the layout of weight, int8 [N, K] contiguous.
  virtual void pack_int8_weight(const View& packed, const View& weight);
  // out [M, N] (float32, contiguous) = x [M, K] (float32, contiguous, finite) quantized for this call, times the
  // packed weight, dequantized with scale [N] (float32) and col_sum [N] (int32: each weight row's sum), plus bias
  // [N] when given. Throws when x holds a NaN or an infinity.
  virtual void linear_int8(const View& out, const View& x, const View& packed, const View& scale, const View& col_sum,
                           const View* bias);
};

}  // namespace wick
