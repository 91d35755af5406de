// Variable-length batches for the recurrent layers, as torch::nn::utils::rnn: a PackedSequence holds only the
// real time steps of each sequence, time-major, longest sequence first; RNN/LSTM/GRU's
// forward_with_packed_input run each sequence for exactly its own length, so its final state is the state
// after its last real step (and a bidirectional layer's reverse pass starts there, not in the padding).
#pragma once

#include <cstdint>
#include <optional>
#include <tuple>
#include <vector>

#include "wick/tensor.h"

namespace wick::nn::utils::rnn {

class PackedSequence {
 public:
  PackedSequence() = default;
  // data [sum(batch_sizes), *]: time step t's batch_sizes[t] rows, one step after another. batch_sizes: int64
  // on the CPU, non-increasing. sorted_indices: the original batch index of each packed row (undefined when the
  // batch came sorted); unsorted_indices its inverse.
  PackedSequence(Tensor data, Tensor batch_sizes, Tensor sorted_indices = {}, Tensor unsorted_indices = {});

  const Tensor& data() const { return data_; }
  const Tensor& batch_sizes() const { return batch_sizes_; }
  const Tensor& sorted_indices() const { return sorted_indices_; }
  const Tensor& unsorted_indices() const { return unsorted_indices_; }
  bool is_cuda() const { return data_.is_cuda(); }
  PackedSequence to(Device device) const;

 private:
  Tensor data_, batch_sizes_, sorted_indices_, unsorted_indices_;
};

// input [T, B, *] ([B, T, *] when batch_first), lengths [B] (int64, each in 1..T). enforce_sorted: the lengths
// must already be in decreasing order; otherwise the batch is sorted and sorted_indices records how.
PackedSequence pack_padded_sequence(const Tensor& input, const Tensor& lengths, bool batch_first = false,
                                    bool enforce_sorted = true);

// Back to a padded [T, B, *] ([B, T, *]) tensor in the original batch order, padding_value after each
// sequence's end, T = total_length when given (at least the longest length); and the lengths.
std::tuple<Tensor, Tensor> pad_packed_sequence(const PackedSequence& sequence, bool batch_first = false,
                                               double padding_value = 0.0,
                                               std::optional<int64_t> total_length = std::nullopt);

// Sequences [L_i, *] stacked into [max L, B, *] ([B, max L, *]), padded with padding_value.
Tensor pad_sequence(const std::vector<Tensor>& sequences, bool batch_first = false, double padding_value = 0.0);

// pack_padded_sequence(pad_sequence(sequences), their lengths).
PackedSequence pack_sequence(const std::vector<Tensor>& sequences, bool enforce_sorted = true);

}  // namespace wick::nn::utils::rnn
