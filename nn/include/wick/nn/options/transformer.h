// Options of MultiheadAttention and the Transformer encoder, as LibTorch spells them (norm_first, PyTorch's
// pre-norm switch, is an addition LibTorch 1.13's C++ frontend lacks).
#pragma once

#include <cstdint>

#include "wick/arg.h"
#include "wick/nn/enum.h"

namespace wick::nn {

struct MultiheadAttentionOptions {
  MultiheadAttentionOptions(int64_t embed_dim, int64_t num_heads) : embed_dim_(embed_dim), num_heads_(num_heads) {}
  WICK_ARG(int64_t, embed_dim);
  WICK_ARG(int64_t, num_heads);
  WICK_ARG(double, dropout) = 0.0;  // on the attention weights, in training
  WICK_ARG(bool, bias) = true;      // in_proj_bias and out_proj.bias
};

struct TransformerEncoderLayerOptions {
  using activation_t = Choice<enumtype::kReLU, enumtype::kGELU>;
  TransformerEncoderLayerOptions(int64_t d_model, int64_t nhead) : d_model_(d_model), nhead_(nhead) {}
  WICK_ARG(int64_t, d_model);
  WICK_ARG(int64_t, nhead);
  WICK_ARG(int64_t, dim_feedforward) = 2048;
  WICK_ARG(double, dropout) = 0.1;
  WICK_ARG(activation_t, activation) = kReLU;
  WICK_ARG(double, layer_norm_eps) = 1e-5;
  // Pre-norm (x + attention(norm(x))) instead of post-norm (norm(x + attention(x))).
  WICK_ARG(bool, norm_first) = false;
};

}  // namespace wick::nn
