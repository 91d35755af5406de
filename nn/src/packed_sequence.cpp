// PackedSequence and the packing/padding functions of torch::nn::utils::rnn, from the public ops (so gradients
// flow from packed data back to the padded input and the other way).
#include <algorithm>
#include <numeric>

#include "wick/nn/utils/rnn.h"
#include "wick/detail/shape_of.h"
#include "wick/ops.h"


namespace wick::nn::utils::rnn {

namespace {

std::vector<int64_t> host_ints(const Tensor& t) {
  const Tensor c = t.to(kCPU).to(kInt64).contiguous();
  return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

Tensor index_tensor(const std::vector<int64_t>& v, Device device) { return tensor(v, dtype(kInt64)).to(device); }

}  // namespace

PackedSequence::PackedSequence(Tensor data, Tensor batch_sizes, Tensor sorted_indices, Tensor unsorted_indices)
    : data_(std::move(data)),
      batch_sizes_(std::move(batch_sizes)),
      sorted_indices_(std::move(sorted_indices)),
      unsorted_indices_(std::move(unsorted_indices)) {
  WICK_CHECK(data_.defined() && data_.dim() >= 1, "PackedSequence", "expected data of at least 1 dim, got ",
             wick::detail::shape_of(data_));
  WICK_CHECK(
      batch_sizes_.defined() && batch_sizes_.dim() == 1 && batch_sizes_.dtype() == kInt64 && !batch_sizes_.is_cuda(),
      "PackedSequence", "batch_sizes must be a 1-D int64 CPU tensor");
  const std::vector<int64_t> sizes = host_ints(batch_sizes_);
  int64_t total = 0;
  for (size_t t = 0; t < sizes.size(); ++t) {
    WICK_CHECK(sizes[t] > 0 && (t == 0 || sizes[t] <= sizes[t - 1]), "PackedSequence",
               "batch_sizes must be positive and non-increasing, got ", shape_str(sizes));
    total += sizes[t];
  }
  WICK_CHECK(total == data_.size(0), "PackedSequence", "batch_sizes add up to ", total, " but data has ", data_.size(0),
             " rows");
  if (sorted_indices_.defined() && !unsorted_indices_.defined()) {
    const std::vector<int64_t> sorted = host_ints(sorted_indices_);
    std::vector<int64_t> inverse(sorted.size());
    for (size_t i = 0; i < sorted.size(); ++i) inverse[size_t(sorted[i])] = int64_t(i);
    unsorted_indices_ = index_tensor(inverse, sorted_indices_.device());
  }
}

PackedSequence PackedSequence::to(Device device) const {
  return PackedSequence(data_.to(device), batch_sizes_,
                        sorted_indices_.defined() ? sorted_indices_.to(device) : Tensor(),
                        unsorted_indices_.defined() ? unsorted_indices_.to(device) : Tensor());
}

PackedSequence pack_padded_sequence(const Tensor& input, const Tensor& lengths, bool batch_first, bool enforce_sorted) {
  constexpr const char* op = "pack_padded_sequence";
  WICK_CHECK(input.defined() && input.dim() >= 2, op, "expected an input of at least 2 dims, got ",
             wick::detail::shape_of(input));
  WICK_CHECK(lengths.defined() && lengths.dim() == 1 && !is_floating_point(lengths.dtype()), op,
             "expected lengths as a 1-D integer tensor");
  Tensor x = batch_first ? input.transpose(0, 1) : input;  // [T, B, *]
  const int64_t T = x.size(0), B = x.size(1);
  std::vector<int64_t> length = host_ints(lengths);
  WICK_CHECK(int64_t(length.size()) == B, op, "expected ", B, " lengths (the batch size), got ", length.size());
  for (int64_t l : length)
    WICK_CHECK(l > 0 && l <= T, op, "every length must be in 1..", T, " (the padded length), got ", shape_str(length));
  Tensor sorted_indices;
  if (enforce_sorted) {
    WICK_CHECK(std::is_sorted(length.rbegin(), length.rend()), op,
               "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True, got ",
               shape_str(length));
  } else {
    std::vector<int64_t> order(static_cast<size_t>(B));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return length[a] > length[b]; });
    std::vector<int64_t> sorted(static_cast<size_t>(B));
    for (int64_t i = 0; i < B; ++i) sorted[size_t(i)] = length[size_t(order[size_t(i)])];
    length = sorted;
    sorted_indices = index_tensor(order, input.device());
    x = x.index_select(1, sorted_indices);
  }
  std::vector<int64_t> batch_sizes;
  for (int64_t t = 0; t < length[0]; ++t)
    batch_sizes.push_back(std::count_if(length.begin(), length.end(), [t](int64_t l) { return l > t; }));
  const std::vector<Tensor> steps = x.unbind(0);
  std::vector<Tensor> rows;
  for (size_t t = 0; t < batch_sizes.size(); ++t) rows.push_back(steps[t].narrow(0, 0, batch_sizes[t]));
  return PackedSequence(cat(rows, 0), tensor(batch_sizes, dtype(kInt64)), sorted_indices);
}

std::tuple<Tensor, Tensor> pad_packed_sequence(const PackedSequence& sequence, bool batch_first, double padding_value,
                                               std::optional<int64_t> total_length) {
  constexpr const char* op = "pad_packed_sequence";
  const std::vector<int64_t> batch_sizes = host_ints(sequence.batch_sizes());
  WICK_CHECK(!batch_sizes.empty(), op, "the sequence has no time steps");
  const int64_t T = int64_t(batch_sizes.size()), B = batch_sizes[0];
  const int64_t padded_length = total_length.value_or(T);
  WICK_CHECK(padded_length >= T, op, "expected total_length to be at least the length of the longest sequence (", T,
             "), got ", padded_length);
  const Tensor& data = sequence.data();
  std::vector<int64_t> row_shape = data.sizes().vec();
  const std::vector<Tensor> parts = data.split(IntArrayRef(batch_sizes), 0);
  std::vector<Tensor> steps;
  for (int64_t t = 0; t < padded_length; ++t) {
    const int64_t rows = t < T ? batch_sizes[size_t(t)] : 0;
    row_shape[0] = B - rows;
    const Tensor pad = full(row_shape, padding_value, data.options());
    steps.push_back(rows == 0 ? pad : rows == B ? parts[size_t(t)] : cat({parts[size_t(t)], pad}, 0));
  }
  Tensor padded = stack(steps, 0);  // [T, B, *] in sorted order
  std::vector<int64_t> lengths(static_cast<size_t>(B));
  for (int64_t i = 0; i < B; ++i)
    lengths[size_t(i)] = std::count_if(batch_sizes.begin(), batch_sizes.end(), [i](int64_t s) { return s > i; });
  Tensor length_tensor = tensor(lengths, dtype(kInt64));
  if (sequence.unsorted_indices().defined()) {
    padded = padded.index_select(1, sequence.unsorted_indices());
    length_tensor = length_tensor.index_select(0, sequence.unsorted_indices().to(kCPU));
  }
  return {batch_first ? padded.transpose(0, 1) : padded, length_tensor};
}

Tensor pad_sequence(const std::vector<Tensor>& sequences, bool batch_first, double padding_value) {
  constexpr const char* op = "pad_sequence";
  WICK_CHECK(!sequences.empty(), op, "expected at least one sequence");
  int64_t longest = 0;
  for (const Tensor& s : sequences) {
    WICK_CHECK(s.defined() && s.dim() >= 1, op, "every sequence needs at least 1 dim");
    WICK_CHECK(s.dim() == sequences[0].dim() &&
                   std::equal(s.sizes().begin() + 1, s.sizes().end(), sequences[0].sizes().begin() + 1),
               op, "sequences differ beyond their length: ", shape_str(s.sizes()), " and ",
               shape_str(sequences[0].sizes()));
    longest = std::max(longest, s.size(0));
  }
  std::vector<Tensor> padded;
  for (const Tensor& s : sequences) {
    std::vector<int64_t> pad_shape = s.sizes().vec();
    pad_shape[0] = longest - s.size(0);
    padded.push_back(pad_shape[0] == 0 ? s : cat({s, full(pad_shape, padding_value, s.options())}, 0));
  }
  return stack(padded, batch_first ? 0 : 1);
}

PackedSequence pack_sequence(const std::vector<Tensor>& sequences, bool enforce_sorted) {
  std::vector<int64_t> lengths;
  for (const Tensor& s : sequences) lengths.push_back(s.defined() && s.dim() >= 1 ? s.size(0) : 0);
  return pack_padded_sequence(pad_sequence(sequences), tensor(lengths, dtype(kInt64)), false, enforce_sorted);
}

}  // namespace wick::nn::utils::rnn
