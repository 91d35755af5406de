// The CPU backend: xsimd loops for contiguous data, strided loops for views, oneDNN (or the built-in
// GEMM) for matmul, oneDNN for convolution, normalisation and average pooling when built in, and the
// caching allocator.
#pragma once

#include "backend.h"
#include "fused_kernels.h"

namespace wick::cpu {

class CpuBackend final : public Backend, public FusedKernels {
 public:
  DeviceType type() const override { return DeviceType::CPU; }

  void* allocate(size_t nbytes, int device_index) override;
  void deallocate(void* ptr, size_t nbytes, int device_index) override;
  void empty_cache() override;
  void copy_from_host(void* dst, const void* src, size_t nbytes, int device_index) override;
  void copy_to_host(void* dst, const void* src, size_t nbytes, int device_index) override;
  void set_num_threads(int n) override;
  int get_num_threads() const override;
  bool set_flush_denormal(bool on) override;
  bool flush_denormal() const override;
  bool set_deterministic_numerics(bool on) override;

  void fill(const View& out, double value) override;
  void copy(const View& out, const View& in) override;
  void unary(UnaryOp op, const View& out, const View& in, double p0, double p1) override;
  void binary(BinaryOp op, const View& out, const View& a, const View& b) override;
  void where(const View& out, const View& cond, const View& a, const View& b) override;
  bool run_elementwise_program(const ElementwiseProgram& program) override;  // elementwise_program.cpp
  bool elementwise_natively(ScalarType t) const override;                    // bfloat16 too: elementwise_bf16.cpp

  void reduce(ReduceOp op, const View& out, const View& in) override;
  void arg_reduce(ArgReduceOp op, const View* values, const View& indices, const View& in, int dim) override;
  void scan(ReduceOp op, const View& out, const View& in, int dim) override;
  void sort(const View& values, const View& indices, const View& in, int dim, bool descending) override;

  void matmul(const View& out, const View& a, const View& b) override;
  bool matmul_natively(ScalarType t) const override;

  void index_select(const View& out, const View& in, int dim, const View& index) override;
  void index_add(const View& out, int dim, const View& index, const View& src) override;
  void gather(const View& out, const View& in, int dim, const View& index) override;
  void scatter(const View& out, int dim, const View& index, const View& src, bool accumulate) override;

  void random(const View& out, RandomKind kind, double a, double b, uint64_t seed, uint64_t offset) override;

  // ---- the fused extension: softmax, convolution, pooling (float32, float64), normalisation (float32 on oneDNN),
  // recurrent cells (float32, float64)
  FusedKernels* fused_kernels() override { return this; }
  bool supports(FusedOp op, ScalarType t) const override;

  void softmax(const View& out, const View& in, int dim, bool log) override;
  void softmax_backward(const View& grad_in, const View& grad_out, const View& out, int dim, bool log) override;

  void conv2d(const View& out, const View& input, const View& weight, const View* bias, const ConvParams& p) override;
  bool conv3d(const View& out, const View& input, const View& weight, const View* bias, const ConvParams& p) override;
  bool conv3d_backward_input(const View& grad_input, const View& grad_out, const View& weight,
                             const ConvParams& p) override;
  bool conv3d_backward_weight(const View& grad_weight, const View* grad_bias, const View& grad_out, const View& input,
                              const ConvParams& p) override;
  void conv2d_backward_input(const View& grad_input, const View& grad_out, const View& weight,
                             const ConvParams& p) override;
  void conv2d_backward_weight(const View& grad_weight, const View* grad_bias, const View& grad_out, const View& input,
                              const ConvParams& p) override;
  void max_pool2d(const View& out, const View& indices, const View& input, const PoolParams& p) override;
  void max_pool2d_backward(const View& grad_input, const View& grad_out, const View& indices,
                           const PoolParams& p) override;
  void avg_pool2d(const View& out, const View& input, const PoolParams& p) override;
  void avg_pool2d_backward(const View& grad_input, const View& grad_out, const PoolParams& p) override;

  void pack_int8_weight(const View& packed, const View& weight) override;  // linear_int8.cpp
  void linear_int8(const View& out, const View& x, const View& packed, const View& scale, const View& col_sum,
                   const View* bias) override;

  void batch_norm(const View& out, const View& input, const View& mean, const View& var, const View* scale,
                  const View* shift, double eps, bool training) override;  // batch_norm.cpp
  void batch_norm_backward(const View& grad_input, const View* grad_scale, const View* grad_shift, const View& grad_out,
                           const View& input, const View& mean, const View& var, const View* scale, double eps,
                           bool training) override;

#ifdef WICK_HAVE_ONEDNN  // normalization.cpp; without oneDNN lib/ composes layer norm from the kernels above
  void layer_norm(const View& out, const View& mean, const View& var, const View& input, const View* scale,
                  const View* shift, double eps) override;
  void layer_norm_backward(const View& grad_input, const View* grad_scale, const View* grad_shift, const View& grad_out,
                           const View& input, const View& mean, const View& var, const View* scale,
                           double eps) override;
#endif

  // recurrent.cpp: one LSTM/GRU step's gate arithmetic
  void lstm_cell(const View& hy, const View& cy, const View& workspace, const View& input_gates,
                 const View& hidden_gates, const View& cx) override;
  void lstm_cell_backward(const View& grad_gates, const View& grad_cx, const View* grad_hy, const View* grad_cy,
                          const View& workspace, const View& cx) override;
  void gru_cell(const View& hy, const View& workspace, const View& input_gates, const View& hidden_gates,
                const View& hx) override;
  void gru_cell_backward(const View& grad_input_gates, const View& grad_hidden_gates, const View& grad_hx,
                         const View& grad_hy, const View& workspace, const View& hx) override;
};

Backend& cpu_backend();

}  // namespace wick::cpu
