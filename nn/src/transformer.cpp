// Scaled dot-product attention, MultiheadAttention and the Transformer encoder, composed from the public ops.
#include "wick/nn/modules/transformer.h"

#include <cmath>
#include <limits>
#include <ostream>

#include "wick/detail/autocast_op.h"
#include "wick/detail/shape_of.h"
#include "wick/grad_mode.h"
#include "wick/nn/aliases.h"
#include "wick/nn/init.h"
#include "wick/ops.h"

namespace wick::nn {

using wick::detail::shape_of;

namespace {

// A mask as scores to add: bool true -> -inf, floats as they are.
Tensor additive(const Tensor& mask, const Tensor& like) {
  if (mask.dtype() != kBool) return mask;
  return zeros(mask.sizes(), like.options()).masked_fill(mask, -std::numeric_limits<double>::infinity());
}

// softmax(q k^T * scale + mask) v, and the weights. mask: additive scores, broadcast to [..., L, S], or undefined.
std::tuple<Tensor, Tensor> attend(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& mask,
                                  double dropout_p, std::optional<double> scale = std::nullopt) {
  Tensor scores = matmul(q, k.transpose(-2, -1)) * scale.value_or(1.0 / std::sqrt(double(q.size(-1))));
  if (mask.defined()) scores = scores + mask;
  Tensor weights = softmax(scores, -1);
  if (dropout_p > 0) weights = wick::dropout(weights, dropout_p, true);
  return {matmul(weights, v), weights};
}

}  // namespace

namespace functional {
Tensor scaled_dot_product_attention(const Tensor& query, const Tensor& key, const Tensor& value,
                                    const Tensor& attn_mask, double dropout_p, bool is_causal,
                                    std::optional<double> scale) {
  if (wick::detail::AutocastOp ac{wick::detail::autocast_lists::attention, query.device()})
    return scaled_dot_product_attention(ac(query), ac(key), ac(value), ac(attn_mask), dropout_p, is_causal, scale);
  constexpr const char* op = "scaled_dot_product_attention";
  WICK_CHECK(
      query.defined() && key.defined() && value.defined() && query.dim() >= 2 && key.dim() >= 2 && value.dim() >= 2, op,
      "expected query, key and value of at least 2 dims, got ", shape_of(query), ", ", shape_of(key), " and ",
      shape_of(value));
  WICK_CHECK(query.size(-1) == key.size(-1) && key.size(-2) == value.size(-2), op, "query ", shape_of(query), ", key ",
             shape_of(key), " and value ", shape_of(value), " do not fit together");
  WICK_CHECK(dropout_p >= 0 && dropout_p <= 1, op, "dropout_p must be in [0, 1], got ", dropout_p);
  WICK_CHECK(!(is_causal && attn_mask.defined()), op, "an explicit attn_mask cannot be combined with is_causal=true");
  Tensor mask;
  if (attn_mask.defined()) mask = attn_mask.dtype() == kBool ? additive(logical_not(attn_mask), query) : attn_mask;
  if (is_causal) {
    // Key j is hidden from query i when j > i: the mask is top-left aligned, as PyTorch 2's.
    const Tensor i = arange(query.size(-2), TensorOptions().dtype(kInt64).device(query.device()));
    const Tensor j = arange(key.size(-2), TensorOptions().dtype(kInt64).device(query.device()));
    mask = additive(j.unsqueeze(0) > i.unsqueeze(1), query);
  }
  return std::get<0>(attend(query, key, value, mask, dropout_p, scale));
}
}  // namespace functional

Tensor causal_mask(int64_t size, Device device) {
  WICK_CHECK(size >= 0, "causal_mask", "size must be non-negative, got ", size);
  const Tensor i = arange(size, TensorOptions().dtype(kInt64).device(device));
  return i.unsqueeze(0) > i.unsqueeze(1);
}

Tensor sinusoidal_position_encoding(int64_t length, int64_t dim, const TensorOptions& options) {
  WICK_CHECK(length >= 0 && dim > 0 && dim % 2 == 0, "sinusoidal_position_encoding",
             "expected a non-negative length and a positive even dim, got ", length, " and ", dim);
  const Tensor position = arange(length, dtype(kDouble)).unsqueeze(1);                                   // [length, 1]
  const Tensor frequency = exp(arange(0, dim, 2, dtype(kDouble)) * (-std::log(10000.0) / double(dim)));  // [dim/2]
  const Tensor angle = position * frequency;  // [length, dim/2]
  // Interleave: column 2i is sin(angle i), column 2i + 1 its cosine.
  const Tensor encoding = stack({sin(angle), cos(angle)}, 2).reshape({length, dim});
  return encoding.to(options.has_dtype() ? options.dtype().toScalarType() : kFloat).to(options.device());
}

// ---- MultiheadAttention -----------------------------------------------------------------------------------

MultiheadAttentionImpl::MultiheadAttentionImpl(const MultiheadAttentionOptions& options) : options(options) { reset(); }

void MultiheadAttentionImpl::reset() {
  const int64_t E = options.embed_dim(), H = options.num_heads();
  WICK_CHECK(E > 0 && H > 0 && E % H == 0, "nn::MultiheadAttention",
             "embed_dim must be a positive multiple of num_heads, got embed_dim ", E, " and num_heads ", H);
  WICK_CHECK(options.dropout() >= 0 && options.dropout() <= 1, "nn::MultiheadAttention",
             "dropout must be in [0, 1], got ", options.dropout());
  in_proj_weight = register_parameter("in_proj_weight", empty({3 * E, E}));
  in_proj_bias = register_parameter("in_proj_bias", options.bias() ? empty({3 * E}) : Tensor(), options.bias());
  out_proj = register_module("out_proj", Linear(LinearOptions(E, E).bias(options.bias())));
  reset_parameters();
}

// PyTorch's: Xavier-uniform input projections, zero biases, out_proj as any Linear.
void MultiheadAttentionImpl::reset_parameters() {
  NoGradGuard no_grad;
  init::xavier_uniform_(in_proj_weight);
  if (in_proj_bias.defined()) init::zeros_(in_proj_bias);
  if (out_proj->bias.defined()) init::zeros_(out_proj->bias);
}

void MultiheadAttentionImpl::pretty_print(std::ostream& stream) const {
  stream << "wick::nn::MultiheadAttention(embed_dim=" << options.embed_dim() << ", num_heads=" << options.num_heads();
  if (options.dropout() > 0) stream << ", dropout=" << options.dropout();
  stream << ")";
}

std::tuple<Tensor, Tensor> MultiheadAttentionImpl::forward(const Tensor& query, const Tensor& key, const Tensor& value,
                                                           const Tensor& key_padding_mask, bool need_weights,
                                                           const Tensor& attn_mask, bool average_attn_weights) {
  constexpr const char* op = "nn::MultiheadAttention";
  const int64_t E = options.embed_dim(), H = options.num_heads(), head_dim = E / H;
  WICK_CHECK(query.defined() && (query.dim() == 2 || query.dim() == 3), op,
             "expected a 2-D (unbatched) or 3-D query [L, N, E], got ", shape_of(query));
  WICK_CHECK(key.defined() && value.defined() && key.dim() == query.dim() && value.dim() == query.dim(), op,
             "expected key and value with the query's ", query.dim(), " dims, got ", shape_of(key), " and ",
             shape_of(value));
  const bool batched = query.dim() == 3;
  const Tensor q_in = batched ? query : query.unsqueeze(1), k_in = batched ? key : key.unsqueeze(1),
               v_in = batched ? value : value.unsqueeze(1);
  const int64_t L = q_in.size(0), N = q_in.size(1), S = k_in.size(0);
  WICK_CHECK(q_in.size(2) == E && k_in.size(2) == E && v_in.size(2) == E, op, "expected embed_dim ", E,
             " in query, key and value, got ", shape_of(query), ", ", shape_of(key), ", ", shape_of(value));
  WICK_CHECK(v_in.size(0) == S && k_in.size(1) == N && v_in.size(1) == N, op, "key ", shape_of(key), " and value ",
             shape_of(value), " do not fit the query ", shape_of(query));

  const std::vector<Tensor> w = in_proj_weight.chunk(3, 0);
  const std::vector<Tensor> b = in_proj_bias.defined() ? in_proj_bias.chunk(3, 0) : std::vector<Tensor>(3);
  // [len, N, E] -> [N, H, len, head_dim]
  auto heads = [&](const Tensor& t, int64_t len) { return t.reshape({len, N, H, head_dim}).permute({1, 2, 0, 3}); };
  const Tensor q = heads(linear(q_in, w[0], b[0]), L), k = heads(linear(k_in, w[1], b[1]), S),
               v = heads(linear(v_in, w[2], b[2]), S);

  Tensor mask;  // additive, broadcast to [N, H, L, S]
  if (attn_mask.defined()) {
    const bool shared = attn_mask.dim() == 2 && attn_mask.size(0) == L && attn_mask.size(1) == S;
    const bool per_head =
        attn_mask.dim() == 3 && attn_mask.size(0) == N * H && attn_mask.size(1) == L && attn_mask.size(2) == S;
    WICK_CHECK(shared || per_head, op, "expected attn_mask [", L, ", ", S, "] or [", N * H, ", ", L, ", ", S, "], got ",
               shape_of(attn_mask));
    mask = additive(per_head ? attn_mask.view({N, H, L, S}) : attn_mask, q);
  }
  if (key_padding_mask.defined()) {
    const Tensor kpm = batched ? key_padding_mask : key_padding_mask.unsqueeze(0);
    WICK_CHECK(kpm.dim() == 2 && kpm.size(0) == N && kpm.size(1) == S, op, "expected key_padding_mask [", N, ", ", S,
               "], got ", shape_of(key_padding_mask));
    const Tensor padding = additive(kpm, q).view({N, 1, 1, S});
    mask = mask.defined() ? mask + padding : padding;
  }
  auto [heads_out, weights] = attend(q, k, v, mask, is_training() ? options.dropout() : 0.0);
  Tensor out = out_proj(heads_out.permute({2, 0, 1, 3}).reshape({L, N, E}));
  if (!need_weights)
    weights = Tensor();
  else if (average_attn_weights)
    weights = weights.mean({1});
  if (!batched) {
    out = out.squeeze(1);
    if (weights.defined()) weights = weights.squeeze(0);
  }
  return {traced(out), weights};
}

// ---- TransformerEncoderLayer ------------------------------------------------------------------------------

TransformerEncoderLayerImpl::TransformerEncoderLayerImpl(const TransformerEncoderLayerOptions& options)
    : options(options) {
  reset();
}

void TransformerEncoderLayerImpl::reset() {
  const int64_t d = options.d_model();
  WICK_CHECK(options.dim_feedforward() > 0, "nn::TransformerEncoderLayer", "dim_feedforward must be positive, got ",
             options.dim_feedforward());
  // PyTorch's registration order, so named_parameters() lists the same keys in the same order.
  self_attn = register_module(
      "self_attn", MultiheadAttention(MultiheadAttentionOptions(d, options.nhead()).dropout(options.dropout())));
  linear1 = register_module("linear1", Linear(d, options.dim_feedforward()));
  dropout = register_module("dropout", Dropout(options.dropout()));
  linear2 = register_module("linear2", Linear(options.dim_feedforward(), d));
  norm1 = register_module("norm1", LayerNorm(LayerNormOptions({d}).eps(options.layer_norm_eps())));
  norm2 = register_module("norm2", LayerNorm(LayerNormOptions({d}).eps(options.layer_norm_eps())));
  dropout1 = register_module("dropout1", Dropout(options.dropout()));
  dropout2 = register_module("dropout2", Dropout(options.dropout()));
}

void TransformerEncoderLayerImpl::reset_parameters() {
  self_attn->reset_parameters();
  linear1->reset_parameters();
  linear2->reset_parameters();
  norm1->reset_parameters();
  norm2->reset_parameters();
}

void TransformerEncoderLayerImpl::pretty_print(std::ostream& stream) const {
  stream << std::boolalpha << "wick::nn::TransformerEncoderLayer(d_model=" << options.d_model()
         << ", nhead=" << options.nhead() << ", dim_feedforward=" << options.dim_feedforward()
         << ", dropout=" << options.dropout() << ", activation=" << options.activation().name()
         << ", norm_first=" << options.norm_first() << ")";
}

Tensor TransformerEncoderLayerImpl::forward(const Tensor& src, const Tensor& src_mask,
                                            const Tensor& src_key_padding_mask) {
  auto attention = [&](const Tensor& x) {
    return dropout1(std::get<0>(self_attn(x, x, x, src_key_padding_mask, /*need_weights=*/false, src_mask)));
  };
  auto feed_forward = [&](const Tensor& x) {
    const Tensor h = linear1(x);
    return dropout2(linear2(dropout(options.activation().is<enumtype::kGELU>() ? gelu(h) : relu(h))));
  };
  Tensor x = src;
  if (options.norm_first()) {
    x = x + attention(norm1(x));
    x = x + feed_forward(norm2(x));
  } else {
    x = norm1(x + attention(x));
    x = norm2(x + feed_forward(x));
  }
  return traced(x);
}

// ---- TransformerEncoder -----------------------------------------------------------------------------------

TransformerEncoderImpl::TransformerEncoderImpl(TransformerEncoderOptions options) : options(std::move(options)) {
  reset();
}

void TransformerEncoderImpl::reset() {
  WICK_CHECK(options.encoder_layer() && options.num_layers() > 0, "nn::TransformerEncoder",
             "expected an encoder layer and a positive num_layers, got ", options.num_layers());
  layers = register_module("layers", ModuleList());
  for (int64_t i = 0; i < options.num_layers(); ++i) layers->push_back(options.encoder_layer()->clone());
  if (options.norm()) norm = register_module("norm", options.norm());
}

void TransformerEncoderImpl::pretty_print(std::ostream& stream) const {
  stream << "wick::nn::TransformerEncoder(num_layers=" << options.num_layers() << ")";
}

Tensor TransformerEncoderImpl::forward(const Tensor& src, const Tensor& src_mask, const Tensor& src_key_padding_mask) {
  Tensor x = src;
  for (size_t i = 0; i < layers->size(); ++i)
    x = layers->ptr<TransformerEncoderLayerImpl>(i)->forward(x, src_mask, src_key_padding_mask);
  if (norm) x = norm(x);
  return traced(x);
}

}  // namespace wick::nn
