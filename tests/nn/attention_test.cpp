// MultiheadAttention, scaled_dot_product_attention and the Transformer encoder against PyTorch
// (tools/gen_attention_fixtures.py): weights loaded by PyTorch's names, outputs, attention weights and every
// gradient, with causal, padding and float masks; gradcheck in float64; errors for bad input.
#include <catch2/catch.hpp>
#include <wick/autograd/gradcheck.h>
#include <wick/wick.h>

#include "fixture.h"

using namespace wick;
namespace F = wick::nn::functional;
using testing::compare_with_gradients;
using testing::Fixture;
using testing::Inputs;
using testing::load_parameters;

namespace {

// The case's stored inputs: floating ones require grad, float (additive) masks included, whose gradient PyTorch
// gives too.
Inputs inputs_of(const Fixture& f, const std::string& c, std::initializer_list<const char*> names) {
  Inputs in;
  for (const char* k : names) {
    Tensor t = f(c + "." + k);
    in[k] = t.is_floating_point() ? t.requires_grad_() : t;
  }
  return in;
}

}  // namespace

TEST_CASE("attention: MultiheadAttention matches PyTorch: outputs, weights, gradients", "[nn][attention]") {
  const Fixture f("nn_attention.safetensors");
  {
    INFO("cross-attention, averaged weights");
    nn::MultiheadAttention mha(8, 2);
    load_parameters(f, "mha_cross", *mha);
    Inputs in = inputs_of(f, "mha_cross", {"q", "k", "v"});
    auto [y, w] = mha(in["q"], in["k"], in["v"]);
    compare_with_gradients(f, "mha_cross", {{"y", y}, {"y1", w}}, in, *mha);
  }
  {
    INFO("self-attention, causal and key padding masks, per-head weights");
    nn::MultiheadAttention mha(8, 4);
    load_parameters(f, "mha_self_masks", *mha);
    Inputs in = inputs_of(f, "mha_self_masks", {"x", "kpm", "mask"});
    auto [y, w] = mha(in["x"], in["x"], in["x"], in["kpm"], true, in["mask"], false);
    CHECK(w.sizes() == IntArrayRef{3, 4, 5, 5});
    compare_with_gradients(f, "mha_self_masks", {{"y", y}, {"y1", w}}, in, *mha);
  }
  {
    INFO("unbatched, float mask, no bias");
    nn::MultiheadAttention mha(nn::MultiheadAttentionOptions(8, 2).bias(false));
    load_parameters(f, "mha_unbatched_float_mask", *mha);
    Inputs in = inputs_of(f, "mha_unbatched_float_mask", {"q", "k", "v", "mask"});
    auto [y, w] = mha(in["q"], in["k"], in["v"], Tensor(), true, in["mask"]);
    compare_with_gradients(f, "mha_unbatched_float_mask", {{"y", y}, {"y1", w}}, in, *mha);
  }
}

TEST_CASE("attention: scaled_dot_product_attention follows PyTorch 2 (bool mask true = takes part)",
          "[nn][attention]") {
  const Fixture f("nn_attention.safetensors");
  nn::Identity no_parameters;
  Inputs in = inputs_of(f, "sdpa_bool_mask", {"q", "k", "v", "mask"});
  compare_with_gradients(f, "sdpa_bool_mask",
                         {{"y", F::scaled_dot_product_attention(in["q"], in["k"], in["v"], in["mask"])}}, in,
                         *no_parameters);
  in = inputs_of(f, "sdpa_causal", {"q", "k", "v"});
  compare_with_gradients(f, "sdpa_causal",
                         {{"y", F::scaled_dot_product_attention(in["q"], in["k"], in["v"], {}, 0.0, true)}}, in,
                         *no_parameters);
  in = inputs_of(f, "sdpa_causal_rect", {"q", "k", "v"});
  compare_with_gradients(f, "sdpa_causal_rect",
                         {{"y", F::scaled_dot_product_attention(in["q"], in["k"], in["v"], {}, 0.0, true, 0.5)}}, in,
                         *no_parameters);
  in = inputs_of(f, "sdpa_causal_rect_scaled", {"q", "k", "v", "mask"});
  compare_with_gradients(
      f, "sdpa_causal_rect_scaled",
      {{"y", F::scaled_dot_product_attention(in["q"], in["k"], in["v"], in["mask"], 0.0, false, 0.3)}}, in,
      *no_parameters);
  // A mask that lets one key through takes exactly that key's value (true = takes part).
  const Tensor v = tensor({{1.0}, {2.0}, {3.0}}, kDouble);
  const Tensor only_second = tensor({{false, true, false}});
  const Tensor y = F::scaled_dot_product_attention(ones({1, 2}, kDouble), ones({3, 2}, kDouble), v, only_second);
  CHECK(y.item<double>() == 2.0);
  CHECK_THROWS_WITH(F::scaled_dot_product_attention(in["q"], in["k"], in["v"], in["mask"], 0.0, true),
                    Catch::Contains("is_causal"));
  CHECK(equal(nn::causal_mask(3), tensor({{false, true, true}, {false, false, true}, {false, false, false}})));
}

TEST_CASE("attention: TransformerEncoderLayer and TransformerEncoder match PyTorch (post- and pre-norm)",
          "[nn][attention]") {
  const Fixture f("nn_attention.safetensors");
  {
    INFO("post-norm, ReLU, causal and padding masks");
    nn::TransformerEncoderLayer layer(nn::TransformerEncoderLayerOptions(8, 2).dim_feedforward(16).dropout(0.0));
    load_parameters(f, "encoder_layer_post", *layer);
    Inputs in = inputs_of(f, "encoder_layer_post", {"x", "mask", "kpm"});
    compare_with_gradients(f, "encoder_layer_post", {{"y", layer(in["x"], in["mask"], in["kpm"])}}, in, *layer);
  }
  {
    INFO("pre-norm, GELU");
    nn::TransformerEncoderLayer layer(
        nn::TransformerEncoderLayerOptions(8, 4).dim_feedforward(12).dropout(0.0).activation(kGELU).norm_first(true));
    load_parameters(f, "encoder_layer_pre_gelu", *layer);
    Inputs in = inputs_of(f, "encoder_layer_pre_gelu", {"x"});
    compare_with_gradients(f, "encoder_layer_pre_gelu", {{"y", layer(in["x"])}}, in, *layer);
  }
  {
    INFO("a two-layer pre-norm encoder with a final LayerNorm");
    nn::TransformerEncoderLayer layer(
        nn::TransformerEncoderLayerOptions(8, 2).dim_feedforward(16).dropout(0.0).norm_first(true));
    nn::TransformerEncoder encoder(
        nn::TransformerEncoderOptions(layer, 2).norm(nn::LayerNorm(nn::LayerNormOptions({8}))));
    load_parameters(f, "encoder", *encoder);
    Inputs in = inputs_of(f, "encoder", {"x", "mask"});
    compare_with_gradients(f, "encoder", {{"y", encoder(in["x"], in["mask"])}}, in, *encoder);
  }
}

TEST_CASE("attention: the sinusoidal position encoding matches PyTorch's tutorial", "[nn][attention]") {
  const Fixture f("nn_attention.safetensors");
  CHECK_CLOSE(nn::sinusoidal_position_encoding(50, 16, dtype(kDouble)), f("sinusoidal_positions"), 1e-12, 1e-12);
  CHECK(nn::sinusoidal_position_encoding(3, 4).dtype() == kFloat);
  CHECK_THROWS_WITH(nn::sinusoidal_position_encoding(3, 5), Catch::Contains("even dim"));
}

TEST_CASE("attention: the encoder's layers start as copies of the given layer, then train apart", "[nn][attention]") {
  nn::TransformerEncoderLayer layer(8, 2);
  nn::TransformerEncoder encoder(layer, 3);
  CHECK(encoder->layers->size() == 3);
  const auto first = encoder->named_parameters();
  for (const auto& p : layer->named_parameters()) {
    INFO(p.key());
    CHECK(equal(first["layers.2." + p.key()], p.value()));
    CHECK(first["layers.2." + p.key()].data_ptr() != p.value().data_ptr());  // copies, not shared
  }
}

TEST_CASE("attention: gradients by finite differences (float64)", "[nn][attention][gradcheck]") {
  using V = std::vector<Tensor>;
  manual_seed(11);
  auto r = [](std::vector<int64_t> shape) { return randn(shape, dtype(kDouble)).requires_grad_(); };
  const Tensor mask = rand({3, 4}) >= 0.3;  // true = takes part
  CHECK(autograd::gradcheck([&](const V& v) { return V{F::scaled_dot_product_attention(v[0], v[1], v[2], mask)}; },
                            {r({2, 3, 5}), r({2, 4, 5}), r({2, 4, 3})}) == "");
  nn::MultiheadAttention mha(6, 3);
  mha->to(kDouble);
  CHECK(autograd::gradcheck(
            [&](const V& v) {
              auto [y, w] = mha(v[0], v[1], v[1], Tensor(), true, nn::causal_mask(3));
              return V{y, w};
            },
            {r({3, 2, 6}), r({3, 2, 6})}) == "");
}

TEST_CASE("attention: bad input throws wick::Error naming the module", "[nn][attention][errors]") {
  CHECK_THROWS_WITH(nn::MultiheadAttention(10, 3),
                    Catch::StartsWith("wick::nn::MultiheadAttention:") && Catch::Contains("multiple of num_heads"));
  nn::MultiheadAttention mha(8, 2);
  CHECK_THROWS_WITH(mha(randn({4, 2, 6}), randn({4, 2, 6}), randn({4, 2, 6})), Catch::Contains("embed_dim 8"));
  CHECK_THROWS_WITH(mha(randn({4, 2, 8}), randn({5, 2, 8}), randn({6, 2, 8})), Catch::Contains("do not fit"));
  CHECK_THROWS_WITH(mha(randn({4, 2, 8}), randn({5, 2, 8}), randn({5, 2, 8}), Tensor(), true, nn::causal_mask(4)),
                    Catch::Contains("expected attn_mask [4, 5]"));
  CHECK_THROWS_WITH(mha(randn({4, 2, 8}), randn({5, 2, 8}), randn({5, 2, 8}), ones({2, 4}, dtype(kBool))),
                    Catch::Contains("expected key_padding_mask [2, 5]"));
  CHECK_THROWS_WITH(F::scaled_dot_product_attention(randn({2, 3}), randn({2, 4}), randn({2, 3})),
                    Catch::StartsWith("wick::scaled_dot_product_attention:"));
}
