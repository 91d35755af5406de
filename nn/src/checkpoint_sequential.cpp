#include "wick/nn/utils/checkpoint.h"

#include <algorithm>

namespace wick::utils {

Tensor checkpoint_sequential(const nn::Sequential& sequential, int64_t segments, const Tensor& input,
                             bool preserve_rng_state) {
  const int64_t n = int64_t(sequential->size());
  WICK_CHECK(n > 0, "checkpoint_sequential", "the Sequential is empty");
  WICK_CHECK(segments >= 1, "checkpoint_sequential", "segments must be at least 1, got ", segments);
  // PyTorch's split: segments - 1 checkpointed runs of n / segments modules, then the rest run as usual.
  const int64_t runs = std::min(segments, n), per = n / runs;
  // The holder is copied into each run: the checkpoint node calls it again during backward.
  auto run = [sequential](int64_t begin, int64_t end) {
    return [sequential, begin, end](const Tensor& x) {
      Tensor h = x;
      for (int64_t i = begin; i < end; ++i) h = (sequential->begin() + i)->forward(h);
      return h;
    };
  };
  Tensor h = input;
  int64_t begin = 0;
  for (int64_t r = 0; r + 1 < runs; ++r, begin += per) {
    const Tensor in = h;
    h = checkpoint(CheckpointFunction([f = run(begin, begin + per)](const std::vector<Tensor>& xs) mutable {
                     return std::vector<Tensor>{f(xs[0])};
                   }),
                   {in}, preserve_rng_state)[0];
  }
  return run(begin, n)(h);
}

}  // namespace wick::utils
