// Multi-head attention and the Transformer encoder, with PyTorch's weight layout and names
// (self_attn.in_proj_weight [3E, E], self_attn.out_proj.weight, linear1, linear2, norm1, norm2,
// layers.<i>. ...), so weights move between the two by name. Sequences are [L, N, E] as in LibTorch.
#pragma once

#include <optional>

#include <cstdint>
#include <tuple>

#include "wick/nn/cloneable.h"
#include "wick/nn/modules/container.h"
#include "wick/nn/modules/dropout.h"
#include "wick/nn/modules/linear.h"
#include "wick/nn/modules/normalization.h"
#include "wick/nn/options/transformer.h"

namespace wick::nn {

namespace functional {
// softmax(q k^T * scale + mask) v over the last two dims: q [..., L, E], k [..., S, E], v [..., S, Ev]; scale
// defaults to 1 / sqrt(E). As PyTorch 2's F.scaled_dot_product_attention (1.13 has none): attn_mask broadcasts to
// [..., L, S] and is bool, true where a position TAKES PART, or float, added to the scores. (MultiheadAttention's
// masks keep PyTorch's opposite convention, true = may not attend.) is_causal: query i attends to keys <= i,
// aligned top-left when L != S; it cannot be combined with attn_mask. dropout_p applies to the attention weights.
Tensor scaled_dot_product_attention(const Tensor& query, const Tensor& key, const Tensor& value,
                                    const Tensor& attn_mask = {}, double dropout_p = 0.0, bool is_causal = false,
                                    std::optional<double> scale = std::nullopt);
}  // namespace functional

// A [size, size] bool mask, true above the diagonal: each position may attend to itself and earlier ones.
// (PyTorch's generate_square_subsequent_mask gives the same as a float mask of -inf/0.)
Tensor causal_mask(int64_t size, Device device = kCPU);

// The sinusoidal position encoding of "Attention Is All You Need" (and PyTorch's Transformer tutorial), [length,
// dim]: even columns sin(pos / 10000^(2i/dim)), odd ones the cosine. Added to token embeddings; nothing to learn.
Tensor sinusoidal_position_encoding(int64_t length, int64_t dim, const TensorOptions& options = {});

class MultiheadAttentionImpl : public Cloneable<MultiheadAttentionImpl> {
 public:
  MultiheadAttentionImpl(int64_t embed_dim, int64_t num_heads)
      : MultiheadAttentionImpl(MultiheadAttentionOptions(embed_dim, num_heads)) {}
  explicit MultiheadAttentionImpl(const MultiheadAttentionOptions& options);
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  // query [L, N, E], key and value [S, N, E] (or unbatched [L, E], [S, E]). key_padding_mask [N, S]: true (or a
  // float added to the scores) marks keys to ignore. attn_mask [L, S] or [N*num_heads, L, S]. Returns the
  // output [L, N, E] and, when need_weights, the attention weights [N, L, S] (averaged over heads) or
  // [N, num_heads, L, S].
  std::tuple<Tensor, Tensor> forward(const Tensor& query, const Tensor& key, const Tensor& value,
                                     const Tensor& key_padding_mask = {}, bool need_weights = true,
                                     const Tensor& attn_mask = {}, bool average_attn_weights = true);

  MultiheadAttentionOptions options;
  Tensor in_proj_weight, in_proj_bias;  // [3E, E], [3E]: the query, key and value projections stacked
  Linear out_proj{nullptr};
};
WICK_MODULE(MultiheadAttention);

class TransformerEncoderLayerImpl : public Cloneable<TransformerEncoderLayerImpl> {
 public:
  TransformerEncoderLayerImpl(int64_t d_model, int64_t nhead)
      : TransformerEncoderLayerImpl(TransformerEncoderLayerOptions(d_model, nhead)) {}
  explicit TransformerEncoderLayerImpl(const TransformerEncoderLayerOptions& options);
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  // src [S, N, E]; src_mask [S, S] (e.g. causal_mask(S)); src_key_padding_mask [N, S].
  Tensor forward(const Tensor& src, const Tensor& src_mask = {}, const Tensor& src_key_padding_mask = {});

  TransformerEncoderLayerOptions options;
  MultiheadAttention self_attn{nullptr};
  Linear linear1{nullptr}, linear2{nullptr};
  Dropout dropout{nullptr}, dropout1{nullptr}, dropout2{nullptr};
  LayerNorm norm1{nullptr}, norm2{nullptr};
};
WICK_MODULE(TransformerEncoderLayer);

struct TransformerEncoderOptions {
  // num_layers copies of encoder_layer, each starting from its weights (as LibTorch's clone()).
  TransformerEncoderOptions(TransformerEncoderLayer encoder_layer, int64_t num_layers)
      : encoder_layer_(std::move(encoder_layer)), num_layers_(num_layers) {}
  TransformerEncoderOptions(const TransformerEncoderLayerOptions& layer_options, int64_t num_layers)
      : encoder_layer_(TransformerEncoderLayer(layer_options)), num_layers_(num_layers) {}
  WICK_ARG(TransformerEncoderLayer, encoder_layer);
  WICK_ARG(int64_t, num_layers);
  WICK_ARG(LayerNorm, norm) = nullptr;  // applied after the last layer (pre-norm stacks need one)
};

class TransformerEncoderImpl : public Cloneable<TransformerEncoderImpl> {
 public:
  TransformerEncoderImpl(TransformerEncoderLayer encoder_layer, int64_t num_layers)
      : TransformerEncoderImpl(TransformerEncoderOptions(std::move(encoder_layer), num_layers)) {}
  explicit TransformerEncoderImpl(TransformerEncoderOptions options);
  void reset() override;
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& src, const Tensor& src_mask = {}, const Tensor& src_key_padding_mask = {});

  TransformerEncoderOptions options;
  ModuleList layers{nullptr};
  LayerNorm norm{nullptr};
};
WICK_MODULE(TransformerEncoder);

}  // namespace wick::nn
