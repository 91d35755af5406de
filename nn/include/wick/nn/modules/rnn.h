// Recurrent layers (RNN, LSTM, GRU) and their cells, with PyTorch's parameter names (weight_ih_l0,
// bias_hh_l1_reverse, weight_hr_l0 ...), gate order (LSTM: i, f, g, o; GRU: r, z, n) and initialisation
// (every weight U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))), so weights trained in PyTorch load by name and
// give the same outputs. Each layer projects the inputs of all time steps in one matmul; each step is then one
// matmul with the hidden state and the gate arithmetic. Everything is recorded on the tape as usual.
#pragma once

#include <cstdint>
#include <optional>
#include <tuple>
#include <vector>

#include "wick/nn/cloneable.h"
#include "wick/nn/options/rnn.h"
#include "wick/nn/utils/rnn.h"
#include "wick/quantized_linear.h"

namespace wick {

// One time step, as ATen's torch::rnn_tanh_cell, lstm_cell and gru_cell: input [B, I] (or [I]), hx [B, H];
// weights [G*H, I] and [G*H, H], biases [G*H] or undefined. lstm_cell takes {h, c} and returns (h', c').
Tensor rnn_tanh_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh,
                     const Tensor& b_ih = {}, const Tensor& b_hh = {});
Tensor rnn_relu_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh,
                     const Tensor& b_ih = {}, const Tensor& b_hh = {});
std::tuple<Tensor, Tensor> lstm_cell(const Tensor& input, const std::vector<Tensor>& hx, const Tensor& w_ih,
                                     const Tensor& w_hh, const Tensor& b_ih = {}, const Tensor& b_hh = {});
Tensor gru_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih = {},
                const Tensor& b_hh = {});

}  // namespace wick

namespace wick::nn {

namespace detail {

enum class RNNMode { RNN_TANH, RNN_RELU, LSTM, GRU };

// What RNN, LSTM and GRU have in common (LibTorch's RNNOptionsBase).
struct RNNOptionsBase {
  RNNMode mode;
  int64_t input_size, hidden_size, num_layers;
  bool bias, batch_first;
  double dropout;
  bool bidirectional;
  int64_t proj_size;
};

// The parameters of every layer and direction in PyTorch's order and names, and the loop over them.
class RNNImplBase : public Module {
 public:
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  // Every weight and bias in registration order: per layer, per direction, w_ih, w_hh, b_ih, b_hh (w_hr).
  std::vector<Tensor> all_weights() const;

  // PyTorch's dynamic int8 form (quantization::quantize_dynamic calls it): each weight_ih/weight_hh becomes an
  // int8 buffer with one symmetric scale per output channel in the float32 buffer "<name>_scale", the biases
  // float32 buffers; the input projection of a whole sequence is quantized once per layer and direction, and the
  // hidden state once per step, as PyTorch's quantized LSTM and GRU do. Not for proj_size (PyTorch has no
  // quantized projection either).
  void quantize_dynamic_();
  bool is_quantized() const { return quantized_; }

  RNNOptionsBase options_base;

 protected:
  RNNImplBase(const char* name, const RNNOptionsBase& options);
  // input [T, B, I] ([B, T, I] when batch_first, [T, I] unbatched); hx (and cx, LSTM only) [L*D, B, H] or
  // undefined for zeros. Returns the output and the final h (and c).
  std::tuple<Tensor, Tensor, Tensor> run(const Tensor& input, Tensor hx, Tensor cx);
  std::tuple<utils::rnn::PackedSequence, Tensor, Tensor> run_packed(const utils::rnn::PackedSequence& input, Tensor hx,
                                                                    Tensor cx);

 private:
  // The layers over packed data [sum(batch_sizes), I] with states [L*D, batch_sizes[0], H] in packed order.
  std::tuple<Tensor, Tensor, Tensor> run_packed(const Tensor& data, const std::vector<int64_t>& batch_sizes, Tensor hx,
                                                Tensor cx);
  int64_t h_size() const;  // proj_size when set, else hidden_size (c is always hidden_size)
  void check_state(const Tensor& s, int64_t batch, int64_t size, bool batched, const char* what) const;

  struct Weights {
    Tensor w_ih, w_hh, b_ih, b_hh, w_hr;
    Tensor s_ih, s_hh;  // int8 scales, once quantized
    quantization::PackedLinearWeightCache packed_ih, packed_hh;
  };
  // x W^T + b, in int8 once quantized.
  Tensor project(const Tensor& x, const Tensor& w, const Tensor& scale,
                 const quantization::PackedLinearWeightCache& packed, const Tensor& b) const;

  const char* name_;              // "nn::LSTM", for errors and printing
  std::vector<Weights> weights_;  // [layer * directions + direction]
  bool quantized_ = false;
};

}  // namespace detail

class RNNImpl : public Cloneable<RNNImpl, detail::RNNImplBase> {
 public:
  RNNImpl(int64_t input_size, int64_t hidden_size) : RNNImpl(RNNOptions(input_size, hidden_size)) {}
  explicit RNNImpl(const RNNOptions& options);
  // (output [T, B, D*H], h_n [L*D, B, H])
  std::tuple<Tensor, Tensor> forward(const Tensor& input, Tensor hx = {});
  // A variable-length batch: each sequence runs for its own length (see wick/nn/utils/rnn.h).
  std::tuple<utils::rnn::PackedSequence, Tensor> forward_with_packed_input(
      const utils::rnn::PackedSequence& packed_input, Tensor hx = {});

  RNNOptions options;
};
WICK_MODULE(RNN);

class LSTMImpl : public Cloneable<LSTMImpl, detail::RNNImplBase> {
 public:
  LSTMImpl(int64_t input_size, int64_t hidden_size) : LSTMImpl(LSTMOptions(input_size, hidden_size)) {}
  explicit LSTMImpl(const LSTMOptions& options);
  // (output [T, B, D*H_out], (h_n [L*D, B, H_out], c_n [L*D, B, H])); H_out = proj_size or hidden_size.
  std::tuple<Tensor, std::tuple<Tensor, Tensor>> forward(const Tensor& input,
                                                         std::optional<std::tuple<Tensor, Tensor>> hx = {});
  std::tuple<utils::rnn::PackedSequence, std::tuple<Tensor, Tensor>> forward_with_packed_input(
      const utils::rnn::PackedSequence& packed_input, std::optional<std::tuple<Tensor, Tensor>> hx = {});

  LSTMOptions options;
};
WICK_MODULE(LSTM);

class GRUImpl : public Cloneable<GRUImpl, detail::RNNImplBase> {
 public:
  GRUImpl(int64_t input_size, int64_t hidden_size) : GRUImpl(GRUOptions(input_size, hidden_size)) {}
  explicit GRUImpl(const GRUOptions& options);
  std::tuple<Tensor, Tensor> forward(const Tensor& input, Tensor hx = {});
  std::tuple<utils::rnn::PackedSequence, Tensor> forward_with_packed_input(
      const utils::rnn::PackedSequence& packed_input, Tensor hx = {});

  GRUOptions options;
};
WICK_MODULE(GRU);

namespace detail {
// The cells' shared parameters: weight_ih [G*H, I], weight_hh [G*H, H], bias_ih, bias_hh [G*H].
class RNNCellImplBase : public Module {
 public:
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;

  Tensor weight_ih, weight_hh, bias_ih, bias_hh;

 protected:
  RNNCellImplBase(const char* name, int64_t input_size, int64_t hidden_size, bool bias, int64_t gates);
  // The input as [B, I] and hx as [B, H] (zeros when undefined); `unbatched` when the input was 1-D.
  Tensor check_input(const Tensor& input, bool& unbatched) const;
  Tensor check_hidden(const Tensor& hx, const Tensor& input, bool unbatched, const char* what) const;

  const char* name_;
  int64_t input_size_, hidden_size_, gates_;
  bool bias_;
};
}  // namespace detail

class RNNCellImpl : public Cloneable<RNNCellImpl, detail::RNNCellImplBase> {
 public:
  RNNCellImpl(int64_t input_size, int64_t hidden_size) : RNNCellImpl(RNNCellOptions(input_size, hidden_size)) {}
  explicit RNNCellImpl(const RNNCellOptions& options);
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input, Tensor hx = {});

  RNNCellOptions options;
};
WICK_MODULE(RNNCell);

class LSTMCellImpl : public Cloneable<LSTMCellImpl, detail::RNNCellImplBase> {
 public:
  LSTMCellImpl(int64_t input_size, int64_t hidden_size) : LSTMCellImpl(LSTMCellOptions(input_size, hidden_size)) {}
  explicit LSTMCellImpl(const LSTMCellOptions& options);
  std::tuple<Tensor, Tensor> forward(const Tensor& input, std::optional<std::tuple<Tensor, Tensor>> hx = {});

  LSTMCellOptions options;
};
WICK_MODULE(LSTMCell);

class GRUCellImpl : public Cloneable<GRUCellImpl, detail::RNNCellImplBase> {
 public:
  GRUCellImpl(int64_t input_size, int64_t hidden_size) : GRUCellImpl(GRUCellOptions(input_size, hidden_size)) {}
  explicit GRUCellImpl(const GRUCellOptions& options);
  Tensor forward(const Tensor& input, Tensor hx = {});

  GRUCellOptions options;
};
WICK_MODULE(GRUCell);

}  // namespace wick::nn
