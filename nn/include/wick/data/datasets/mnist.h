// The MNIST digits from the standard IDX files in `root`, as LibTorch's torch::data::datasets::MNIST:
//   train-images-idx3-ubyte, train-labels-idx1-ubyte   (Mode::kTrain)
//   t10k-images-idx3-ubyte,  t10k-labels-idx1-ubyte    (Mode::kTest)
// Any number of samples (and any image size) is accepted; magic numbers, sizes and labels are checked, and a
// malformed or truncated file throws wick::Error naming it. Images are float [1, H, W] in [0, 1]; targets are
// int64 scalars.
#pragma once

#include <string>

#include "wick/data/dataset.h"

namespace wick::data::datasets {

class MNIST : public Dataset<MNIST> {
 public:
  enum class Mode { kTrain, kTest };

  explicit MNIST(const std::string& root, Mode mode = Mode::kTrain);

  Example<> get(size_t index) override;
  std::optional<size_t> size() const override;
  bool is_train() const noexcept { return is_train_; }
  // All images [N, 1, H, W] (float) and targets [N] (int64).
  const Tensor& images() const noexcept { return images_; }
  const Tensor& targets() const noexcept { return targets_; }

 private:
  Tensor images_, targets_;
  bool is_train_;
};

// Reads one IDX file: an images file (magic 2051) as uint8 [N, H, W] or a labels file (magic 2049) as
// uint8 [N]. Throws wick::Error naming the file when it is missing, malformed or truncated.
Tensor read_idx(const std::string& path);

}  // namespace wick::data::datasets
