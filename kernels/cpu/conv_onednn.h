// 2-D and 3-D convolution on oneDNN primitives, for conv.cpp: each call runs the pass and returns true, or returns
// false (having done nothing) when oneDNN is not built in or switched off, the dtype is neither float32 nor
// bfloat16 on bf16 hardware, or the geometry is one oneDNN handles badly (see onednn_suits); conv.cpp's
// im2col + GEMM path runs those.
#pragma once

#include "backend.h"

namespace wick::cpu {

bool conv2d_onednn(const View& out, const View& input, const View& weight, const View* bias, const ConvParams& p);
bool conv2d_backward_input_onednn(const View& grad_input, const View& grad_out, const View& weight,
                                  const ConvParams& p);
bool conv2d_backward_weight_onednn(const View& grad_weight, const View* grad_bias, const View& grad_out,
                                   const View& input, const ConvParams& p);

// The same on NCDHW views (p's depth fields); false also where oneDNN is off, so lib/ composes.
bool conv3d_onednn(const View& out, const View& input, const View& weight, const View* bias, const ConvParams& p);
bool conv3d_backward_input_onednn(const View& grad_input, const View& grad_out, const View& weight,
                                  const ConvParams& p);
bool conv3d_backward_weight_onednn(const View& grad_weight, const View* grad_bias, const View& grad_out,
                                   const View& input, const ConvParams& p);

// Number of oneDNN convolution primitives cached on the calling thread (for tests).
int conv_cached_primitives();

}  // namespace wick::cpu
