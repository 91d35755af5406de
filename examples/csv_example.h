// What the CSV examples (iris, housing) share: their command line, `NAME [--quick] [--seed N] [path/to/file.csv]`,
// and exit status 77 when the data file is missing, which tools/check counts as skipped rather than failed.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

constexpr int kMissingData = 77;
// Where Debian's python3-sklearn installs the small CSV data sets it ships.
constexpr const char* kSklearnData = "/usr/lib/python3/dist-packages/sklearn/datasets/data/";

struct CsvExampleArgs {
  bool quick = false;  // fewer epochs
  uint64_t seed = 0;   // the split, the initial weights and the batch order
  std::string path;
};

// The parsed arguments, or nullopt (having said why) when the CSV file does not exist. The path defaults to
// sklearn's copy of `file`.
inline std::optional<CsvExampleArgs> parse_args(int argc, char** argv, const char* name, const char* file) {
  CsvExampleArgs args{false, 0, std::string(kSklearnData) + file};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--quick") {
      args.quick = true;
    } else if (arg == "--seed" && i + 1 < argc) {
      const std::string value = argv[++i];
      const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), args.seed);
      if (error != std::errc() || end != value.data() + value.size())
        throw std::invalid_argument(std::string(name) + ": --seed needs a whole number, not \"" + value + "\"");
    } else {
      args.path = arg;
    }
  }
  if (std::filesystem::exists(args.path)) return args;
  std::fprintf(stderr, "%s: no data: %s is missing (apt-get install python3-sklearn, or pass a path)\n", name,
               args.path.c_str());
  return std::nullopt;
}
