#include "wick/autograd/checkpoint.h"

#include "engine.h"
#include "wick/detail/record.h"
#include "wick/grad_mode.h"
#include "wick/random.h"

namespace wick::utils {

namespace {

// Sets the generator to `replay` for the scope and puts back where it was, so the second run of fn draws what the
// first drew and the draws after the backward are the ones they would have been.
class ReplayRandom {
 public:
  ReplayRandom(bool enabled, detail::RandomSlice replay) : enabled_(enabled), saved_(detail::random_state()) {
    if (enabled_) detail::set_random_state(replay);
  }
  ~ReplayRandom() {
    if (enabled_) detail::set_random_state(saved_);
  }
  ReplayRandom(const ReplayRandom&) = delete;
  ReplayRandom& operator=(const ReplayRandom&) = delete;

 private:
  bool enabled_;
  detail::RandomSlice saved_;
};

}  // namespace

std::vector<Tensor> checkpoint(const CheckpointFunction& fn, const std::vector<Tensor>& inputs,
                               bool preserve_rng_state) {
  bool any_requires_grad = false;
  for (const Tensor& x : inputs) any_requires_grad = any_requires_grad || (x.defined() && x.requires_grad());
  // Nothing to differentiate through the inputs: run fn as it is, so parameters inside it still record.
  if (!any_requires_grad || !detail::grad_mode_enabled()) return fn(inputs);

  const detail::RandomSlice rng = detail::random_state();
  std::vector<Tensor> outputs;
  {
    NoGradGuard no_grad;
    outputs = fn(inputs);
  }
  // The node's outputs: defined floating ones. An input returned as it is becomes a new tensor sharing its data,
  // so that the input keeps its own history.
  std::vector<Tensor*> recorded;
  std::vector<int> slot(outputs.size(), -1);
  for (size_t k = 0; k < outputs.size(); ++k) {
    Tensor& y = outputs[k];
    if (!y.defined() || !y.is_floating_point()) continue;
    for (const Tensor& x : inputs)
      if (x.defined() && x.is_same(y)) y = y.detach();
    slot[k] = int(recorded.size());
    recorded.push_back(&y);
  }
  if (recorded.empty()) return outputs;

  std::vector<const Tensor*> node_inputs;
  std::vector<detail::SavedTensor> saved;
  std::vector<bool> wanted;
  for (const Tensor& x : inputs) {
    node_inputs.push_back(&x);
    saved.push_back(x.defined() ? detail::save(x) : detail::SavedTensor());
    wanted.push_back(x.defined() && x.requires_grad());
  }
  detail::record_list("checkpoint", node_inputs, recorded,
                      [fn, saved = std::move(saved), wanted, slot, rng, preserve_rng_state](detail::Grads g) {
                        // Fresh leaves holding the saved inputs: the second run's graph starts at them.
                        std::vector<Tensor> xs;
                        for (size_t i = 0; i < saved.size(); ++i) {
                          Tensor x = saved[i].defined() ? saved[i].get().detach() : Tensor();
                          if (x.defined() && wanted[i]) x.requires_grad_(true);
                          xs.push_back(x);
                        }
                        // The second run's gradients lead back to fresh leaves, not to the inputs' history, so
                        // they cannot be differentiated again (PyTorch's reentrant checkpoint cannot either).
                        WICK_CHECK(!detail::grad_mode_enabled(), "checkpoint",
                                   "backward with create_graph=true (a second derivative) through a checkpointed "
                                   "function is not supported; call the function without checkpoint there");
                        std::vector<Tensor> ys;
                        {
                          ReplayRandom replay(preserve_rng_state, rng);
                          AutoGradMode recording(true);
                          ys = fn(xs);
                        }
                        std::vector<Tensor> roots, root_grads;
                        for (size_t k = 0; k < ys.size() && k < slot.size(); ++k) {
                          if (slot[k] < 0 || !ys[k].defined() || !ys[k].requires_grad()) continue;
                          const Tensor& gk = g.out[slot[k]];
                          if (!gk.defined()) continue;
                          roots.push_back(ys[k]);
                          root_grads.push_back(gk);
                        }
                        if (roots.empty()) return;
                        // backward, not grad: parameters fn uses accumulate their gradients, as in PyTorch. The
                        // recomputed outputs are handed over, so each is freed once the node that saved it has run
                        // instead of living through the whole second backward.
                        ys.clear();
                        detail::run_backward(std::move(roots), std::move(root_grads), /*keep_graph=*/false,
                                             /*create_graph=*/false, nullptr, nullptr);
                        for (size_t i = 0; i < xs.size(); ++i)
                          if (wanted[i] && g.needed(int(i))) g.in[i] = xs[i].grad();
                      });
  return outputs;
}

}  // namespace wick::utils
