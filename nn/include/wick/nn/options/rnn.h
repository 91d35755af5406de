// Options of the recurrent layers (RNN, LSTM, GRU) and their cells, as LibTorch spells them.
#pragma once

#include <cstdint>

#include "wick/arg.h"
#include "wick/nn/enum.h"

namespace wick::nn {

struct RNNOptions {
  using nonlinearity_t = Choice<enumtype::kTanh, enumtype::kReLU>;
  RNNOptions(int64_t input_size, int64_t hidden_size) : input_size_(input_size), hidden_size_(hidden_size) {}
  WICK_ARG(int64_t, input_size);
  WICK_ARG(int64_t, hidden_size);
  WICK_ARG(int64_t, num_layers) = 1;
  WICK_ARG(nonlinearity_t, nonlinearity) = kTanh;
  WICK_ARG(bool, bias) = true;
  WICK_ARG(bool, batch_first) = false;  // input and output [batch, seq, feature]; the states never
  WICK_ARG(double, dropout) = 0.0;      // on the outputs of every layer but the last, in training
  WICK_ARG(bool, bidirectional) = false;
};

struct LSTMOptions {
  LSTMOptions(int64_t input_size, int64_t hidden_size) : input_size_(input_size), hidden_size_(hidden_size) {}
  WICK_ARG(int64_t, input_size);
  WICK_ARG(int64_t, hidden_size);
  WICK_ARG(int64_t, num_layers) = 1;
  WICK_ARG(bool, bias) = true;
  WICK_ARG(bool, batch_first) = false;
  WICK_ARG(double, dropout) = 0.0;
  WICK_ARG(bool, bidirectional) = false;
  WICK_ARG(int64_t, proj_size) = 0;  // > 0: h is projected to this size (weight_hr_l<k>)
};

struct GRUOptions {
  GRUOptions(int64_t input_size, int64_t hidden_size) : input_size_(input_size), hidden_size_(hidden_size) {}
  WICK_ARG(int64_t, input_size);
  WICK_ARG(int64_t, hidden_size);
  WICK_ARG(int64_t, num_layers) = 1;
  WICK_ARG(bool, bias) = true;
  WICK_ARG(bool, batch_first) = false;
  WICK_ARG(double, dropout) = 0.0;
  WICK_ARG(bool, bidirectional) = false;
};

struct RNNCellOptions {
  using nonlinearity_t = Choice<enumtype::kTanh, enumtype::kReLU>;
  RNNCellOptions(int64_t input_size, int64_t hidden_size) : input_size_(input_size), hidden_size_(hidden_size) {}
  WICK_ARG(int64_t, input_size);
  WICK_ARG(int64_t, hidden_size);
  WICK_ARG(bool, bias) = true;
  WICK_ARG(nonlinearity_t, nonlinearity) = kTanh;
};

struct LSTMCellOptions {
  LSTMCellOptions(int64_t input_size, int64_t hidden_size) : input_size_(input_size), hidden_size_(hidden_size) {}
  WICK_ARG(int64_t, input_size);
  WICK_ARG(int64_t, hidden_size);
  WICK_ARG(bool, bias) = true;
};

struct GRUCellOptions {
  GRUCellOptions(int64_t input_size, int64_t hidden_size) : input_size_(input_size), hidden_size_(hidden_size) {}
  WICK_ARG(int64_t, input_size);
  WICK_ARG(int64_t, hidden_size);
  WICK_ARG(bool, bias) = true;
};

}  // namespace wick::nn
