// nn::utils::beam_search against an independent oracle: toy decoders whose next-token log-probabilities are any
// function of the whole prefix, tabulated; the oracle enumerates every possible output sequence in plain C++ and
// ranks them. Checked: the n-best list when the beam covers every prefix, the best sequence where greedy decoding
// misses it, beam 1 = greedy, a batch = its items one by one, end tokens, length normalisation, bad input.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <vector>

using namespace wick;
using nn::utils::beam_search;
using nn::utils::BeamSearchOptions;
using nn::utils::BeamSearchResult;

namespace {

constexpr float kImpossible = -std::numeric_limits<float>::infinity();
constexpr int64_t kStart = 0, kEnd = 1, kA = 2, kB = 3;  // the hand-made tables' tokens

using Prefix = std::vector<int64_t>;                                // the start token, then the tokens generated
using LogProbs = std::function<std::vector<float>(const Prefix&)>;  // prefix -> [vocab]

// A decoder over tabulated log-probabilities, one table per batch item. Its state is (item, the prefix's row in
// the table): if beam_search followed the wrong parent, every later log-probability would be another prefix's.
struct ToyDecoder {
  ToyDecoder(int64_t vocab, int64_t max_length, std::vector<LogProbs> items)
      : vocab(vocab), rows(int64_t(std::pow(vocab + 1, max_length))), items(std::move(items)) {
    std::vector<float> values(this->items.size() * rows * vocab, kImpossible);
    for (size_t i = 0; i < this->items.size(); ++i) fill(values, int64_t(i), {kStart}, 0, max_length);
    table = tensor(values).view({-1, vocab});
  }
  // Prefixes are numbered in bijective base vocab + 1, so every prefix up to max_length tokens has its own row.
  int64_t code(int64_t parent, int64_t token) const { return parent * (vocab + 1) + token + 1; }
  void fill(std::vector<float>& values, int64_t item, Prefix prefix, int64_t parent, int64_t max_length) const {
    const int64_t row = code(parent, prefix.back());
    const std::vector<float> lp = items[item](prefix);
    std::copy(lp.begin(), lp.end(), values.begin() + (item * rows + row) * vocab);
    if (int64_t(prefix.size()) == max_length) return;
    for (int64_t token = 0; token < vocab; ++token) {
      prefix.push_back(token);
      fill(values, item, prefix, row, max_length);
      prefix.pop_back();
    }
  }
  std::vector<Tensor> state(const std::vector<int64_t>& item_ids) const {
    return {tensor(item_ids), zeros({int64_t(item_ids.size())}, dtype(kInt64))};
  }
  nn::utils::BeamStep step() {
    return [this](const Tensor& tokens, const std::vector<Tensor>& state) {
      ++calls;
      const Tensor row = state[1] * (vocab + 1) + tokens + 1;
      return std::make_tuple(table.index_select(0, state[0] * rows + row), std::vector<Tensor>{state[0], row});
    };
  }
  int64_t vocab, rows, calls = 0;
  std::vector<LogProbs> items;
  Tensor table;
};

struct Hypothesis {
  std::vector<int64_t> tokens;
  double score;
};

// Every sequence the decoder can output (ended by the end token, or cut at max_length), best first. Scores are
// summed in float, as the search sums them in the step's dtype, then normalised as documented.
std::vector<Hypothesis> enumerate_all(const LogProbs& log_probs, int64_t max_length, double alpha) {
  std::vector<Hypothesis> all;
  std::function<void(Prefix&, float)> walk = [&](Prefix& prefix, float sum) {
    const std::vector<float> lp = log_probs(prefix);
    for (int64_t token = 0; token < int64_t(lp.size()); ++token) {
      if (lp[token] == kImpossible) continue;
      prefix.push_back(token);
      const float s = sum + lp[token];
      const auto length = int64_t(prefix.size()) - 1;
      if (token == kEnd || length == max_length)
        all.push_back({Prefix(prefix.begin() + 1, prefix.end()), s / std::pow(double(length), alpha)});
      else
        walk(prefix, s);
      prefix.pop_back();
    }
  };
  Prefix start{kStart};
  walk(start, 0.f);
  std::stable_sort(all.begin(), all.end(), [](const auto& x, const auto& y) { return x.score > y.score; });
  return all;
}

// Greedy decoding, written independently of beam_search: the likeliest token at each step.
Hypothesis greedy(const LogProbs& log_probs, int64_t max_length, double alpha) {
  Prefix prefix{kStart};
  float sum = 0;
  while (int64_t(prefix.size()) <= max_length && (prefix.size() == 1 || prefix.back() != kEnd)) {
    const std::vector<float> lp = log_probs(prefix);
    const auto best = std::max_element(lp.begin(), lp.end()) - lp.begin();
    sum += lp[best];
    prefix.push_back(best);
  }
  return {Prefix(prefix.begin() + 1, prefix.end()), sum / std::pow(double(prefix.size() - 1), alpha)};
}

// Hypothesis k of item b of a result.
Hypothesis hypothesis(const BeamSearchResult& r, int64_t b, int64_t k) {
  const int64_t length = r.lengths[b][k].item<int64_t>();
  std::vector<int64_t> tokens;
  for (int64_t t = 0; t < length; ++t) tokens.push_back(r.sequences[b][k][t].item<int64_t>());
  return {tokens, r.scores[b][k].item<double>()};
}

BeamSearchResult search(ToyDecoder& toy, const std::vector<int64_t>& items, int64_t beam, int64_t max_length,
                        double alpha) {
  return beam_search(toy.step(), toy.state(items),
                     BeamSearchOptions(kStart, kEnd).beam_size(beam).max_length(max_length).length_penalty(alpha));
}

// Log-probabilities of a random prefix-dependent distribution (log-softmax of normal logits), seeded by the prefix.
LogProbs random_table(uint32_t seed) {
  return [seed](const Prefix& prefix) {
    std::seed_seq seq(prefix.begin(), prefix.end());
    std::vector<uint32_t> words(1);
    seq.generate(words.begin(), words.end());
    std::mt19937 gen(seed * 7919u + words[0]);
    std::normal_distribution<float> normal(0.f, 1.5f);
    std::vector<float> logits(4);
    for (float& l : logits) l = normal(gen);
    float norm = 0;
    for (float l : logits) norm += std::exp(l);
    for (float& l : logits) l -= std::log(norm);
    return logits;
  };
}

// Depends on the last token only; greedy takes `a` (0.6) and then can never end as well as `b </s>` (0.4 * 0.9).
std::vector<float> greedy_trap(const Prefix& prefix) {
  auto p = [](double start, double end, double a, double b) {
    return std::vector<float>{float(std::log(start)), float(std::log(end)), float(std::log(a)), float(std::log(b))};
  };
  if (prefix.back() == kA) return p(0, 0.25, 0.45, 0.30);
  if (prefix.back() == kB) return p(0, 0.90, 0.05, 0.05);
  return p(0, 0, 0.6, 0.4);
}

// Exact (dyadic) log-probabilities where the length penalty decides: `a </s>` sums to -1.5 over 2 tokens,
// `b b b </s>` to -1.75 over 4.
std::vector<float> short_or_long(const Prefix& prefix) {
  const Prefix generated(prefix.begin() + 1, prefix.end());
  const bool all_b = std::all_of(generated.begin(), generated.end(), [](int64_t t) { return t == kB; });
  if (generated.empty()) return {kImpossible, kImpossible, -0.5f, -1.f};
  if (generated.back() == kA) return {kImpossible, -1.f, -3.f, -3.f};
  if (all_b && generated.size() < 3) return {kImpossible, -3.f, -3.f, -0.25f};
  if (all_b) return {kImpossible, -0.25f, -3.f, -3.f};
  return {kImpossible, -2.f, -2.f, -2.f};
}

// Sure of `a a a </s>`; an early ending is unlikely but not impossible.
std::vector<float> confident(const Prefix& prefix) {
  const Prefix generated(prefix.begin() + 1, prefix.end());
  const bool all_a = std::all_of(generated.begin(), generated.end(), [](int64_t t) { return t == kA; });
  if (generated.empty()) return {kImpossible, -4.f, -0.125f, -5.f};
  if (all_a && generated.size() < 3) return {kImpossible, -3.f, -0.125f, -5.f};
  if (all_a && generated.size() == 3) return {kImpossible, -0.125f, -5.f, -5.f};
  return {kImpossible, -5.f, -5.f, -5.f};
}

}  // namespace

TEST_CASE("beam_search: a beam covering every prefix returns every sequence, ranked as brute force ranks them",
          "[nn][beam_search]") {
  const int64_t max_length = 3, beam = 40;  // 1 + 3 + 36 possible sequences of 4 tokens, start token included
  for (uint32_t seed : {1u, 2u, 3u})
    for (double alpha : {0.0, 0.7, 1.0}) {
      CAPTURE(seed, alpha);
      const LogProbs lp = random_table(seed);
      ToyDecoder toy(4, max_length, {lp});
      const std::vector<Hypothesis> all = enumerate_all(lp, max_length, alpha);
      REQUIRE(all.size() == 40);
      const BeamSearchResult r = search(toy, {0}, beam, max_length, alpha);
      REQUIRE(r.sequences.sizes() == IntArrayRef{1, beam, max_length});
      for (int64_t k = 0; k < beam; ++k) {
        CAPTURE(k);
        const Hypothesis h = hypothesis(r, 0, k);
        CHECK(h.tokens == all[k].tokens);
        CHECK(h.score == all[k].score);
      }
    }
}

TEST_CASE("beam_search: finds the best sequence where greedy decoding misses it", "[nn][beam_search]") {
  const int64_t max_length = 5;
  for (double alpha : {0.0, 0.5, 1.0}) {
    const Hypothesis best = enumerate_all(greedy_trap, max_length, alpha)[0];
    REQUIRE(best.tokens == std::vector<int64_t>{kB, kEnd});
    const Hypothesis g = greedy(greedy_trap, max_length, alpha);
    CHECK(g.tokens == std::vector<int64_t>{kA, kA, kA, kA, kA});
    CHECK(g.score < best.score);
    for (int64_t beam : {2, 3, 4}) {
      CAPTURE(alpha, beam);
      ToyDecoder toy(4, max_length, {greedy_trap});
      const Hypothesis found = hypothesis(search(toy, {0}, beam, max_length, alpha), 0, 0);
      CHECK(found.tokens == best.tokens);
      CHECK(found.score == best.score);
    }
    ToyDecoder toy(4, max_length, {greedy_trap});
    const Hypothesis beam1 = hypothesis(search(toy, {0}, 1, max_length, alpha), 0, 0);
    CHECK(beam1.tokens == g.tokens);
    CHECK(beam1.score == g.score);
  }
}

TEST_CASE("beam_search: beam 1 is greedy decoding", "[nn][beam_search]") {
  for (uint32_t seed = 10; seed < 20; ++seed) {
    CAPTURE(seed);
    const LogProbs lp = random_table(seed);
    ToyDecoder toy(4, 6, {lp});
    const BeamSearchResult r = search(toy, {0}, 1, 6, 1.0);
    const Hypothesis g = greedy(lp, 6, 1.0), h = hypothesis(r, 0, 0);
    CHECK(h.tokens == g.tokens);
    CHECK(h.score == g.score);
  }
}

TEST_CASE("beam_search: a batch gives what its items give one at a time", "[nn][beam_search]") {
  const int64_t max_length = 5, beam = 3;
  ToyDecoder toy(4, max_length, {random_table(5), random_table(6), random_table(7), greedy_trap});
  const BeamSearchResult batched = search(toy, {0, 1, 2, 3}, beam, max_length, 0.6);
  REQUIRE(batched.sequences.sizes() == IntArrayRef{4, beam, max_length});
  for (int64_t b = 0; b < 4; ++b) {
    const BeamSearchResult alone = search(toy, {b}, beam, max_length, 0.6);
    CAPTURE(b);
    CHECK(equal(batched.sequences[b], alone.sequences[0]));
    CHECK(equal(batched.lengths[b], alone.lengths[0]));
    CHECK(equal(batched.scores[b], alone.scores[0]));
  }
}

TEST_CASE("beam_search: end tokens, length normalisation and stopping, exact values", "[nn][beam_search]") {
  ToyDecoder toy(4, 6, {short_or_long});
  // No length penalty: `a </s>` (-1.5) is best, `b b b </s>` (-1.75) second; `b b </s>` (-4.25), finished at
  // step 3, is pushed out. After step 4 the best live beam (`b b b a`, -4.5) cannot beat -1.75, so the search
  // stops: four steps, not max_length's six. Finished rows are padded with the end token.
  BeamSearchResult r = search(toy, {0}, 2, 6, 0.0);
  CHECK(toy.calls == 4);
  CHECK(equal(r.sequences[0], tensor({{kA, kEnd, kEnd, kEnd, kEnd, kEnd}, {kB, kB, kB, kEnd, kEnd, kEnd}})));
  CHECK(equal(r.lengths[0], tensor({int64_t(2), int64_t(4)})));
  CHECK(r.scores[0][0].item<double>() == -1.5);
  CHECK(r.scores[0][1].item<double>() == -1.75);

  // Mean log-probability per token (alpha 1): `b b b </s>` (-1.75 / 4) beats `a </s>` (-1.5 / 2).
  r = search(toy, {0}, 2, 6, 1.0);
  CHECK(equal(r.sequences[0][0], tensor({kB, kB, kB, kEnd, kEnd, kEnd})));
  CHECK(r.scores[0][0].item<double>() == -0.4375);
  CHECK(r.scores[0][1].item<double>() == -0.75);
  r = search(toy, {0}, 2, 6, 0.5);
  CHECK(r.scores[0][0].item<double>() == -0.875);  // -1.75 / sqrt(4)

  // A decoder sure of `a a a </s>` still makes unlikely endings in the other beam first (`</s>` at step 1, then
  // `a </s>`, `a a </s>`); they fill the two places but do not end the search while the live `a a a` beats them.
  ToyDecoder sure(4, 6, {confident});
  r = search(sure, {0}, 2, 6, 0.0);
  CHECK(sure.calls == 4);
  CHECK(equal(r.sequences[0], tensor({{kA, kA, kA, kEnd, kEnd, kEnd}, {kA, kEnd, kEnd, kEnd, kEnd, kEnd}})));
  CHECK(r.scores[0][0].item<double>() == -0.5);
  CHECK(r.scores[0][1].item<double>() == -3.125);

  // A hypothesis cut at max_length has no end token; its length is max_length.
  ToyDecoder endless(4, 3, {[](const Prefix&) { return std::vector<float>{-1.f, kImpossible, -0.5f, -2.f}; }});
  r = search(endless, {0}, 2, 3, 1.0);
  CHECK(endless.calls == 3);
  CHECK(equal(r.sequences[0][0], tensor({kA, kA, kA})));
  CHECK(equal(r.lengths[0], tensor({int64_t(3), int64_t(3)})));
  CHECK(r.scores[0][0].item<double>() == -0.5);
  CHECK(r.scores[0][1].item<double>() == -2.0 / 3);

  // Fewer possible sequences than beams: the rest of the rows are empty, scored -inf.
  ToyDecoder tiny(2, 1, {[](const Prefix&) { return std::vector<float>{-1.f, -0.5f}; }});
  r = search(tiny, {0}, 3, 1, 0.0);
  CHECK(equal(r.lengths[0], tensor({int64_t(1), int64_t(1), int64_t(0)})));
  CHECK(r.scores[0][2].item<double>() == -std::numeric_limits<double>::infinity());
}

TEST_CASE("beam_search: bad input is a wick::Error naming the op and the values", "[nn][beam_search]") {
  ToyDecoder toy(4, 3, {greedy_trap});
  const auto state = toy.state({0});
  auto run = [&](const BeamSearchOptions& options) { return beam_search(toy.step(), state, options); };
  using Catch::Contains;
  const std::string op = "wick::nn::utils::beam_search: ";
  CHECK_THROWS_WITH(run(BeamSearchOptions(0, 1).beam_size(0)), op + "beam_size must be at least 1, got 0");
  CHECK_THROWS_WITH(run(BeamSearchOptions(0, 1).max_length(0)), op + "max_length must be at least 1, got 0");
  CHECK_THROWS_WITH(run(BeamSearchOptions(0, 7)), op + "end_token 7 is out of range for vocab size 4");
  CHECK_THROWS_WITH(run(BeamSearchOptions(-1, 1)), op + "start_token -1 is out of range for vocab size 4");
  CHECK_THROWS_WITH(beam_search(toy.step(), {}, BeamSearchOptions(0, 1)), Contains("at least one tensor"));
  CHECK_THROWS_WITH(beam_search(toy.step(), {state[0], zeros({2})}, BeamSearchOptions(0, 1)),
                    op + "state tensor 1 has shape [2]; its dim 0 must be the batch size 1 of state tensor 0");

  // Step functions that break the contract: wrong rows, a vocab that changes, a state that loses its rows, NaN.
  auto bad_step = [&](std::function<std::tuple<Tensor, std::vector<Tensor>>(int)> at) {
    auto calls = std::make_shared<int>(0);
    return [at, calls](const Tensor&, const std::vector<Tensor>&) { return at(++*calls); };
  };
  const auto options = BeamSearchOptions(0, 1).beam_size(2);
  auto rows = bad_step([](int) { return std::make_tuple(zeros({3, 4}), std::vector<Tensor>{zeros({2})}); });
  CHECK_THROWS_WITH(beam_search(rows, state, options),
                    op + "the step's log-probabilities at step 1 have shape [3, 4], expected [2, vocab] (rows = "
                         "batch * beam)");
  auto vocab = bad_step([](int t) { return std::make_tuple(zeros({2, t + 3}), std::vector<Tensor>{zeros({2})}); });
  CHECK_THROWS_WITH(beam_search(vocab, state, options), Contains("at step 2 have shape [2, 5], expected [2, 4]"));
  auto lost = bad_step([](int) { return std::make_tuple(zeros({2, 4}), std::vector<Tensor>{zeros({1, 2})}); });
  CHECK_THROWS_WITH(beam_search(lost, state, options),
                    op + "state tensor 0 after step 1 has shape [1, 2]; its dim 0 must be the 2 rows (batch * beam)");
  auto nan = bad_step([](int) { return std::make_tuple(full({2, 4}, NAN), std::vector<Tensor>{zeros({2})}); });
  CHECK_THROWS_WITH(beam_search(nan, state, options), op + "the step's log-probabilities hold NaN at step 1");
  auto ints = bad_step([](int) {
    return std::make_tuple(zeros({2, 4}, dtype(kInt64)), std::vector<Tensor>{zeros({2})});
  });
  CHECK_THROWS_WITH(beam_search(ints, state, options),
                    op + "the step's log-probabilities must be floating point, not int64");
}
