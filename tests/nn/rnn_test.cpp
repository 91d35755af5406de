// RNN, LSTM, GRU and their cells against PyTorch (tools/gen_rnn_fixtures.py): parameters loaded by PyTorch's
// names in PyTorch's order, outputs, final states and the gradients of every input and parameter, on padded and
// on packed variable-length batches; gradcheck of the cells in float64; LibTorch's printing; errors for bad input.
#include <catch2/catch.hpp>
#include <wick/autograd/gradcheck.h>
#include <wick/wick.h>

#include <map>
#include <optional>
#include <string>
#include <type_traits>

#include "../support/fixtures.h"
#include "../support/scoped_settings.h"
#include "../support/skip.h"
#include "fixture.h"

using namespace wick;
using testing::compare_with_gradients;
using testing::Fixture;
using testing::Inputs;
using testing::load_parameters;

namespace {

// Runs the module on the case's x (and h0, c0 when stored) and returns its outputs by fixture name.
template <class M>
std::map<std::string, Tensor> run(M& module, Inputs& in) {
  const Tensor h0 = in.count("h0") ? in["h0"] : Tensor(), c0 = in.count("c0") ? in["c0"] : Tensor();
  using Impl = typename M::ContainedType;
  if constexpr (std::is_same_v<Impl, nn::LSTMImpl>) {
    std::optional<std::tuple<Tensor, Tensor>> state;
    if (h0.defined()) state = std::make_tuple(h0, c0);
    auto [y, hc] = module->forward(in["x"], state);
    return {{"y", y}, {"hn", std::get<0>(hc)}, {"cn", std::get<1>(hc)}};
  } else if constexpr (std::is_same_v<Impl, nn::LSTMCellImpl>) {
    std::optional<std::tuple<Tensor, Tensor>> state;
    if (h0.defined()) state = std::make_tuple(h0, c0);
    auto [h, c] = module->forward(in["x"], state);
    return {{"y", h}, {"y1", c}};
  } else if constexpr (std::is_same_v<Impl, nn::RNNImpl> || std::is_same_v<Impl, nn::GRUImpl>) {
    auto [y, h] = module->forward(in["x"], h0);
    return {{"y", y}, {"hn", h}};
  } else {
    return {{"y", module->forward(in["x"], h0)}};
  }
}

// One case of a layer or cell on padded input.
template <class M>
void check(const Fixture& f, const std::string& c, M module) {
  INFO("case " << c);
  const bool train = f.meta(c + ".config").find("\"train\": true") != std::string::npos;
  module->train(train);
  load_parameters(f, c, *module);
  Inputs in;
  for (const char* k : {"x", "h0", "c0"})
    if (f.has(c + "." + k)) in[k] = f(c + "." + k).requires_grad_();
  compare_with_gradients(f, c, run(module, in), in, *module);
}

// A variable-length batch: pack_padded_sequence, forward_with_packed_input, pad_packed_sequence.
template <class M>
void check_packed(const Fixture& f, const std::string& c, M module, bool batch_first, bool enforce_sorted) {
  using namespace nn::utils::rnn;
  INFO("case " << c);
  load_parameters(f, c, *module);
  Inputs in;
  for (const char* k : {"x", "h0", "c0"})
    if (f.has(c + "." + k)) in[k] = f(c + "." + k).requires_grad_();
  const PackedSequence packed = pack_padded_sequence(in["x"], f(c + ".lengths"), batch_first, enforce_sorted);
  std::map<std::string, Tensor> out;
  PackedSequence packed_out;
  if constexpr (std::is_same_v<typename M::ContainedType, nn::LSTMImpl>) {
    std::optional<std::tuple<Tensor, Tensor>> state;
    if (in.count("h0")) state = std::make_tuple(in["h0"], in["c0"]);
    auto [p, hc] = module->forward_with_packed_input(packed, state);
    packed_out = p;
    out = {{"hn", std::get<0>(hc)}, {"cn", std::get<1>(hc)}};
  } else {
    auto [p, h] = module->forward_with_packed_input(packed, in.count("h0") ? in["h0"] : Tensor());
    packed_out = p;
    out = {{"hn", h}};
  }
  CHECK_CLOSE(packed_out.data(), f(c + ".ydata"), 1e-9, 1e-10);
  auto [y, lengths] = pad_packed_sequence(packed_out, batch_first);
  CHECK(equal(lengths, f(c + ".lengths")));
  out["y"] = y;
  compare_with_gradients(f, c, out, in, *module);
}

}  // namespace

TEST_CASE("rnn: RNN, LSTM and GRU match PyTorch: outputs, final states, gradients", "[nn][rnn]") {
  const Fixture f("nn_rnn.safetensors");
  check(f, "rnn_tanh", nn::RNN(5, 4));
  check(f, "rnn_relu_stack_bidir_bf",
        nn::RNN(nn::RNNOptions(5, 4).num_layers(2).nonlinearity(kReLU).bidirectional(true).batch_first(true)));
  check(f, "rnn_eval_dropout", nn::RNN(nn::RNNOptions(5, 4).num_layers(2).dropout(0.5)));
  check(f, "lstm", nn::LSTM(5, 4));
  check(f, "lstm_stack_bidir_bf", nn::LSTM(nn::LSTMOptions(5, 4).num_layers(2).bidirectional(true).batch_first(true)));
  check(f, "lstm_proj", nn::LSTM(nn::LSTMOptions(5, 6).proj_size(3).num_layers(2).bidirectional(true)));
  check(f, "lstm_nobias", nn::LSTM(nn::LSTMOptions(5, 4).bias(false)));
  check(f, "lstm_unbatched", nn::LSTM(nn::LSTMOptions(5, 4).num_layers(2)));
  check(f, "gru", nn::GRU(5, 4));
  check(f, "gru_stack3_bidir_bf", nn::GRU(nn::GRUOptions(5, 4).num_layers(3).bidirectional(true).batch_first(true)));
  check(f, "gru_unbatched", nn::GRU(nn::GRUOptions(5, 4).bidirectional(true)));
}

TEST_CASE("rnn: RNNCell, LSTMCell and GRUCell match PyTorch", "[nn][rnn]") {
  const Fixture f("nn_rnn.safetensors");
  check(f, "rnncell_tanh", nn::RNNCell(5, 4));
  check(f, "rnncell_relu", nn::RNNCell(nn::RNNCellOptions(5, 4).nonlinearity(kReLU)));
  check(f, "lstmcell", nn::LSTMCell(5, 4));
  check(f, "lstmcell_unbatched", nn::LSTMCell(5, 4));
  check(f, "grucell", nn::GRUCell(5, 4));
  check(f, "grucell_nobias", nn::GRUCell(nn::GRUCellOptions(5, 4).bias(false)));
}

TEST_CASE("rnn: variable-length batches through packed sequences match PyTorch", "[nn][rnn]") {
  const Fixture f("nn_rnn.safetensors");
  check_packed(f, "packed_lstm", nn::LSTM(nn::LSTMOptions(5, 4).num_layers(2).bidirectional(true)), false, false);
  check_packed(f, "packed_gru_bf", nn::GRU(nn::GRUOptions(5, 4).bidirectional(true).batch_first(true)), true, false);
  check_packed(f, "packed_rnn_sorted", nn::RNN(5, 4), false, true);
}

TEST_CASE("rnn: pad_sequence, pack_sequence and their errors", "[nn][rnn]") {
  using namespace nn::utils::rnn;
  const Tensor a = tensor({1.0, 2.0, 3.0}), b = tensor({4.0}), c = tensor({5.0, 6.0});
  CHECK(equal(pad_sequence({a, b, c}, true, -1), tensor({{1.0, 2.0, 3.0}, {4.0, -1.0, -1.0}, {5.0, 6.0, -1.0}})));
  const PackedSequence packed = pack_sequence({a, c, b});
  CHECK(equal(packed.data(), tensor({1.0, 5.0, 4.0, 2.0, 6.0, 3.0})));
  CHECK(equal(packed.batch_sizes(), tensor(std::vector<int64_t>{3, 2, 1})));
  const PackedSequence unsorted = pack_sequence({b, a, c}, false);
  CHECK(equal(unsorted.sorted_indices(), tensor(std::vector<int64_t>{1, 2, 0})));
  auto [padded, lengths] = pad_packed_sequence(unsorted, true, 0.0, 4);
  CHECK(equal(padded, tensor({{4.0, 0.0, 0.0, 0.0}, {1.0, 2.0, 3.0, 0.0}, {5.0, 6.0, 0.0, 0.0}})));
  CHECK(equal(lengths, tensor(std::vector<int64_t>{1, 3, 2})));
  CHECK_THROWS_WITH(pack_sequence({b, a}), Catch::Contains("sorted in decreasing order"));
  CHECK_THROWS_WITH(pack_padded_sequence(randn({3, 2, 1}), tensor(std::vector<int64_t>{4, 1})),
                    Catch::StartsWith("wick::pack_padded_sequence:") && Catch::Contains("1..3"));
  CHECK_THROWS_WITH(pack_padded_sequence(randn({3, 2, 1}), tensor(std::vector<int64_t>{3})),
                    Catch::Contains("expected 2 lengths"));
  CHECK_THROWS_WITH(pad_packed_sequence(packed, false, 0.0, 2), Catch::Contains("total_length"));
  CHECK_THROWS_WITH(PackedSequence(randn({5}), tensor(std::vector<int64_t>{3, 3})), Catch::Contains("add up to 6"));
}

TEST_CASE("rnn: the cells' first and second derivatives by finite differences (float64)", "[nn][rnn][gradcheck]") {
  using V = std::vector<Tensor>;
  manual_seed(7);
  auto r = [](std::vector<int64_t> shape) { return randn(shape, dtype(kDouble)).requires_grad_(); };
  const V rnn = {r({3, 5}), r({3, 4}), r({4, 5}), r({4, 4}), r({4}), r({4})};
  const V lstm = {r({3, 5}), r({3, 4}), r({3, 4}), r({16, 5}), r({16, 4}), r({16}), r({16})};
  const V gru = {r({3, 5}), r({3, 4}), r({12, 5}), r({12, 4}), r({12}), r({12})};
  const auto tanh_cell = [](const V& v) { return V{rnn_tanh_cell(v[0], v[1], v[2], v[3], v[4], v[5])}; };
  const auto relu_cell = [](const V& v) { return V{rnn_relu_cell(v[0], v[1], v[2], v[3], v[4], v[5])}; };
  const auto lstm_fn = [](const V& v) {
    auto [h, c] = lstm_cell(v[0], {v[1], v[2]}, v[3], v[4], v[5], v[6]);
    return V{h, c};
  };
  const auto gru_fn = [](const V& v) { return V{gru_cell(v[0], v[1], v[2], v[3], v[4], v[5])}; };
  CHECK(autograd::gradcheck(tanh_cell, rnn) == "");
  CHECK(autograd::gradcheck(relu_cell, rnn) == "");
  CHECK(autograd::gradcheck(lstm_fn, lstm) == "");
  CHECK(autograd::gradcheck(gru_fn, gru) == "");
  CHECK(autograd::gradgradcheck(tanh_cell, rnn) == "");
  CHECK(autograd::gradgradcheck(lstm_fn, lstm) == "");
  CHECK(autograd::gradgradcheck(gru_fn, gru) == "");
}

// The fused steps against the same step composed from elementwise ops (what a backend without fused cells
// runs): values and every input's gradient, in the CPU's two compute types and in bfloat16 (computed in float32).
TEST_CASE("rnn: fused LSTM and GRU steps equal the composed step, values and gradients", "[nn][rnn]") {
  WICK_REQUIRE_FUSED_KERNELS();  // otherwise both sides are the composition
  using V = std::vector<Tensor>;
  const auto composed_lstm = [](const V& v) {
    const V g = (v[0] + v[1]).chunk(4, -1);
    const Tensor c = sigmoid(g[1]) * v[2] + sigmoid(g[0]) * tanh(g[2]);
    return V{sigmoid(g[3]) * tanh(c), c};
  };
  const auto composed_gru = [](const V& v) {
    const V x = v[0].chunk(3, -1), h = v[1].chunk(3, -1);
    const Tensor r = sigmoid(x[0] + h[0]), z = sigmoid(x[1] + h[1]), n = tanh(x[2] + r * h[2]);
    return V{n + z * (v[2] - n)};
  };
  const auto fused_lstm = [](const V& v) {
    auto [h, c] = fused_lstm_cell(v[0], v[1], v[2]);
    return V{h, c};
  };
  const auto fused_gru = [](const V& v) { return V{fused_gru_cell(v[0], v[1], v[2])}; };
  // Runs f on fresh leaves copied from `values` and returns its outputs, then every input's gradient of a
  // weighted sum of the outputs (so each output's gradient reaches the backward).
  const auto run = [](const auto& f, const V& values) {
    V in;
    for (const Tensor& t : values) in.push_back(t.clone().requires_grad_());
    const V out = f(in);
    Tensor loss = zeros({}, dtype(values[0].dtype()));
    for (size_t k = 0; k < out.size(); ++k) loss = loss + (out[k] * (k + 1.5)).sum();
    loss.backward();
    V all = out;
    for (const Tensor& t : in) all.push_back(t.grad());
    return all;
  };
  for (ScalarType dt : {kFloat, kDouble, kBFloat16}) {
    INFO(dtype_name(dt));
    manual_seed(11);
    const double tol = dt == kDouble ? 1e-13 : dt == kFloat ? 1e-6 : 2e-2;
    const auto r = [dt](std::vector<int64_t> shape) { return (randn(shape) * 2).to(dt); };
    const auto check = [&](const auto& fused, const auto& composed, int64_t gates) {
      for (const std::vector<int64_t>& batch : {std::vector<int64_t>{5}, std::vector<int64_t>{}}) {
        std::vector<int64_t> gate_shape = batch, state_shape = batch;
        gate_shape.push_back(7 * gates);
        state_shape.push_back(7);
        const V values = {r(gate_shape), r(gate_shape), r(state_shape)};
        const V a = run(fused, values), b = run(composed, values);
        REQUIRE(a.size() == b.size());
        for (size_t k = 0; k < a.size(); ++k) {
          INFO(gates << " gates, result " << k << " of " << a.size() << ", batch dims " << batch.size());
          CHECK(a[k].dtype() == dt);
          CHECK(testing::compare(a[k], b[k], {tol, tol}) == "");
        }
      }
    };
    check(fused_lstm, composed_lstm, 4);
    check(fused_gru, composed_gru, 3);
  }
}

TEST_CASE("rnn: a step records one tape entry and splits large batches across threads bit for bit",
          "[nn][rnn][threads]") {
  WICK_REQUIRE_FUSED_KERNELS();
  manual_seed(12);
  const Tensor ig = randn({4096, 64}), hg = randn({4096, 64}), c = randn({4096, 16}).requires_grad_();
  const auto step = [&] {
    auto [h, c_next] = fused_lstm_cell(ig, hg, c);
    CHECK(h.grad_fn_name() == "ThnnFusedLstmCellBackward0");  // ATen's _thnn_fused_lstm_cell
    CHECK(c_next.grad_fn_name() == "ThnnFusedLstmCellBackward0");
    c.mutable_grad() = Tensor();
    (h * c_next).sum().backward();
    return std::vector<Tensor>{h, c_next, c.grad()};
  };
  std::vector<Tensor> one, four;
  {
    testing::ThreadCount threads(1);
    one = step();
  }
  {
    testing::ThreadCount threads(4);
    four = step();
  }
  for (size_t k = 0; k < one.size(); ++k) CHECK(equal(one[k], four[k]));
  CHECK(fused_gru_cell(ig.narrow(1, 0, 48), hg.narrow(1, 0, 48), c).grad_fn_name() == "ThnnFusedGruCellBackward0");
}

TEST_CASE("rnn: a stacked bidirectional LSTM's gradient by finite differences (float64)", "[nn][rnn][gradcheck]") {
  using V = std::vector<Tensor>;
  manual_seed(8);
  nn::LSTM lstm(nn::LSTMOptions(3, 4).num_layers(2).bidirectional(true).proj_size(2));
  lstm->to(kDouble);
  const V inputs = {randn({4, 2, 3}, dtype(kDouble)).requires_grad_(),
                    randn({4, 2, 2}, dtype(kDouble)).requires_grad_(),
                    randn({4, 2, 4}, dtype(kDouble)).requires_grad_()};
  CHECK(autograd::gradcheck(
            [&](const V& v) {
              auto [y, hc] = lstm->forward(v[0], std::make_tuple(v[1], v[2]));
              return V{y, std::get<0>(hc), std::get<1>(hc)};
            },
            inputs) == "");
}

TEST_CASE("rnn: initialisation, dropout between layers, printing", "[nn][rnn]") {
  manual_seed(3);
  nn::GRU gru(nn::GRUOptions(6, 25).num_layers(2).dropout(0.5));
  for (const auto& p : gru->named_parameters()) {
    INFO(p.key());
    CHECK(p.value().abs().max().item<double>() <= 0.2);  // U(-1/sqrt(25), 1/sqrt(25))
    CHECK(p.value().abs().max().item<double>() > 0.15);
  }
  CHECK(gru->all_weights().size() == 8);
  // Dropout acts between the layers in training only.
  const Tensor x = randn({7, 2, 6});
  gru->eval();
  const Tensor a = std::get<0>(gru->forward(x)), b = std::get<0>(gru->forward(x));
  CHECK(equal(a, b));
  gru->train();
  CHECK_FALSE(equal(std::get<0>(gru->forward(x)), a));

  CHECK(nn::LSTM(nn::LSTMOptions(10, 20).num_layers(2))->str() ==
        "wick::nn::LSTM(input_size=10, hidden_size=20, num_layers=2, bias=true, batch_first=false, dropout=0, "
        "bidirectional=false)");
  CHECK(nn::LSTM(nn::LSTMOptions(10, 20).proj_size(5))->str().find(", proj_size=5)") != std::string::npos);
  CHECK(nn::GRUCell(nn::GRUCellOptions(3, 4).bias(false))->str() == "wick::nn::GRUCell(3, 4, bias=false)");
  CHECK(nn::RNNCell(nn::RNNCellOptions(3, 4).nonlinearity(kReLU))->str() ==
        "wick::nn::RNNCell(3, 4, nonlinearity=kReLU)");
}

TEST_CASE("rnn: bad input throws wick::Error naming the layer", "[nn][rnn][errors]") {
  nn::LSTM lstm(nn::LSTMOptions(5, 4).num_layers(2));
  CHECK_THROWS_WITH(lstm->forward(randn({6, 3, 7})),
                    Catch::StartsWith("wick::nn::LSTM:") && Catch::Contains("Expected 5, got 7"));
  CHECK_THROWS_WITH(lstm->forward(randn({6, 3, 2, 5})), Catch::StartsWith("wick::nn::LSTM:") && Catch::Contains("3-D"));
  CHECK_THROWS_WITH(lstm->forward(randn({0, 3, 5})), Catch::Contains("sequence length"));
  CHECK_THROWS_WITH(lstm->forward(ones({6, 3, 5}, dtype(kInt64))), Catch::Contains("floating point"));
  CHECK_THROWS_WITH(lstm->forward(randn({6, 3, 5}), std::make_tuple(randn({1, 3, 4}), randn({2, 3, 4}))),
                    Catch::Contains("expected hx of shape [2, 3, 4], got [1, 3, 4]"));
  CHECK_THROWS_WITH(lstm->forward(randn({6, 3, 5}), std::make_tuple(randn({2, 3, 4}), Tensor())),
                    Catch::Contains("both h0 and c0"));
  CHECK_THROWS_WITH(
      lstm->forward(randn({6, 3, 5}), std::make_tuple(randn({2, 3, 4}), randn({2, 3, 4}, dtype(kDouble)))),
      Catch::Contains("float64"));
  CHECK_THROWS_WITH(nn::GRU(nn::GRUOptions(5, 4).dropout(1.5)), Catch::StartsWith("wick::nn::GRU:"));
  CHECK_THROWS_WITH(nn::LSTM(nn::LSTMOptions(5, 4).proj_size(4)), Catch::Contains("proj_size"));
  CHECK_THROWS_WITH(nn::RNN(nn::RNNOptions(5, 0)), Catch::Contains("hidden_size"));
  CHECK_THROWS_WITH(nn::GRUCell(5, 4)->forward(randn({3, 6})), Catch::StartsWith("wick::nn::GRUCell:"));
  CHECK_THROWS_WITH(nn::GRUCell(5, 4)->forward(randn({3, 5}), randn({2, 4})),
                    Catch::Contains("expected hx of shape [3, 4], got [2, 4]"));
  CHECK_THROWS_WITH(gru_cell(randn({3, 5}), randn({3, 4}), randn({12, 5}), randn({8, 4})),
                    Catch::StartsWith("wick::gru_cell:"));
  CHECK_THROWS_WITH(lstm_cell(randn({3, 5}), {randn({3, 4})}, randn({16, 5}), randn({16, 4})),
                    Catch::Contains("hx = {h, c}"));
}
