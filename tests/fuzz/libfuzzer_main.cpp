// libFuzzer's entry point for one target, chosen at compile time (-DWICK_FUZZ_TARGET=wick::fuzz::ops).
#include "fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  WICK_FUZZ_TARGET(data, size);
  return 0;
}
