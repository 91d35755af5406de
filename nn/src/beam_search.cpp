// Beam search over a batch: the candidates' scores are one [batch, beam * vocab] tensor pruned by topk on the
// step's device; only the 2 * beam survivors per item come to the CPU, where a short loop sorts them into
// finished and live hypotheses (the bookkeeping reads plainly there and costs nothing next to the decoder).
#include "wick/nn/utils/beam_search.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "wick/grad_mode.h"
#include "wick/ops.h"
#include "wick/shape.h"

namespace wick::nn::utils {

namespace {

constexpr const char* kOp = "nn::utils::beam_search";
constexpr double kMinusInf = -std::numeric_limits<double>::infinity();

struct Hypothesis {
  std::vector<int64_t> tokens;
  double score;  // length-normalised
};

// The search's per-item bookkeeping: live beams' tokens so far and the best `beam` finished hypotheses.
struct Item {
  std::vector<std::vector<int64_t>> live;  // [beam]
  std::vector<Hypothesis> finished;

  void finish(Hypothesis h, int64_t beam) {
    if (static_cast<int64_t>(finished.size()) < beam) return finished.push_back(std::move(h));
    Hypothesis& worst = *worst_finished();
    if (h.score > worst.score) worst = std::move(h);
  }
  std::vector<Hypothesis>::iterator worst_finished() {
    return std::min_element(finished.begin(), finished.end(),
                            [](const Hypothesis& x, const Hypothesis& y) { return x.score < y.score; });
  }
  // HF's rule (early_stopping=False): `beam` hypotheses are in, and the best live one, scored at its present
  // length, would not beat the worst of them. A model sure of its answer makes unlikely endings in the other
  // beams early; without the second half, those would fill the list and stop the search before the answer ends.
  bool done(int64_t beam, double best_live_sum, int64_t length, double alpha) {
    return static_cast<int64_t>(finished.size()) == beam &&
           worst_finished()->score >= best_live_sum / std::pow(static_cast<double>(length), alpha);
  }
};

void check_step_output(const Tensor& log_probs, const std::vector<Tensor>& state, int64_t rows, int64_t vocab,
                       int64_t t) {
  WICK_CHECK(log_probs.dim() == 2 && log_probs.size(0) == rows && (vocab < 0 || log_probs.size(1) == vocab), kOp,
             "the step's log-probabilities at step ", t, " have shape ", shape_str(log_probs.sizes()), ", expected [",
             rows, ", ", vocab < 0 ? std::string("vocab") : std::to_string(vocab), "] (rows = batch * beam)");
  WICK_CHECK(is_floating_point(log_probs.dtype()), kOp, "the step's log-probabilities must be floating point, not ",
             dtype_name(log_probs.dtype()));
  for (size_t i = 0; i < state.size(); ++i)
    WICK_CHECK(state[i].dim() >= 1 && state[i].size(0) == rows, kOp, "state tensor ", i, " after step ", t,
               " has shape ", shape_str(state[i].sizes()), "; its dim 0 must be the ", rows, " rows (batch * beam)");
}

std::vector<Tensor> select_rows(const std::vector<Tensor>& state, const Tensor& rows) {
  std::vector<Tensor> out;
  out.reserve(state.size());
  for (const Tensor& s : state) out.push_back(s.index_select(0, rows.to(s.device())));
  return out;
}

Tensor cpu_copy(const Tensor& t, ScalarType dtype) { return t.to(kCPU).to(dtype).contiguous(); }

// The result tensors from each item's finished hypotheses, best first.
BeamSearchResult collect(std::vector<Item>& items, int64_t beam, const BeamSearchOptions& options) {
  const int64_t batch = static_cast<int64_t>(items.size()), max_length = options.max_length();
  Tensor sequences = full({batch, beam, max_length}, options.end_token(), dtype(kInt64));
  Tensor lengths = zeros({batch, beam}, dtype(kInt64));
  Tensor scores = full({batch, beam}, kMinusInf, dtype(kFloat64));
  int64_t* seq = sequences.data_ptr<int64_t>();
  int64_t* len = lengths.data_ptr<int64_t>();
  double* score = scores.data_ptr<double>();
  for (int64_t b = 0; b < batch; ++b) {
    auto& finished = items[b].finished;
    std::stable_sort(finished.begin(), finished.end(),
                     [](const Hypothesis& x, const Hypothesis& y) { return x.score > y.score; });
    for (int64_t k = 0; k < static_cast<int64_t>(finished.size()); ++k) {
      const int64_t row = b * beam + k;
      std::copy(finished[k].tokens.begin(), finished[k].tokens.end(), seq + row * max_length);
      len[row] = static_cast<int64_t>(finished[k].tokens.size());
      score[row] = finished[k].score;
    }
  }
  return {sequences, lengths, scores};
}

}  // namespace

BeamSearchResult beam_search(const BeamStep& step, const std::vector<Tensor>& state, const BeamSearchOptions& options) {
  NoGradGuard no_grad;
  const int64_t beam = options.beam_size(), max_length = options.max_length();
  const int64_t start = options.start_token(), end = options.end_token();
  WICK_CHECK(beam >= 1, kOp, "beam_size must be at least 1, got ", beam);
  WICK_CHECK(max_length >= 1, kOp, "max_length must be at least 1, got ", max_length);
  WICK_CHECK(static_cast<bool>(step), kOp, "the step function is empty");
  WICK_CHECK(!state.empty() && state[0].defined() && state[0].dim() >= 1, kOp,
             "the state must hold at least one tensor, with the batch on dim 0");
  const int64_t batch = state[0].size(0), rows = batch * beam;
  for (size_t i = 0; i < state.size(); ++i)
    WICK_CHECK(state[i].defined() && state[i].dim() >= 1 && state[i].size(0) == batch, kOp, "state tensor ", i,
               " has shape ", state[i].defined() ? shape_str(state[i].sizes()) : std::string("(undefined)"),
               "; its dim 0 must be the batch size ", batch, " of state tensor 0");
  const Device device = state[0].device();

  // Every beam starts from its item's state; only beam 0 is live at first (the others score -inf), so the first
  // step's candidates are `beam` different tokens, not `beam` copies of the best one.
  std::vector<int64_t> item_of_row(rows);
  std::vector<double> scores(rows, kMinusInf);
  for (int64_t row = 0; row < rows; ++row) item_of_row[row] = row / beam;
  for (int64_t b = 0; b < batch; ++b) scores[b * beam] = 0.0;
  std::vector<Tensor> beams_state = select_rows(state, tensor(item_of_row));
  Tensor tokens = full({rows}, start, TensorOptions().dtype(kInt64).device(device));
  std::vector<Item> items(batch, Item{std::vector<std::vector<int64_t>>(beam), {}});
  int64_t vocab = -1;
  std::vector<bool> done(batch, false);

  for (int64_t t = 1; t <= max_length && std::find(done.begin(), done.end(), false) != done.end(); ++t) {
    auto [log_probs, next_state] = step(tokens, beams_state);
    check_step_output(log_probs, next_state, rows, vocab, t);
    if (vocab < 0) {
      vocab = log_probs.size(1);
      WICK_CHECK(start >= 0 && start < vocab, kOp, "start_token ", start, " is out of range for vocab size ", vocab);
      WICK_CHECK(end >= 0 && end < vocab, kOp, "end_token ", end, " is out of range for vocab size ", vocab);
    }
    const Tensor running =
        from_blob(scores.data(), {rows}, dtype(kFloat64)).to(log_probs.device()).to(log_probs.dtype());
    const Tensor candidates = (running.view({batch, beam, 1}) + log_probs.view({batch, beam, vocab})).view({batch, -1});
    const int64_t k = std::min(2 * beam, beam * vocab);
    auto [top_scores, top_index] = candidates.topk(k, 1);
    const Tensor top_score_cpu = cpu_copy(top_scores, kFloat64), top_index_cpu = cpu_copy(top_index, kInt64);
    const double* cand_score = top_score_cpu.data_ptr<double>();
    const int64_t* cand_index = top_index_cpu.data_ptr<int64_t>();

    // Dead slots (an item already done, or too few live candidates) keep -inf and follow row 0 of their item.
    std::vector<int64_t> parents(rows), next_tokens(rows, end);
    std::fill(scores.begin(), scores.end(), kMinusInf);
    for (int64_t b = 0; b < batch; ++b) {
      Item& item = items[b];
      std::vector<std::vector<int64_t>> live(beam);
      int64_t n_live = 0;
      for (int64_t c = 0; c < k && !done[b]; ++c) {
        const double s = cand_score[b * k + c];
        WICK_CHECK(!std::isnan(s), kOp, "the step's log-probabilities hold NaN at step ", t);
        if (s == kMinusInf) break;  // sorted: the rest are impossible too
        const int64_t parent = cand_index[b * k + c] / vocab, token = cand_index[b * k + c] % vocab;
        if (c < beam && (token == end || t == max_length)) {
          std::vector<int64_t> tokens_so_far = item.live[parent];
          tokens_so_far.push_back(token);
          const double length = static_cast<double>(tokens_so_far.size());
          item.finish({std::move(tokens_so_far), s / std::pow(length, options.length_penalty())}, beam);
        } else if (token != end && n_live < beam) {
          const int64_t row = b * beam + n_live++;
          parents[row] = b * beam + parent;
          next_tokens[row] = token;
          scores[row] = s;
          live[n_live - 1] = item.live[parent];
          live[n_live - 1].push_back(token);
        }
      }
      for (int64_t j = n_live; j < beam; ++j) parents[b * beam + j] = b * beam;
      done[b] = done[b] || n_live == 0 || item.done(beam, scores[b * beam], t, options.length_penalty());
      item.live = std::move(live);
    }
    beams_state = select_rows(next_state, tensor(parents));
    tokens = tensor(next_tokens).to(device);
  }
  return collect(items, beam, options);
}

}  // namespace wick::nn::utils
