// Fuzz target: arbitrary bytes as a .safetensors file. The loader must either throw wick::Error or return tensors
// whose every byte lies inside the file (read back here, so an out-of-bounds view shows up under ASan).
#include <wick/wick.h>

#include "fuzz_targets.h"
#include "memory_file.h"

namespace wick::fuzz {

void safetensors(const uint8_t* data, size_t size) {
  const MemoryFile file(data, size);
  try {
    const TensorDict tensors = load_safetensors(file.path());
    for (const auto& [name, t] : tensors) {
      // Summing in double reads every element (of any dtype) through the ordinary op path.
      if (t.numel() > 0) (void)t.to(kDouble).sum().item<double>();
      // In place, as users do with loaded weights: the mapping is private, so this must not fault.
      if (t.numel() > 0) t.zero_();
    }
    (void)load_safetensors_metadata(file.path());
  } catch (const Error&) {
    // Rejected with a message: the expected outcome for most inputs.
  }
}

}  // namespace wick::fuzz
