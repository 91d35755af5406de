// Gradcheck samples (first and second order, float64) for the convolution, pooling, normalisation and
// resampling ops in the op registry; tests/autograd/gradcheck_ops_test.cpp runs them with every other op's.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include "../support/gradcheck_samples.h"

using namespace wick;
using testing::leaf;
using V = std::vector<Tensor>;

namespace {
// Small, deterministic, non-monotone float64 leaves.
V inputs(std::initializer_list<std::vector<int64_t>> shapes) {
  V out;
  uint64_t seed = 1;
  for (const auto& s : shapes) out.push_back(leaf(s, -1.2, 1.3, seed++));
  return out;
}
}  // namespace

WICK_GRADCHECK_SAMPLE("conv2d", [] { return inputs({{2, 4, 5, 4}, {6, 2, 3, 2}, {6}}); },
                      [](const V& v) { return V{conv2d(v[0], v[1], v[2], {2, 1}, 1, {1, 2}, 2)}; });
WICK_GRADCHECK_SAMPLE("conv2d", [] { return inputs({{1, 2, 4, 5}, {3, 2, 2, 3}}); },
                      [](const V& v) { return V{conv2d(v[0], v[1], {}, 1, "same")}; });
WICK_GRADCHECK_SAMPLE("conv1d", [] { return inputs({{2, 3, 7}, {2, 3, 3}, {2}}); },
                      [](const V& v) { return V{conv1d(v[0], v[1], v[2], 2, 1)}; });
WICK_GRADCHECK_SAMPLE("conv_transpose2d", [] { return inputs({{1, 4, 3, 3}, {4, 2, 3, 2}, {4}}); },
                      [](const V& v) { return V{conv_transpose2d(v[0], v[1], v[2], 2, 1, 1, 2)}; });
WICK_GRADCHECK_SAMPLE("conv_transpose1d", [] { return inputs({{2, 2, 4}, {2, 3, 3}}); },
                      [](const V& v) { return V{conv_transpose1d(v[0], v[1], {}, 2)}; });
WICK_GRADCHECK_SAMPLE("max_pool2d", [] { return inputs({{2, 2, 5, 6}}); },
                      [](const V& v) { return V{max_pool2d(v[0], 3, 2, 1, 1, true)}; });
WICK_GRADCHECK_SAMPLE("max_pool1d", [] { return inputs({{2, 3, 7}}); },
                      [](const V& v) { return V{max_pool1d(v[0], 2, 1, 0, 2)}; });
WICK_GRADCHECK_SAMPLE("avg_pool2d", [] { return inputs({{2, 2, 5, 6}}); },
                      [](const V& v) { return V{avg_pool2d(v[0], 3, 2, 1, true, false)}; });
WICK_GRADCHECK_SAMPLE("avg_pool1d", [] { return inputs({{2, 3, 7}}); },
                      [](const V& v) { return V{avg_pool1d(v[0], 3, 2, 1)}; });
WICK_GRADCHECK_SAMPLE("adaptive_avg_pool2d", [] { return inputs({{2, 2, 5, 7}}); },
                      [](const V& v) { return V{adaptive_avg_pool2d(v[0], {3, 2})}; });
WICK_GRADCHECK_SAMPLE("adaptive_avg_pool1d", [] { return inputs({{2, 2, 9}}); },
                      [](const V& v) { return V{adaptive_avg_pool1d(v[0], 4)}; });
WICK_GRADCHECK_SAMPLE("upsample_nearest2d", [] { return inputs({{1, 2, 3, 4}}); },
                      [](const V& v) { return V{upsample_nearest2d(v[0], {5, 7})}; });
WICK_GRADCHECK_SAMPLE("batch_norm", [] { return inputs({{3, 2, 2, 3}, {2}, {2}}); },
                      [](const V& v) { return V{batch_norm(v[0], v[1], v[2], {}, {}, true, 0.1, 1e-5)}; });
WICK_GRADCHECK_SAMPLE("batch_norm", [] { return inputs({{4, 3}}); }, [](const V& v) {
  const Tensor running_mean = tensor({0.1, -0.3, 0.2}), running_var = tensor({0.5, 1.5, 2.0});
  return V{batch_norm(v[0], {}, {}, running_mean, running_var, false, 0.1, 1e-5)};
});
WICK_GRADCHECK_SAMPLE("layer_norm", [] { return inputs({{2, 3, 4}, {3, 4}, {3, 4}}); },
                      [](const V& v) { return V{layer_norm(v[0], {3, 4}, v[1], v[2], 1e-4)}; });
WICK_GRADCHECK_SAMPLE("group_norm", [] { return inputs({{2, 4, 3}, {4}, {4}}); },
                      [](const V& v) { return V{group_norm(v[0], 2, v[1], v[2])}; });
// One LSTM and GRU step (batch 2, hidden 3); the unbatched LSTM sample leaves cy unused, so its gradient
// reaches the backward undefined.
WICK_GRADCHECK_SAMPLE("fused_lstm_cell", [] { return inputs({{2, 12}, {2, 12}, {2, 3}}); }, [](const V& v) {
  auto [h, c] = fused_lstm_cell(v[0], v[1], v[2]);
  return V{h, c};
});
WICK_GRADCHECK_SAMPLE("fused_lstm_cell", [] { return inputs({{12}, {12}, {3}}); },
                      [](const V& v) { return V{std::get<0>(fused_lstm_cell(v[0], v[1], v[2]))}; });
WICK_GRADCHECK_SAMPLE("fused_gru_cell", [] { return inputs({{2, 9}, {2, 9}, {2, 3}}); },
                      [](const V& v) { return V{fused_gru_cell(v[0], v[1], v[2])}; });
WICK_GRADCHECK_SAMPLE("upsample_bilinear2d", [] { return inputs({{1, 2, 3, 4}}); },
                      [](const V& v) { return V{upsample_bilinear2d(v[0], {5, 7}, true)}; });
WICK_GRADCHECK_SAMPLE("conv3d", [] { return inputs({{1, 4, 3, 4, 3}, {2, 2, 2, 2, 1}, {2}}); },
                      [](const V& v) { return V{conv3d(v[0], v[1], v[2], {1, 2, 1}, {1, 0, 0}, {2, 1, 1}, 2)}; });
WICK_GRADCHECK_SAMPLE("conv_transpose3d", [] { return inputs({{1, 2, 2, 2, 3}, {2, 3, 2, 1, 2}}); },
                      [](const V& v) { return V{conv_transpose3d(v[0], v[1], {}, 2, 0, {1, 0, 0})}; });
WICK_GRADCHECK_SAMPLE("max_pool3d", [] { return inputs({{1, 2, 4, 3, 5}}); },
                      [](const V& v) { return V{max_pool3d(v[0], {2, 2, 3}, {2, 1, 2}, {1, 0, 1})}; });
WICK_GRADCHECK_SAMPLE("avg_pool3d", [] { return inputs({{1, 2, 4, 3, 5}}); },
                      [](const V& v) { return V{avg_pool3d(v[0], 2, {2, 1, 2}, 1, true)}; });
WICK_GRADCHECK_SAMPLE("adaptive_avg_pool3d", [] { return inputs({{1, 2, 5, 3, 4}}); },
                      [](const V& v) { return V{adaptive_avg_pool3d(v[0], {2, 3, 3})}; });
WICK_GRADCHECK_SAMPLE("upsample_nearest3d", [] { return inputs({{1, 2, 2, 3, 2}}); },
                      [](const V& v) { return V{upsample_nearest3d(v[0], {3, 5, 4})}; });
WICK_GRADCHECK_SAMPLE("upsample_trilinear3d", [] { return inputs({{1, 2, 2, 3, 2}}); },
                      [](const V& v) { return V{upsample_trilinear3d(v[0], {3, 5, 4}, false)}; });

// The representative bad call of each op above, as tests/lib/bad_input_test.cpp lists them for its sweep.
TEST_CASE("registry: each convolution, pooling, normalisation and resampling op rejects a bad call naming itself",
          "[nn][errors]") {
  const std::vector<std::pair<std::string, std::function<void()>>> calls = {
      {"batch_norm", [] { batch_norm(ones({2, 3, 4}), ones({4}), {}, {}, {}, true, 0.1, 1e-5); }},
      {"layer_norm", [] { layer_norm(ones({2, 5}), {4}); }},
      {"group_norm", [] { group_norm(ones({2, 6, 3}), 4); }},
      {"fused_lstm_cell", [] { fused_lstm_cell(ones({2, 8}), ones({2, 8}), ones({2, 3})); }},
      {"fused_gru_cell", [] { fused_gru_cell(ones({2, 6}), ones({2, 6}), ones({3, 2})); }},
      {"conv1d", [] { conv1d(ones({1, 3, 8}), ones({4, 2, 3})); }},
      {"conv2d", [] { conv2d(ones({1, 3, 8, 8}), ones({4, 2, 3, 3})); }},
      {"conv_transpose1d", [] { conv_transpose1d(ones({1, 3, 8}), ones({4, 2, 3})); }},
      {"conv_transpose2d", [] { conv_transpose2d(ones({1, 3, 8, 8}), ones({4, 2, 3, 3})); }},
      {"max_pool1d", [] { max_pool1d(ones({1, 2, 3}), 4); }},
      {"max_pool2d", [] { max_pool2d(ones({1, 2, 4, 4}), 5); }},
      {"avg_pool1d", [] { avg_pool1d(ones({1, 2, 3}), 4); }},
      {"avg_pool2d", [] { avg_pool2d(ones({1, 2, 4, 4}), 2, 2, 2); }},
      {"adaptive_avg_pool1d", [] { adaptive_avg_pool1d(ones({1, 2, 4}), 0); }},
      {"adaptive_avg_pool2d", [] { adaptive_avg_pool2d(ones({1, 2, 4, 4}), {0, 2}); }},
      {"upsample_nearest2d", [] { upsample_nearest2d(ones({2, 3, 4}), {4, 4}); }},
      {"upsample_bilinear2d", [] { upsample_bilinear2d(ones({1, 2, 4, 4}), {0, 4}, false); }},
      {"conv3d", [] { conv3d(ones({1, 3, 4, 4, 4}), ones({4, 2, 3, 3, 3})); }},
      {"conv_transpose3d", [] { conv_transpose3d(ones({1, 3, 4, 4, 4}), ones({4, 2, 3, 3, 3})); }},
      {"max_pool3d", [] { max_pool3d(ones({1, 2, 4, 4, 4}), 5); }},
      {"avg_pool3d", [] { avg_pool3d(ones({1, 2, 4, 4, 4}), 2, 2, 2); }},
      {"adaptive_avg_pool3d", [] { adaptive_avg_pool3d(ones({1, 2, 4, 4, 4}), {2, 0, 2}); }},
      {"upsample_nearest3d", [] { upsample_nearest3d(ones({2, 3, 4, 4}), {4, 4, 4}); }},
      {"upsample_trilinear3d", [] { upsample_trilinear3d(ones({1, 2, 4, 4, 4}), {4, 0, 4}, false); }},
  };
  for (const auto& [name, call] : calls) {
    INFO("op: " << name);
    REQUIRE(find_op(name) != nullptr);
    CHECK_THROWS_WITH(call(), Catch::StartsWith("wick::" + name + ":"));
  }
}
