// A dataset over tensors already in memory: example i is (data[i], target[i]), as PyTorch's TensorDataset.
#pragma once

#include "wick/data/dataset.h"

namespace wick::data::datasets {

class TensorDataset : public Dataset<TensorDataset> {
 public:
  // target may be undefined (examples then have an undefined target); otherwise its first dimension must
  // equal data's.
  explicit TensorDataset(Tensor data, Tensor target = {});

  Example<> get(size_t index) override;
  std::optional<size_t> size() const override;

  Tensor data, target;
};

}  // namespace wick::data::datasets
