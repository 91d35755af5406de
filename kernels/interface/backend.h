// The contract between wick's op layer and a device. A backend implements these primitives (memory, copy and
// cast, elementwise ops, reductions, indexing, matmul, random numbers) over strided views; everything else
// (activations, losses, attention, convolution, pooling, most gradients) is composed from them in lib/, unless
// the backend also offers the fused extension of fused_kernels.h. Kernels see raw views only: no Tensor, no tape.
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
// convolutions are 2-D ones with H = 1; 3-D ones (NCDHW, FusedOp::Conv3d) add the depth dim's parameters, which
// the 2-D kernels ignore.
struct ConvParams {
  int64_t stride[2] = {1, 1};
  int64_t padding[2] = {0, 0};
  int64_t dilation[2] = {1, 1};
  int64_t groups = 1;
  int64_t depth_stride = 1, depth_padding = 0, depth_dilation = 1;
};

struct PoolParams {
  int64_t kernel[2] = {1, 1};
  int64_t stride[2] = {1, 1};
  int64_t padding[2] = {0, 0};
  int64_t dilation[2] = {1, 1};
  bool ceil_mode = false;
  bool count_include_pad = true;  // average pooling only
};

class FusedKernels;
struct ElementwiseProgram;

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
  // Whether matmul takes this dtype directly, accumulating in float32 (bfloat16 on CPUs with bf16 dot-product
  // instructions, where widening would throw away the hardware's speed); if not, lib/ widens it as above.
  virtual bool matmul_natively(ScalarType t) const { return computes_natively(t); }
  // Whether unary and binary (results that are not bool) take this dtype directly when every operand has it, the
  // output is contiguous and each input is laid out like it or is one value for all; lib/ then skips widening, as
  // above, for those calls. The results must equal widening, computing in float32 and rounding.
  virtual bool elementwise_natively(ScalarType t) const { return computes_natively(t); }
  // Intra-op threads (CPU); devices without such a notion ignore it.
  virtual void set_num_threads(int /*n*/) {}
  virtual int get_num_threads() const { return 1; }
  // Whether the calling thread flushes denormals to zero (CPU: x86's FTZ+DAZ, aarch64's FZ). set returns false,
  // changing nothing, where the device has no such control.
  virtual bool set_flush_denormal(bool /*on*/) { return false; }
  virtual bool flush_denormal() const { return false; }
  // Process-wide: the same output bits on every CPU of the device's kind, at any thread count (the CPU backend:
  // kernels/cpu/deterministic_numerics.h). set returns false, changing nothing, where the device has no such mode.
  virtual bool set_deterministic_numerics(bool /*on*/) { return false; }

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
  // Inclusive scan along `dim` (cumsum for Sum): out[..., i, ...] = in[..., 0, ...] op ... op in[..., i, ...].
  // out and in share shape and dtype; each op combines as in reduce (integers wrap, NaN wins max and min).
  virtual void scan(ReduceOp op, const View& out, const View& in, int dim) = 0;
  // Sorts every slice along `dim`, stably (equal elements keep their order; -0 equals 0), NaN as the largest
  // value: values (in's dtype) and indices (int64, the positions in the slice) have in's shape.
  virtual void sort(const View& values, const View& indices, const View& in, int dim, bool descending) = 0;

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

  // Runs a chain of elementwise ops in one pass (elementwise_program.h), or returns false having done nothing,
  // when the backend has no such evaluator or declines this program: the caller then runs the ops one by one.
  virtual bool run_elementwise_program(const ElementwiseProgram& /*program*/) { return false; }

  // ---- the optional extension --------------------------------------------------------------------
  // Fused softmax, convolution, pooling, normalisation and recurrent cells (fused_kernels.h), or nullptr: lib/
  // composes each of them from the primitives above, so a new device needs only those.
  virtual FusedKernels* fused_kernels() { return nullptr; }
};

}  // namespace wick
