// The text both language-model examples (char_lstm, tiny_gpt) learn from: Debian's `fortunes` package, as
// character codes, with every tenth fortune held out, and the random windows they train on.
#pragma once

#include <wick/wick.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace fortunes {

constexpr int64_t kFirst = 32, kVocab = 96;  // printable ASCII 32-126, and '\n' as 127 - 32 = 95

inline int64_t encode(char c) { return c == '\n' ? kVocab - 1 : c - kFirst; }
inline char decode(int64_t i) { return i == kVocab - 1 ? '\n' : char(i + kFirst); }

// Every fortune file's text as character codes: training text, and every tenth fortune held out.
inline void load(const std::string& folder, std::vector<int64_t>& train, std::vector<int64_t>& held_out) {
  int64_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (!entry.is_regular_file() || entry.path().has_extension()) continue;  // skip the .dat indexes, .u8 copies
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    std::string fortune, line;
    for (std::istringstream lines(text.str()); std::getline(lines, line);) {
      if (line != "%") {
        fortune += line + "\n";
        continue;
      }
      std::vector<int64_t>& into = ++count % 10 == 0 ? held_out : train;
      for (char c : fortune)
        if (c == '\n' || (c >= kFirst && c < 127)) into.push_back(encode(c));
      fortune.clear();
    }
  }
}

// `batch` random windows of `steps` + 1 characters: inputs [steps, batch] and, one later, the targets.
inline std::pair<wick::Tensor, wick::Tensor> windows(const wick::Tensor& text, int64_t steps, int64_t batch) {
  const wick::Tensor starts = wick::randint(text.size(0) - steps - 1, {batch});
  const wick::Tensor idx = starts.unsqueeze(0) + wick::arange(steps + 1).unsqueeze(1);  // [steps + 1, batch]
  const wick::Tensor chars = text.index_select(0, idx.flatten()).view({steps + 1, batch});
  return {chars.narrow(0, 0, steps), chars.narrow(0, 1, steps)};
}

// One index drawn with the given probabilities: the first whose running total passes a uniform number.
inline int64_t draw(const wick::Tensor& probabilities) {
  const wick::Tensor p = probabilities.to(wick::kDouble).contiguous();
  const double u = wick::rand({1}).item<double>();
  double total = 0;
  for (int64_t i = 0; i < p.numel(); ++i)
    if ((total += p.data_ptr<double>()[i]) > u) return i;
  return p.numel() - 1;
}

}  // namespace fortunes
