// Beam search for autoregressive decoders (an RNN/attention decoder, a Transformer decoder with a cache): keeps the
// `beam_size` best partial sequences of every batch item and returns the best finished ones, as fairseq's
// SequenceGenerator does. Runs under NoGradGuard.
//
// The decoder is one step function, called once per generated position for all live beams of the whole batch at
// once (rows = batch * beam, item-major: row b * beam + k is beam k of item b):
//
//   auto step = [&](const Tensor& tokens, const std::vector<Tensor>& state) -> BeamStep::result_type {
//     ... // tokens [rows] int64: each beam's latest token (the start token at the first step)
//     return {log_probs /* [rows, vocab] */, new_state};
//   };
//
// Why std::function and a std::vector<Tensor> state rather than a template over a state type with a reorder
// function: the state of a LibTorch decoder is a handful of tensors (a hidden state, the encoder's outputs and
// their mask, a key/value cache), and the only thing the search must do to it is follow each surviving beam's
// parent, which is one index_select along dim 0 of each tensor. So the rule is: every state tensor has the rows on
// dim 0 (a GRU's [layers, rows, hidden] is passed as [rows, hidden] or transposed). The search then compiles once
// inside the library, and the per-step call through std::function costs nothing next to a decoder step.
#pragma once

#include <cstdint>
#include <functional>
#include <tuple>
#include <vector>

#include "wick/arg.h"
#include "wick/tensor.h"

namespace wick::nn::utils {

// (tokens [rows], state) -> (log-probabilities [rows, vocab], the state after reading those tokens).
using BeamStep = std::function<std::tuple<Tensor, std::vector<Tensor>>(const Tensor&, const std::vector<Tensor>&)>;

struct BeamSearchOptions {
  BeamSearchOptions(int64_t start_token, int64_t end_token) : start_token_(start_token), end_token_(end_token) {}
  // The token every beam starts from (fed to the first step; not part of the result) and the one that ends a
  // hypothesis; both must be below the step's vocab size.
  WICK_ARG(int64_t, start_token);
  WICK_ARG(int64_t, end_token);
  WICK_ARG(int64_t, beam_size) = 5;
  // Tokens generated at most per hypothesis, the end token included.
  WICK_ARG(int64_t, max_length) = 200;
  // fairseq's lenpen (not GNMT's ((5 + length) / 6)^alpha): a finished hypothesis is ranked by
  // sum(log p) / length^alpha, length = its generated tokens, the end token included. 0 ranks by the plain sum
  // (favouring short outputs), 1 by the mean log-probability per token.
  WICK_ARG(double, length_penalty) = 1.0;
};

struct BeamSearchResult {
  // [batch, beam, max_length] int64, best first; after its length, each row holds the end token.
  Tensor sequences;
  // [batch, beam] int64: the tokens of each hypothesis, its end token included when it produced one (a hypothesis
  // cut at max_length has none). 0 where fewer than `beam` distinct hypotheses were possible.
  Tensor lengths;
  // [batch, beam] float64: sum(log p) / length^length_penalty; -inf where the length is 0.
  Tensor scores;
};

// `state`: the decoder state for the batch, each tensor [batch, ...]; it is repeated `beam_size` times per item before
// the first step (so every beam starts from its item's state) and reordered after each step. Tokens go to the
// device of state[0].
//
// Each step takes the 2 * beam best (beam, token) continuations per item by summed log-probability (wick::topk over
// beam * vocab); among the first `beam` of them, those ending in the end token are finished (each item keeps its
// `beam` best finished hypotheses by length-normalised score), and the first `beam` that do not end stay live. At
// max_length the first `beam` continuations finish as they are. An item is done when it holds `beam` finished
// hypotheses and its best live beam, normalised at its present length, scores no better than the worst of them
// (Hugging Face's rule; fairseq's stops at the first `beam` finished, which lets unlikely early endings crowd the
// answer out). The search stops when every item is done. Pruning uses the raw sums, as both do. beam_size 1 is
// greedy decoding.
BeamSearchResult beam_search(const BeamStep& step, const std::vector<Tensor>& state, const BeamSearchOptions& options);

}  // namespace wick::nn::utils
