// The contract between wick's op layer and a device. A backend implements these ~30 primitives over
// strided views; everything else (activations, losses, attention, most gradients) is composed from them
// in lib/. Kernels see raw views only: no Tensor, no tape.
//
// Conventions every primitive follows:
// - Views passed together have already been broadcast by lib/ to one shape (stride 0 on broadcast dims),
//   except where a primitive says otherwise (reduce, matmul, gather/scatter, index ops).
// - Strides and offsets are in elements, never bytes. `data` already points at the view's first element.
// - Inputs and output of an elementwise primitive share one dtype, except comparison/logical outputs
//   (bool) and `copy` (which casts). lib/ converts operands before calling.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ops.h"
#include "wick/device.h"
#include "wick/dtype.h"

namespace wick {

struct View {
  void* data = nullptr;
  ScalarType dtype = ScalarType::Float;
  int ndim = 0;
  const int64_t* sizes = nullptr;
  const int64_t* strides = nullptr;

  int64_t numel() const {
    int64_t n = 1;
    for (int i = 0; i < ndim; ++i) n *= sizes[i];
    return n;
  }
  bool is_contiguous() const {
    int64_t expected = 1;
    for (int i = ndim - 1; i >= 0; --i) {
      if (sizes[i] != 1 && strides[i] != expected) return false;
      expected *= sizes[i];
    }
    return true;
  }
};

enum class RandomKind : uint8_t {
  Uniform,    // [a, b)
  Normal,     // mean a, std b
  Integer,    // [a, b) integers
  Bernoulli,  // 1 with probability a
};

// 2-D convolution geometry (NCHW input, [out_channels, in_channels / groups, kH, kW] weight). 1-D
// convolutions are 2-D ones with H = 1.
struct ConvParams {
  int64_t stride[2] = {1, 1};
  int64_t padding[2] = {0, 0};
  int64_t dilation[2] = {1, 1};
  int64_t groups = 1;
};

struct PoolParams {
  int64_t kernel[2] = {1, 1};
  int64_t stride[2] = {1, 1};
  int64_t padding[2] = {0, 0};
  int64_t dilation[2] = {1, 1};
  bool ceil_mode = false;
  bool count_include_pad = true;  // average pooling only
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual DeviceType type() const = 0;
  virtual int device_count() const { return 1; }

  // ---- memory -------------------------------------------------------------------------------------
  // Cached: freed blocks return to a free list keyed by size class; the hot path never hits the OS.
  virtual void* allocate(size_t nbytes, int device_index) = 0;
  virtual void deallocate(void* ptr, size_t nbytes, int device_index) = 0;
  virtual void empty_cache() {}
  // Raw byte copies between this device and host memory, or within this device.
  virtual void copy_from_host(void* dst, const void* src, size_t nbytes, int device_index) = 0;
  virtual void copy_to_host(void* dst, const void* src, size_t nbytes, int device_index) = 0;
  virtual void synchronize(int /*device_index*/) {}
  // Whether elementwise/reduction/matmul primitives take this dtype directly; if not, lib/ widens
  // float16/bfloat16 operands to float32, computes, and rounds the result back (as PyTorch's CPU does).
  virtual bool computes_natively(ScalarType t) const { return t != ScalarType::Half && t != ScalarType::BFloat16; }
  // Intra-op threads (CPU); devices without such a notion ignore it.
  virtual void set_num_threads(int /*n*/) {}
  virtual int get_num_threads() const { return 1; }
  // Whether the calling thread flushes denormals to zero (CPU: x86's FTZ+DAZ, aarch64's FZ). set returns false,
  // changing nothing, where the device has no such control.
  virtual bool set_flush_denormal(bool /*on*/) { return false; }
  virtual bool flush_denormal() const { return false; }

  // ---- elementwise ------------------------------------------------------------------------------
  // out[i] = value converted to out.dtype.
  virtual void fill(const View& out, double value) = 0;
  // out[i] = cast(in[i]); in may have another dtype, both share out's shape.
  virtual void copy(const View& out, const View& in) = 0;
  virtual void unary(UnaryOp op, const View& out, const View& in, double p0, double p1) = 0;
  virtual void binary(BinaryOp op, const View& out, const View& a, const View& b) = 0;
  // out = cond ? a : b; cond is bool.
  virtual void where(const View& out, const View& cond, const View& a, const View& b) = 0;

  // ---- reductions -------------------------------------------------------------------------------
  // `out` has in's shape with stride 0 on every reduced dim; the result lands once per output element.
  virtual void reduce(ReduceOp op, const View& out, const View& in) = 0;
  // Max/min along `dim` with the index of the first extreme (int64); both outputs keep dim with size 1.
  virtual void arg_reduce(ArgReduceOp op, const View* values, const View& indices, const View& in, int dim) = 0;

  // ---- linear algebra ---------------------------------------------------------------------------
  // out[b] = a[b] @ b[b] for 3-D views [B, M, K] x [B, K, N] -> [B, M, N]; any strides (transposes are
  // strides). out is contiguous. Float and double; half/bfloat16 where the device supports them.
  virtual void matmul(const View& out, const View& a, const View& b) = 0;

  // ---- indexing ---------------------------------------------------------------------------------
  // out = in.index_select(dim, index): index is 1-D int64, already range-checked.
  virtual void index_select(const View& out, const View& in, int dim, const View& index) = 0;
  // out.index_add_(dim, index, src): out[..., index[i], ...] += src[..., i, ...].
  virtual void index_add(const View& out, int dim, const View& index, const View& src) = 0;
  // out = in.gather(dim, index): index has out's shape.
  virtual void gather(const View& out, const View& in, int dim, const View& index) = 0;
  // out.scatter_(dim, index, src) (accumulate=false) or out.scatter_add_ (accumulate=true).
  virtual void scatter(const View& out, int dim, const View& index, const View& src, bool accumulate) = 0;

  // ---- random -----------------------------------------------------------------------------------
  // Counter-based (Philox 4x32-10): element i of a call draws from stream (seed, offset + i), so runs
  // reproduce exactly for one seed regardless of threading. out is contiguous.
  virtual void random(const View& out, RandomKind kind, double a, double b, uint64_t seed, uint64_t offset) = 0;

  // ---- fused hot paths --------------------------------------------------------------------------
  // softmax / log_softmax along dim (contiguous in and out).
  virtual void softmax(const View& out, const View& in, int dim, bool log) = 0;
  // grad_in = softmax backward given the forward output (contiguous).
  virtual void softmax_backward(const View& grad_in, const View& grad_out, const View& out, int dim, bool log) = 0;

  // Convolution and pooling, NCHW, all views contiguous. Output shapes are computed by lib/.
  // out = conv2d(input, weight) (+ bias when given).
  virtual void conv2d(const View& out, const View& input, const View& weight, const View* bias,
                      const ConvParams& p) = 0;
  // grad_input = d(conv2d)/d(input) applied to grad_out (also the forward of a transposed convolution).
  virtual void conv2d_backward_input(const View& grad_input, const View& grad_out, const View& weight,
                                     const ConvParams& p) = 0;
  // grad_weight (and grad_bias when given) from grad_out and the forward input.
  virtual void conv2d_backward_weight(const View& grad_weight, const View* grad_bias, const View& grad_out,
                                      const View& input, const ConvParams& p) = 0;
  // Max pooling; `indices` (int64, out's shape) holds each maximum's flat position within its input plane.
  virtual void max_pool2d(const View& out, const View& indices, const View& input, const PoolParams& p) = 0;
  virtual void max_pool2d_backward(const View& grad_input, const View& grad_out, const View& indices,
                                   const PoolParams& p) = 0;
  virtual void avg_pool2d(const View& out, const View& input, const PoolParams& p) = 0;
  virtual void avg_pool2d_backward(const View& grad_input, const View& grad_out, const PoolParams& p) = 0;

  // ---- normalisation (optional) -----------------------------------------------------------------
  // A backend that fuses normalisation says so for a dtype; for the others lib/ computes it from
  // reductions and arithmetic, as it does whenever a higher-order gradient is being built. The defaults
  // below are never reached: lib/ asks fuses_normalization first.
  virtual bool fuses_normalization(ScalarType /*t*/) const { return false; }
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

  // ---- recurrent cells (optional) ---------------------------------------------------------------
  // A backend that fuses one LSTM or GRU step's gate arithmetic says so for a dtype; for the others lib/
  // composes it from elementwise ops, as it does whenever a higher-order gradient is being built. All
  // tensors are contiguous [B, k*H]; gates follow PyTorch's order. The defaults are never reached.
  virtual bool fuses_recurrent_cells(ScalarType /*t*/) const { return false; }
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
};

}  // namespace wick
