// Replays every committed fuzz input (tests/fuzz/corpus/<target>/: the seed corpus and each past finding, named
// for what it found) through the fuzz targets, in every build: a fixed bug stays fixed without a fuzzer running.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "fuzz_targets.h"

#ifndef WICK_FUZZ_CORPUS_DIR
#define WICK_FUZZ_CORPUS_DIR "tests/fuzz/corpus"
#endif

namespace {

using Target = void (*)(const uint8_t*, size_t);

// Returns how many inputs ran; a target's exception other than wick::Error fails the test case, naming the file.
size_t replay(const std::string& target_name, Target target) {
  const std::filesystem::path dir = std::filesystem::path(WICK_FUZZ_CORPUS_DIR) / target_name;
  REQUIRE(std::filesystem::is_directory(dir));
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    INFO("input " << file.string());
    CHECK_NOTHROW(target(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  }
  return files.size();
}

}  // namespace

TEST_CASE("fuzz corpus: safetensors inputs load or throw wick::Error", "[fuzz][serialize]") {
  CHECK(replay("safetensors", wick::fuzz::safetensors) > 0);
}

TEST_CASE("fuzz corpus: IDX inputs load or throw wick::Error", "[fuzz][data]") {
  CHECK(replay("idx", wick::fuzz::idx) > 0);
}

TEST_CASE("fuzz corpus: op programs run or throw wick::Error", "[fuzz][ops]") {
  CHECK(replay("ops", wick::fuzz::ops) > 0);
}
