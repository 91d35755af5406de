// The text both language-model examples (char_lstm, tiny_gpt) learn from: Debian's `fortunes` package, as
// character codes, with every tenth fortune held out, and the random windows they train on.
#pragma once

#include <wick/wick.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
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

// What a language-model example trains and validates on: the training text as codes, and 8 fixed held-out
// batches of windows (the same every run). Says why and returns nothing when the fortunes are missing.
struct Corpus {
  wick::Tensor train;
  std::vector<std::pair<wick::Tensor, wick::Tensor>> validation;
};

inline std::optional<Corpus> load_corpus(const std::string& program, const std::string& folder, int64_t steps,
                                         int64_t batch) {
  std::vector<int64_t> train, held_out;
  if (std::filesystem::is_directory(folder)) load(folder, train, held_out);
  if (held_out.size() < 1000) {
    std::fprintf(stderr, "%s: no fortunes in %s (apt install fortunes)\n", program.c_str(), folder.c_str());
    return std::nullopt;
  }
  std::printf("%zu training and %zu held-out characters\n", train.size(), held_out.size());
  Corpus corpus{wick::tensor(train), {}};
  wick::manual_seed(99);
  const wick::Tensor held_out_text = wick::tensor(held_out);
  for (int i = 0; i < 8; ++i) corpus.validation.push_back(windows(held_out_text, steps, batch));
  return corpus;
}

// One line of training progress: the losses in nats per character, the held-out perplexity, the speed.
inline void report(int step, double train_loss, double validation_loss, double chars_per_second) {
  std::printf("step %4d  train loss %.3f  validation loss %.3f  perplexity %5.2f  %6.0f chars/s\n", step, train_loss,
              validation_loss, std::exp(validation_loss), chars_per_second);
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
