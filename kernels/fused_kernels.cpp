// Defaults of the fused kernels. lib/ asks supports() (through fused_for) before calling any of them, so
// reaching one is a bug in lib/, reported as such rather than as undefined behaviour.
#include "fused_kernels.h"

#include "wick/error.h"

namespace wick {

namespace {
[[noreturn]] void not_fused(const char* op) {
  fail(op, "this backend's fused kernels do not take this call (supports() said no); lib/ must compose it");
}
}  // namespace

void FusedKernels::softmax(const View&, const View&, int, bool) { not_fused("softmax"); }
void FusedKernels::softmax_backward(const View&, const View&, const View&, int, bool) { not_fused("softmax_backward"); }
void FusedKernels::conv2d(const View&, const View&, const View&, const View*, const ConvParams&) {
  not_fused("conv2d");
}
void FusedKernels::conv2d_backward_input(const View&, const View&, const View&, const ConvParams&) {
  not_fused("conv2d_backward_input");
}
void FusedKernels::conv2d_backward_weight(const View&, const View*, const View&, const View&, const ConvParams&) {
  not_fused("conv2d_backward_weight");
}
bool FusedKernels::conv3d(const View&, const View&, const View&, const View*, const ConvParams&) {
  not_fused("conv3d");
}
bool FusedKernels::conv3d_backward_input(const View&, const View&, const View&, const ConvParams&) {
  not_fused("conv3d_backward_input");
}
bool FusedKernels::conv3d_backward_weight(const View&, const View*, const View&, const View&, const ConvParams&) {
  not_fused("conv3d_backward_weight");
}
void FusedKernels::max_pool2d(const View&, const View&, const View&, const PoolParams&) { not_fused("max_pool2d"); }
void FusedKernels::max_pool2d_backward(const View&, const View&, const View&, const PoolParams&) {
  not_fused("max_pool2d_backward");
}
void FusedKernels::avg_pool2d(const View&, const View&, const PoolParams&) { not_fused("avg_pool2d"); }
void FusedKernels::avg_pool2d_backward(const View&, const View&, const PoolParams&) {
  not_fused("avg_pool2d_backward");
}
void FusedKernels::batch_norm(const View&, const View&, const View&, const View&, const View*, const View*, double,
                              bool) {
  not_fused("batch_norm");
}
void FusedKernels::batch_norm_backward(const View&, const View*, const View*, const View&, const View&, const View&,
                                       const View&, const View*, double, bool) {
  not_fused("batch_norm_backward");
}
void FusedKernels::layer_norm(const View&, const View&, const View&, const View&, const View*, const View*, double) {
  not_fused("layer_norm");
}
void FusedKernels::layer_norm_backward(const View&, const View*, const View*, const View&, const View&, const View&,
                                       const View&, const View*, double) {
  not_fused("layer_norm_backward");
}
void FusedKernels::lstm_cell(const View&, const View&, const View&, const View&, const View&, const View&) {
  not_fused("lstm_cell");
}
void FusedKernels::lstm_cell_backward(const View&, const View&, const View*, const View*, const View&, const View&) {
  not_fused("lstm_cell_backward");
}
void FusedKernels::gru_cell(const View&, const View&, const View&, const View&, const View&) { not_fused("gru_cell"); }
void FusedKernels::gru_cell_backward(const View&, const View&, const View&, const View&, const View&, const View&) {
  not_fused("gru_cell_backward");
}

void FusedKernels::pack_int8_weight(const View&, const View&) { not_fused("pack_int8_weight"); }
void FusedKernels::linear_int8(const View&, const View&, const View&, const View&, const View&, const View*) {
  not_fused("linear_int8");
}

}  // namespace wick
