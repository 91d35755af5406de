// The CudaBackend class. Each group of primitives is defined in the .cu file named for it (unary.cu,
// reduce.cu, matmul.cu, ...); this header only declares them.
#pragma once

#include "backend.h"
#include "fused_kernels.h"

namespace wick::cuda {

class CudaBackend final : public Backend, public FusedKernels {
 public:
  DeviceType type() const override { return DeviceType::CUDA; }
  int device_count() const override;

  void* allocate(size_t nbytes, int device_index) override;
  void deallocate(void* ptr, size_t nbytes, int device_index) override;
  void empty_cache() override;
  void copy_from_host(void* dst, const void* src, size_t nbytes, int device_index) override;
  void copy_to_host(void* dst, const void* src, size_t nbytes, int device_index) override;
  void synchronize(int device_index) override;
  // Kernels load float16/bfloat16, compute in float32 and store 16-bit results.
  bool computes_natively(ScalarType) const override { return true; }

  void fill(const View& out, double value) override;
  void copy(const View& out, const View& in) override;
  void unary(UnaryOp op, const View& out, const View& in, double p0, double p1) override;
  void binary(BinaryOp op, const View& out, const View& a, const View& b) override;
  void where(const View& out, const View& cond, const View& a, const View& b) override;

  void reduce(ReduceOp op, const View& out, const View& in) override;
  void arg_reduce(ArgReduceOp op, const View* values, const View& indices, const View& in, int dim) override;
  void scan(ReduceOp op, const View& out, const View& in, int dim) override;
  void sort(const View& values, const View& indices, const View& in, int dim, bool descending) override;

  void matmul(const View& out, const View& a, const View& b) override;

  void index_select(const View& out, const View& in, int dim, const View& index) override;
  void index_add(const View& out, int dim, const View& index, const View& src) override;
  void gather(const View& out, const View& in, int dim, const View& index) override;
  void scatter(const View& out, int dim, const View& index, const View& src, bool accumulate) override;

  void random(const View& out, RandomKind kind, double a, double b, uint64_t seed, uint64_t offset) override;

  // ---- the fused extension: softmax, convolution, pooling and recurrent cells in every floating dtype
  // (normalisation composes)
  FusedKernels* fused_kernels() override { return this; }
  bool supports(FusedOp op, ScalarType t) const override {
    const bool floating = t == kFloat || t == kDouble || t == kHalf || t == kBFloat16;
    return floating && (op == FusedOp::Softmax || op == FusedOp::Conv2d || op == FusedOp::MaxPool2d ||
                        op == FusedOp::AvgPool2d || op == FusedOp::LstmCell || op == FusedOp::GruCell);
  }

  void softmax(const View& out, const View& in, int dim, bool log) override;
  void softmax_backward(const View& grad_in, const View& grad_out, const View& out, int dim, bool log) override;

  void conv2d(const View& out, const View& input, const View& weight, const View* bias, const ConvParams& p) override;
  void conv2d_backward_input(const View& grad_input, const View& grad_out, const View& weight,
                             const ConvParams& p) override;
  void conv2d_backward_weight(const View& grad_weight, const View* grad_bias, const View& grad_out, const View& input,
                              const ConvParams& p) override;
  void max_pool2d(const View& out, const View& indices, const View& input, const PoolParams& p) override;
  void max_pool2d_backward(const View& grad_input, const View& grad_out, const View& indices,
                           const PoolParams& p) override;
  void avg_pool2d(const View& out, const View& input, const PoolParams& p) override;
  void avg_pool2d_backward(const View& grad_input, const View& grad_out, const PoolParams& p) override;

  void lstm_cell(const View& hy, const View& cy, const View& workspace, const View& input_gates,
                 const View& hidden_gates, const View& cx) override;
  void lstm_cell_backward(const View& grad_gates, const View& grad_cx, const View* grad_hy, const View* grad_cy,
                          const View& workspace, const View& cx) override;
  void gru_cell(const View& hy, const View& workspace, const View& input_gates, const View& hidden_gates,
                const View& hx) override;
  void gru_cell_backward(const View& grad_input_gates, const View& grad_hidden_gates, const View& grad_hx,
                         const View& grad_hy, const View& workspace, const View& hx) override;
};

CudaBackend& backend();

}  // namespace wick::cuda
