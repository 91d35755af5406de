// RNN, LSTM, GRU and their cells, composed from the public eager ops (so the tape differentiates them): each
// time step is one matmul for the hidden state and one fused gate op (fused_lstm_cell, fused_gru_cell); the
// input projection of every step is one matmul up front.
#include "wick/nn/modules/rnn.h"

#include <cmath>
#include <optional>
#include <ostream>

#include "wick/detail/autocast_op.h"
#include "wick/detail/shape_of.h"
#include "wick/grad_mode.h"
#include "wick/nn/aliases.h"
#include "wick/nn/init.h"
#include "wick/nn_ops.h"
#include "wick/ops.h"

namespace wick {

using wick::detail::shape_of;

namespace {

// ---- one time step, given the projections xp = x W_ih^T + b_ih and hp = h W_hh^T + b_hh ------------------

Tensor rnn_step(const Tensor& xp, const Tensor& hp, bool relu_activation) {
  const Tensor pre = xp + hp;
  return relu_activation ? relu(pre) : tanh(pre);
}

// Gates in PyTorch's order: input, forget, cell, output. w_hr (LSTM with proj_size) projects the new h.
std::tuple<Tensor, Tensor> lstm_step(const Tensor& xp, const Tensor& hp, const Tensor& c, const Tensor& w_hr = {}) {
  auto [h_next, c_next] = fused_lstm_cell(xp, hp, c);
  if (w_hr.defined()) h_next = linear(h_next, w_hr);
  return {h_next, c_next};
}

// Gates in PyTorch's order: reset, update, new. The reset gate scales h's projection including its bias.
Tensor gru_step(const Tensor& xp, const Tensor& hp, const Tensor& h) { return fused_gru_cell(xp, hp, h); }

// ---- the cell functions' argument checks ----------------------------------------------------------------

// Checks input [B, I] or [I], hidden states [B, H] or [H] and weights [gates*H, I], [gates*H, H'] (H' = h's size).
void check_cell(const char* op, const Tensor& input, const std::vector<Tensor>& states, const Tensor& w_ih,
                const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh, int64_t gates) {
  WICK_CHECK(input.defined() && (input.dim() == 1 || input.dim() == 2), op, "expected a 1-D or 2-D input, got ",
             shape_of(input));
  WICK_CHECK(is_floating_point(input.dtype()), op, "expected a floating point input, got ", dtype_name(input.dtype()));
  WICK_CHECK(w_ih.defined() && w_hh.defined() && w_ih.dim() == 2 && w_hh.dim() == 2 && w_ih.size(0) == w_hh.size(0) &&
                 w_ih.size(0) % gates == 0,
             op, "expected weights [", gates, "*hidden, input] and [", gates, "*hidden, hidden], got ", shape_of(w_ih),
             " and ", shape_of(w_hh));
  const int64_t G = w_ih.size(0);
  WICK_CHECK(input.size(-1) == w_ih.size(1), op, "input has ", input.size(-1), " features but weight_ih expects ",
             w_ih.size(1));
  for (const Tensor* b : {&b_ih, &b_hh})
    WICK_CHECK(!b->defined() || (b->dim() == 1 && b->size(0) == G), op, "expected biases of shape [", G, "], got ",
               shape_of(*b));
  for (const Tensor& s : states) {
    WICK_CHECK(s.defined() && s.dim() == input.dim() && (input.dim() == 1 || s.size(0) == input.size(0)), op,
               "hidden state ", shape_of(s), " does not match input ", shape_of(input));
  }
  WICK_CHECK(states[0].size(-1) == w_hh.size(1), op, "hidden state has ", states[0].size(-1),
             " features but weight_hh expects ", w_hh.size(1));
}

}  // namespace

Tensor rnn_tanh_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih,
                     const Tensor& b_hh) {
  check_cell("rnn_tanh_cell", input, {hx}, w_ih, w_hh, b_ih, b_hh, 1);
  return rnn_step(linear(input, w_ih, b_ih), linear(hx, w_hh, b_hh), false);
}

Tensor rnn_relu_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih,
                     const Tensor& b_hh) {
  check_cell("rnn_relu_cell", input, {hx}, w_ih, w_hh, b_ih, b_hh, 1);
  return rnn_step(linear(input, w_ih, b_ih), linear(hx, w_hh, b_hh), true);
}

std::tuple<Tensor, Tensor> lstm_cell(const Tensor& input, const std::vector<Tensor>& hx, const Tensor& w_ih,
                                     const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh) {
  WICK_CHECK(hx.size() == 2, "lstm_cell", "expected hx = {h, c}, got ", hx.size(), " tensors");
  check_cell("lstm_cell", input, hx, w_ih, w_hh, b_ih, b_hh, 4);
  WICK_CHECK(hx[1].size(-1) * 4 == w_ih.size(0), "lstm_cell", "cell state has ", hx[1].size(-1), " features, expected ",
             w_ih.size(0) / 4);
  return lstm_step(linear(input, w_ih, b_ih), linear(hx[0], w_hh, b_hh), hx[1]);
}

Tensor gru_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih,
                const Tensor& b_hh) {
  check_cell("gru_cell", input, {hx}, w_ih, w_hh, b_ih, b_hh, 3);
  return gru_step(linear(input, w_ih, b_ih), linear(hx, w_hh, b_hh), hx);
}

}  // namespace wick

namespace wick::nn {

namespace detail {

namespace {

int64_t gates_of(RNNMode mode) {
  switch (mode) {
    case RNNMode::LSTM: return 4;
    case RNNMode::GRU: return 3;
    default: return 1;
  }
}

// U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) for every weight and bias, as PyTorch (hidden_size > 0: checked).
void init_uniform(const std::vector<Tensor>& tensors, int64_t hidden_size) {
  const double bound = 1.0 / std::sqrt(double(hidden_size));
  for (const Tensor& t : tensors)
    if (t.defined()) init::uniform_(t, -bound, bound);
}

}  // namespace

RNNImplBase::RNNImplBase(const char* name, const RNNOptionsBase& options) : options_base(options), name_(name) {
  reset();
}

void RNNImplBase::reset() {
  const RNNOptionsBase& o = options_base;
  WICK_CHECK(o.input_size > 0 && o.hidden_size > 0, name_, "input_size and hidden_size must be positive, got ",
             o.input_size, " and ", o.hidden_size);
  WICK_CHECK(o.num_layers > 0, name_, "num_layers must be positive, got ", o.num_layers);
  WICK_CHECK(o.dropout >= 0 && o.dropout <= 1, name_, "dropout must be a number in [0, 1], got ", o.dropout);
  WICK_CHECK(o.proj_size >= 0 && o.proj_size < o.hidden_size, name_,
             "proj_size must be non-negative and smaller than hidden_size, got ", o.proj_size);
  const int64_t directions = o.bidirectional ? 2 : 1, G = gates_of(o.mode) * o.hidden_size, h_out = h_size();
  weights_.clear();
  for (int64_t layer = 0; layer < o.num_layers; ++layer)
    for (int64_t direction = 0; direction < directions; ++direction) {
      const std::string suffix = "_l" + std::to_string(layer) + (direction == 1 ? "_reverse" : "");
      const int64_t in = layer == 0 ? o.input_size : h_out * directions;
      Weights w;
      if (quantized_) {  // a clone of a quantized stack: the copy takes the original's int8 values by name
        w.w_ih = register_buffer("weight_ih" + suffix, wick::zeros({G, in}, dtype(kInt8)));
        w.s_ih = register_buffer("weight_ih" + suffix + "_scale", wick::ones({G}));
        w.w_hh = register_buffer("weight_hh" + suffix, wick::zeros({G, h_out}, dtype(kInt8)));
        w.s_hh = register_buffer("weight_hh" + suffix + "_scale", wick::ones({G}));
        if (o.bias) {
          w.b_ih = register_buffer("bias_ih" + suffix, wick::zeros({G}));
          w.b_hh = register_buffer("bias_hh" + suffix, wick::zeros({G}));
        }
        weights_.push_back(w);
        continue;
      }
      w.w_ih = register_parameter("weight_ih" + suffix, wick::empty({G, in}));
      w.w_hh = register_parameter("weight_hh" + suffix, wick::empty({G, h_out}));
      if (o.bias) {
        w.b_ih = register_parameter("bias_ih" + suffix, wick::empty({G}));
        w.b_hh = register_parameter("bias_hh" + suffix, wick::empty({G}));
      }
      if (o.proj_size > 0) w.w_hr = register_parameter("weight_hr" + suffix, wick::empty({o.proj_size, o.hidden_size}));
      weights_.push_back(w);
    }
  if (!quantized_) reset_parameters();
}

void RNNImplBase::quantize_dynamic_() {
  WICK_CHECK(!quantized_, name_, "::quantize_dynamic_: the layer is already quantized");
  WICK_CHECK(options_base.proj_size == 0, name_, "::quantize_dynamic_: an LSTM with proj_size (",
             options_base.proj_size, ") has no int8 form, as in PyTorch");
  WICK_CHECK(options_base.mode == RNNMode::LSTM || options_base.mode == RNNMode::GRU, name_,
             "::quantize_dynamic_: only LSTM and GRU have an int8 form, as in PyTorch");
  // Registration order as reset() makes it: per layer and direction, w_ih, its scale, w_hh, its scale, biases.
  const std::vector<std::string> names = [&] {
    std::vector<std::string> all;
    for (const auto& item : parameters_) all.push_back(item.key());
    return all;
  }();
  std::vector<Weights> quantized;
  for (const Weights& w : weights_) {
    Weights q;
    std::tie(q.w_ih, q.s_ih) = quantization::quantize_per_channel_symmetric(w.w_ih);
    std::tie(q.w_hh, q.s_hh) = quantization::quantize_per_channel_symmetric(w.w_hh);
    if (w.b_ih.defined()) q.b_ih = w.b_ih.detach().to(kFloat).clone();
    if (w.b_hh.defined()) q.b_hh = w.b_hh.detach().to(kFloat).clone();
    quantized.push_back(q);
  }
  for (const std::string& name : names) parameters_.erase(name);
  quantized_ = true;
  const RNNOptionsBase& o = options_base;
  const int64_t directions = o.bidirectional ? 2 : 1;
  for (int64_t layer = 0; layer < o.num_layers; ++layer)
    for (int64_t direction = 0; direction < directions; ++direction) {
      const std::string suffix = "_l" + std::to_string(layer) + (direction == 1 ? "_reverse" : "");
      Weights& q = quantized[size_t(layer * directions + direction)];
      q.w_ih = register_buffer("weight_ih" + suffix, q.w_ih);
      q.s_ih = register_buffer("weight_ih" + suffix + "_scale", q.s_ih);
      q.w_hh = register_buffer("weight_hh" + suffix, q.w_hh);
      q.s_hh = register_buffer("weight_hh" + suffix + "_scale", q.s_hh);
      if (q.b_ih.defined()) q.b_ih = register_buffer("bias_ih" + suffix, q.b_ih);
      if (q.b_hh.defined()) q.b_hh = register_buffer("bias_hh" + suffix, q.b_hh);
      q.packed_ih.get(q.w_ih, q.s_ih);  // packed now, so that the first call is as fast as the others
      q.packed_hh.get(q.w_hh, q.s_hh);
    }
  weights_ = std::move(quantized);
}

Tensor RNNImplBase::project(const Tensor& x, const Tensor& w, const Tensor& scale,
                            const quantization::PackedLinearWeightCache& packed, const Tensor& b) const {
  return quantized_ ? quantization::linear_dynamic(x, packed.get(w, scale), b) : linear(x, w, b);
}

void RNNImplBase::reset_parameters() {
  WICK_CHECK(!quantized_, name_, "::reset_parameters: an int8 layer has no parameters to initialise");
  NoGradGuard no_grad;
  init_uniform(all_weights(), options_base.hidden_size);
}

std::vector<Tensor> RNNImplBase::all_weights() const {
  std::vector<Tensor> all;
  for (const Weights& w : weights_)
    for (const Tensor* t : {&w.w_ih, &w.w_hh, &w.b_ih, &w.b_hh, &w.w_hr})
      if (t->defined()) all.push_back(*t);
  return all;
}

void RNNImplBase::pretty_print(std::ostream& stream) const {
  const RNNOptionsBase& o = options_base;
  // PyTorch prints its int8 layers as DynamicQuantizedLSTM / DynamicQuantizedGRU.
  const std::string name = quantized_ ? "nn::DynamicQuantized" + std::string(name_).substr(4) : name_;
  stream << std::boolalpha << "wick::" << name << "(input_size=" << o.input_size << ", hidden_size=" << o.hidden_size
         << ", num_layers=" << o.num_layers << ", bias=" << o.bias << ", batch_first=" << o.batch_first
         << ", dropout=" << o.dropout << ", bidirectional=" << o.bidirectional;
  if (o.proj_size > 0) stream << ", proj_size=" << o.proj_size;
  stream << ")";
}

std::tuple<Tensor, Tensor, Tensor> RNNImplBase::run(const Tensor& input, Tensor hx, Tensor cx) {
  const RNNOptionsBase& o = options_base;
  WICK_CHECK(input.defined() && (input.dim() == 2 || input.dim() == 3), name_,
             "expected a 2-D (unbatched) or 3-D (batched) input, got ", shape_of(input));
  const bool batched = input.dim() == 3;
  const int64_t batch_dim = o.batch_first ? 0 : 1;
  Tensor x = batched ? input : input.unsqueeze(batch_dim);
  if (o.batch_first) x = x.transpose(0, 1);  // [T, B, I]
  const int64_t T = x.size(0), B = x.size(1);
  WICK_CHECK(T > 0, name_, "expected a sequence length larger than 0, got input ", shape_of(input));
  if (!batched) {  // states [L*D, H] -> [L*D, 1, H], after checking them as the user gave them
    check_state(hx, 1, h_size(), batched, "hx");
    if (cx.defined()) check_state(cx, 1, o.hidden_size, batched, "cx");
    hx = hx.defined() ? hx.unsqueeze(1) : hx;
    cx = cx.defined() ? cx.unsqueeze(1) : cx;
  }
  // Padded input is packed input whose every time step holds the whole batch.
  auto [data, h_last, c_last] = run_packed(x.reshape({T * B, x.size(2)}), std::vector<int64_t>(size_t(T), B), hx, cx);
  Tensor output = data.view({T, B, data.size(1)});
  if (o.batch_first) output = output.transpose(0, 1);
  if (!batched) {
    output = output.squeeze(batch_dim);
    h_last = h_last.squeeze(1);
    if (c_last.defined()) c_last = c_last.squeeze(1);
  }
  return {traced(output), h_last, c_last};
}

int64_t RNNImplBase::h_size() const {
  return options_base.proj_size > 0 ? options_base.proj_size : options_base.hidden_size;
}

void RNNImplBase::check_state(const Tensor& s, int64_t batch, int64_t size, bool batched, const char* what) const {
  if (!s.defined()) return;
  const int64_t layers = options_base.num_layers * (options_base.bidirectional ? 2 : 1);
  const std::vector<int64_t> expected =
      batched ? std::vector<int64_t>{layers, batch, size} : std::vector<int64_t>{layers, size};
  WICK_CHECK(s.sizes() == IntArrayRef(expected), name_, "expected ", what, " of shape ", shape_str(expected), ", got ",
             shape_of(s));
}

std::tuple<Tensor, Tensor, Tensor> RNNImplBase::run_packed(const Tensor& input, const std::vector<int64_t>& batch_sizes,
                                                           Tensor hx, Tensor cx) {
  const RNNOptionsBase& o = options_base;
  // Under autocast the whole stack runs in the low dtype, weights and states included (PyTorch 2 lists the CPU's
  // mkldnn_rnn and CUDA's cells as lower precision); autocast is off inside, so the layers' linear calls do not
  // cast again.
  // An int8 stack runs as it is: its layers quantize their float32 inputs themselves.
  std::optional<wick::detail::AutocastOp> autocast;
  if (!quantized_) autocast.emplace(wick::detail::autocast_lists::recurrent, input.device());
  const bool low = autocast && *autocast;
  auto ac = [&](const Tensor& t) { return low ? (*autocast)(t) : t; };
  std::vector<Weights> low_weights;
  if (low) {
    for (const Weights& w : weights_) {
      low_weights.push_back(w);
      for (Tensor* t : {&low_weights.back().w_ih, &low_weights.back().w_hh, &low_weights.back().b_ih,
                        &low_weights.back().b_hh, &low_weights.back().w_hr})
        *t = ac(*t);
    }
    hx = ac(hx);
    cx = ac(cx);
  }
  const std::vector<Weights>& weights = low ? low_weights : weights_;
  const Tensor data = ac(input);
  WICK_CHECK(is_floating_point(data.dtype()), name_, "expected a floating point input, got ", dtype_name(data.dtype()));
  WICK_CHECK(data.dim() == 2 && data.size(1) == o.input_size, name_,
             "input.size(-1) must be equal to input_size. Expected ", o.input_size, ", got ", data.size(-1));
  const bool lstm = o.mode == RNNMode::LSTM;
  const int64_t T = int64_t(batch_sizes.size()), B = batch_sizes[0], D = o.bidirectional ? 2 : 1;
  // Initial states [L*D, B, size], zeros when not given.
  auto initial = [&](Tensor s, int64_t size, const char* what) {
    if (!s.defined()) return zeros({o.num_layers * D, B, size}, data.options());
    check_state(s, B, size, true, what);
    WICK_CHECK(s.dtype() == data.dtype() && s.device() == data.device(), name_, what, " is ", dtype_name(s.dtype()),
               " on ", s.device().str(), " but the input is ", dtype_name(data.dtype()), " on ", data.device().str());
    return s;
  };
  hx = initial(hx, h_size(), "hx");
  if (lstm) cx = initial(cx, o.hidden_size, "cx");

  std::vector<Tensor> h_n, c_n;
  Tensor layer_input = data;
  for (int64_t layer = 0; layer < o.num_layers; ++layer) {
    std::vector<Tensor> outputs;
    for (int64_t direction = 0; direction < D; ++direction) {
      const Weights& w = weights[size_t(layer * D + direction)];
      // Every time step's input projection in one matmul (int8: with one activation scale for the whole sequence,
      // as PyTorch's quantized layers), then split into steps by one recorded split.
      const std::vector<Tensor> projected =
          project(layer_input, w.w_ih, w.s_ih, w.packed_ih, w.b_ih).split(IntArrayRef(batch_sizes), 0);
      Tensor h = hx.select(0, layer * D + direction), c = lstm ? cx.select(0, layer * D + direction) : Tensor();
      std::vector<Tensor> steps(static_cast<size_t>(T));
      for (int64_t i = 0; i < T; ++i) {
        // The reverse direction walks back from each sequence's last real step: a row joins when its time comes,
        // from the initial state, and a finished row keeps its last state.
        const int64_t t = direction == 0 ? i : T - 1 - i, rows = batch_sizes[size_t(t)];
        const Tensor h_rows = rows == B ? h : h.narrow(0, 0, rows);
        const Tensor c_rows = !lstm || rows == B ? c : c.narrow(0, 0, rows);
        Tensor h_next, c_next;
        const Tensor& xp = projected[size_t(t)];
        const Tensor hp = project(h_rows, w.w_hh, w.s_hh, w.packed_hh, w.b_hh);
        switch (o.mode) {
          case RNNMode::RNN_TANH: h_next = rnn_step(xp, hp, false); break;
          case RNNMode::RNN_RELU: h_next = rnn_step(xp, hp, true); break;
          case RNNMode::LSTM: std::tie(h_next, c_next) = lstm_step(xp, hp, c_rows, w.w_hr); break;
          case RNNMode::GRU: h_next = gru_step(xp, hp, h_rows); break;
        }
        steps[size_t(t)] = h_next;
        h = rows == B ? h_next : cat({h_next, h.narrow(0, rows, B - rows)}, 0);
        if (lstm) c = rows == B ? c_next : cat({c_next, c.narrow(0, rows, B - rows)}, 0);
      }
      outputs.push_back(cat(steps, 0));
      h_n.push_back(h);
      if (lstm) c_n.push_back(c);
    }
    layer_input = D == 1 ? outputs[0] : cat(outputs, 1);
    if (o.dropout > 0 && is_training() && layer + 1 < o.num_layers) layer_input = dropout(layer_input, o.dropout, true);
  }
  return {layer_input, stack(h_n, 0), lstm ? stack(c_n, 0) : Tensor()};
}

std::tuple<utils::rnn::PackedSequence, Tensor, Tensor> RNNImplBase::run_packed(const utils::rnn::PackedSequence& input,
                                                                               Tensor hx, Tensor cx) {
  const Tensor& sorted = input.sorted_indices();
  // States come in the caller's batch order; the packed rows are sorted by length.
  if (sorted.defined()) {
    if (hx.defined()) hx = hx.index_select(1, sorted);
    if (cx.defined()) cx = cx.index_select(1, sorted);
  }
  const Tensor& sizes = input.batch_sizes();
  auto [data, h, c] = run_packed(
      input.data(), std::vector<int64_t>(sizes.data_ptr<int64_t>(), sizes.data_ptr<int64_t>() + sizes.numel()), hx, cx);
  if (sorted.defined()) {
    h = h.index_select(1, input.unsorted_indices());
    if (c.defined()) c = c.index_select(1, input.unsorted_indices());
  }
  return {utils::rnn::PackedSequence(data, sizes, sorted, input.unsorted_indices()), h, c};
}

}  // namespace detail

namespace {
detail::RNNOptionsBase base_of(const RNNOptions& o) {
  return {o.nonlinearity().is<enumtype::kReLU>() ? detail::RNNMode::RNN_RELU : detail::RNNMode::RNN_TANH,
          o.input_size(),
          o.hidden_size(),
          o.num_layers(),
          o.bias(),
          o.batch_first(),
          o.dropout(),
          o.bidirectional(),
          0};
}
detail::RNNOptionsBase base_of(const LSTMOptions& o) {
  return {detail::RNNMode::LSTM, o.input_size(), o.hidden_size(),   o.num_layers(), o.bias(),
          o.batch_first(),       o.dropout(),    o.bidirectional(), o.proj_size()};
}
detail::RNNOptionsBase base_of(const GRUOptions& o) {
  return {detail::RNNMode::GRU, o.input_size(),    o.hidden_size(),
          o.num_layers(),       o.bias(),          o.batch_first(),
          o.dropout(),          o.bidirectional(), 0};
}
}  // namespace

RNNImpl::RNNImpl(const RNNOptions& options) : Cloneable("nn::RNN", base_of(options)), options(options) {}

std::tuple<Tensor, Tensor> RNNImpl::forward(const Tensor& input, Tensor hx) {
  auto [output, h, c] = run(input, std::move(hx), Tensor());
  return {output, h};
}

std::tuple<utils::rnn::PackedSequence, Tensor> RNNImpl::forward_with_packed_input(
    const utils::rnn::PackedSequence& packed_input, Tensor hx) {
  auto [output, h, c] = run_packed(packed_input, std::move(hx), Tensor());
  return {output, h};
}

LSTMImpl::LSTMImpl(const LSTMOptions& options) : Cloneable("nn::LSTM", base_of(options)), options(options) {}

std::tuple<Tensor, std::tuple<Tensor, Tensor>> LSTMImpl::forward(const Tensor& input,
                                                                 std::optional<std::tuple<Tensor, Tensor>> hx) {
  Tensor h0, c0;
  if (hx) std::tie(h0, c0) = *hx;
  WICK_CHECK(h0.defined() == c0.defined(), "nn::LSTM", "expected both h0 and c0, or neither");
  auto [output, h, c] = run(input, h0, c0);
  return {output, {h, c}};
}

std::tuple<utils::rnn::PackedSequence, std::tuple<Tensor, Tensor>> LSTMImpl::forward_with_packed_input(
    const utils::rnn::PackedSequence& packed_input, std::optional<std::tuple<Tensor, Tensor>> hx) {
  Tensor h0, c0;
  if (hx) std::tie(h0, c0) = *hx;
  WICK_CHECK(h0.defined() == c0.defined(), "nn::LSTM", "expected both h0 and c0, or neither");
  auto [output, h, c] = run_packed(packed_input, h0, c0);
  return {output, {h, c}};
}

GRUImpl::GRUImpl(const GRUOptions& options) : Cloneable("nn::GRU", base_of(options)), options(options) {}

std::tuple<Tensor, Tensor> GRUImpl::forward(const Tensor& input, Tensor hx) {
  auto [output, h, c] = run(input, std::move(hx), Tensor());
  return {output, h};
}

std::tuple<utils::rnn::PackedSequence, Tensor> GRUImpl::forward_with_packed_input(
    const utils::rnn::PackedSequence& packed_input, Tensor hx) {
  auto [output, h, c] = run_packed(packed_input, std::move(hx), Tensor());
  return {output, h};
}

// ---- cells ------------------------------------------------------------------------------------------------

namespace detail {

RNNCellImplBase::RNNCellImplBase(const char* name, int64_t input_size, int64_t hidden_size, bool bias, int64_t gates)
    : name_(name), input_size_(input_size), hidden_size_(hidden_size), gates_(gates), bias_(bias) {
  reset();
}

void RNNCellImplBase::reset() {
  WICK_CHECK(input_size_ > 0 && hidden_size_ > 0, name_, "input_size and hidden_size must be positive, got ",
             input_size_, " and ", hidden_size_);
  weight_ih = register_parameter("weight_ih", wick::empty({gates_ * hidden_size_, input_size_}));
  weight_hh = register_parameter("weight_hh", wick::empty({gates_ * hidden_size_, hidden_size_}));
  bias_ih = register_parameter("bias_ih", bias_ ? wick::empty({gates_ * hidden_size_}) : Tensor(), bias_);
  bias_hh = register_parameter("bias_hh", bias_ ? wick::empty({gates_ * hidden_size_}) : Tensor(), bias_);
  reset_parameters();
}

void RNNCellImplBase::reset_parameters() {
  NoGradGuard no_grad;
  init_uniform({weight_ih, weight_hh, bias_ih, bias_hh}, hidden_size_);
}

void RNNCellImplBase::pretty_print(std::ostream& stream) const {
  stream << "wick::" << name_ << "(" << input_size_ << ", " << hidden_size_;
  if (!bias_) stream << ", bias=false";
  stream << ")";
}

Tensor RNNCellImplBase::check_input(const Tensor& input, bool& unbatched) const {
  WICK_CHECK(input.defined() && (input.dim() == 1 || input.dim() == 2), name_,
             "expected a 1-D (unbatched) or 2-D (batched) input, got ", shape_of(input));
  WICK_CHECK(input.size(-1) == input_size_, name_, "input has ", input.size(-1), " features, expected ", input_size_);
  unbatched = input.dim() == 1;
  return unbatched ? input.unsqueeze(0) : input;
}

Tensor RNNCellImplBase::check_hidden(const Tensor& hx, const Tensor& input, bool unbatched, const char* what) const {
  if (!hx.defined()) return zeros({input.size(0), hidden_size_}, input.options());
  const std::vector<int64_t> expected =
      unbatched ? std::vector<int64_t>{hidden_size_} : std::vector<int64_t>{input.size(0), hidden_size_};
  WICK_CHECK(hx.sizes() == IntArrayRef(expected), name_, "expected ", what, " of shape ", shape_str(expected), ", got ",
             shape_of(hx));
  return unbatched ? hx.unsqueeze(0) : hx;
}

}  // namespace detail

RNNCellImpl::RNNCellImpl(const RNNCellOptions& options)
    : Cloneable("nn::RNNCell", options.input_size(), options.hidden_size(), options.bias(), 1), options(options) {}

void RNNCellImpl::pretty_print(std::ostream& stream) const {
  stream << "wick::nn::RNNCell(" << input_size_ << ", " << hidden_size_;
  if (!bias_) stream << ", bias=false";
  if (options.nonlinearity().is<enumtype::kReLU>()) stream << ", nonlinearity=kReLU";
  stream << ")";
}

Tensor RNNCellImpl::forward(const Tensor& input, Tensor hx) {
  bool unbatched = false;
  const Tensor x = check_input(input, unbatched), h = check_hidden(hx, x, unbatched, "hx");
  Tensor out = options.nonlinearity().is<enumtype::kReLU>()
                   ? rnn_relu_cell(x, h, weight_ih, weight_hh, bias_ih, bias_hh)
                   : rnn_tanh_cell(x, h, weight_ih, weight_hh, bias_ih, bias_hh);
  return traced(unbatched ? out.squeeze(0) : out);
}

LSTMCellImpl::LSTMCellImpl(const LSTMCellOptions& options)
    : Cloneable("nn::LSTMCell", options.input_size(), options.hidden_size(), options.bias(), 4), options(options) {}

std::tuple<Tensor, Tensor> LSTMCellImpl::forward(const Tensor& input, std::optional<std::tuple<Tensor, Tensor>> hx) {
  bool unbatched = false;
  const Tensor x = check_input(input, unbatched);
  Tensor h0, c0;
  if (hx) std::tie(h0, c0) = *hx;
  WICK_CHECK(h0.defined() == c0.defined(), name_, "expected both h0 and c0, or neither");
  auto [h, c] = lstm_cell(x, {check_hidden(h0, x, unbatched, "h0"), check_hidden(c0, x, unbatched, "c0")}, weight_ih,
                          weight_hh, bias_ih, bias_hh);
  if (unbatched) return {h.squeeze(0), c.squeeze(0)};
  return {h, c};
}

GRUCellImpl::GRUCellImpl(const GRUCellOptions& options)
    : Cloneable("nn::GRUCell", options.input_size(), options.hidden_size(), options.bias(), 3), options(options) {}

Tensor GRUCellImpl::forward(const Tensor& input, Tensor hx) {
  bool unbatched = false;
  const Tensor x = check_input(input, unbatched), h = check_hidden(hx, x, unbatched, "hx");
  const Tensor out = gru_cell(x, h, weight_ih, weight_hh, bias_ih, bias_hh);
  return traced(unbatched ? out.squeeze(0) : out);
}

}  // namespace wick::nn
