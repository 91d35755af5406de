// TensorDataset: rows of in-memory tensors.
#include "wick/data/datasets/tensor.h"

namespace wick::data::datasets {

TensorDataset::TensorDataset(Tensor data_, Tensor target_) : data(std::move(data_)), target(std::move(target_)) {
  WICK_CHECK(data.defined() && data.dim() >= 1, "data::datasets::TensorDataset", "data must have a first dimension");
  WICK_CHECK(!target.defined() || (target.dim() >= 1 && target.size(0) == data.size(0)),
             "data::datasets::TensorDataset", "data has ", data.size(0), " rows but target has shape ",
             shape_str(target.sizes()));
}

Example<> TensorDataset::get(size_t index) {
  WICK_CHECK(int64_t(index) < data.size(0), "data::datasets::TensorDataset::get", "index ", (unsigned long)index,
             " is out of range for ", data.size(0), " examples");
  return {data[int64_t(index)], target.defined() ? target[int64_t(index)] : Tensor()};
}

std::optional<size_t> TensorDataset::size() const { return size_t(data.size(0)); }

}  // namespace wick::data::datasets
