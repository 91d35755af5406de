// The fuzz targets, each a function of raw bytes. libFuzzer calls them through libfuzzer_main.cpp (one
// executable per target, built with -Dfuzz=enabled); the Catch2 suite (replay_test.cpp) runs every committed
// input under tests/fuzz/corpus/<target>/ through the same functions, so each past finding stays a regression test.
// A target returns normally when wick accepted the input or rejected it with wick::Error; any other exception,
// a crash, a sanitizer report or a hang is a finding.
#pragma once

#include <cstddef>
#include <cstdint>

namespace wick::fuzz {

void safetensors(const uint8_t* data, size_t size);  // the bytes as a .safetensors file
void idx(const uint8_t* data, size_t size);          // the bytes as IDX files, alone and as an MNIST pair
void ops(const uint8_t* data, size_t size);          // the bytes decoded into a sequence of tensor ops

}  // namespace wick::fuzz
