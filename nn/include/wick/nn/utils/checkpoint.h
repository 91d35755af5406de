// checkpoint_sequential, as torch.utils.checkpoint.checkpoint_sequential: a Sequential cut into `segments` runs of
// consecutive modules; every run but the last is checkpointed (wick::utils::checkpoint), so only the activations
// at the cuts are kept, and each run's inside is recomputed during backward.
#pragma once

#include <cstdint>

#include "wick/autograd/checkpoint.h"
#include "wick/nn/modules/container.h"

namespace wick::utils {

Tensor checkpoint_sequential(const nn::Sequential& sequential, int64_t segments, const Tensor& input,
                             bool preserve_rng_state = true);

}  // namespace wick::utils
