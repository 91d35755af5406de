// Gradient checkpointing: a checkpointed forward gives the gradients the plain one gives (bitwise, at one thread,
// dropout included, since the replay draws the same masks), keeps fewer tape entries alive, runs the function a
// second time during backward, and leaves the generator where the plain run leaves it.
#include <catch2/catch.hpp>
#include <wick/autograd/gradcheck.h>
#include <wick/wick.h>

#include "../support/fixtures.h"
#include "../support/scoped_settings.h"

using namespace wick;

namespace {

nn::Sequential dropout_mlp(int64_t layers) {
  manual_seed(3);
  nn::Sequential seq;
  for (int64_t i = 0; i < layers; ++i) {
    seq->push_back(nn::Linear(16, 16));
    seq->push_back(nn::Tanh());
    seq->push_back(nn::Dropout(0.2));
  }
  return seq;
}

// Gradients of every parameter after loss.backward(), cloned.
std::vector<Tensor> grads_of(nn::Module& m) {
  std::vector<Tensor> g;
  for (const Tensor& p : m.parameters()) g.push_back(p.grad().clone());
  return g;
}

void zero(nn::Module& m) {
  for (Tensor& p : m.parameters()) p.mutable_grad() = Tensor();
}

}  // namespace

TEST_CASE("checkpoint: checkpoint_sequential gives the plain gradients bit for bit, dropout included",
          "[autograd][checkpoint]") {
  testing::ThreadCount one_thread(1);
  nn::Sequential seq = dropout_mlp(8);
  const Tensor x = randn({32, 16});
  const Tensor x_plain = x.clone().requires_grad_(), x_ckpt = x.clone().requires_grad_();

  manual_seed(11);
  const Tensor plain = seq->forward(x_plain).pow(2).sum();
  plain.backward();
  const std::vector<Tensor> expected = grads_of(*seq);
  const Tensor after_plain = rand({4});  // where the generator stands after a plain step

  zero(*seq);
  manual_seed(11);
  const int64_t entries_before = detail::live_entries();
  const Tensor ckpt = utils::checkpoint_sequential(seq, 4, x_ckpt).pow(2).sum();
  const int64_t kept_ckpt = detail::live_entries() - entries_before;
  ckpt.backward();
  const std::vector<Tensor> got = grads_of(*seq);
  const Tensor after_ckpt = rand({4});

  CHECK_TENSOR(ckpt, plain, (testing::Tolerance{0, 0}));
  REQUIRE(got.size() == expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("parameter " << i);
    CHECK_TENSOR(got[i], expected[i], (testing::Tolerance{0, 0}));
  }
  CHECK_TENSOR(x_ckpt.grad(), x_plain.grad(), (testing::Tolerance{0, 0}));
  CHECK_TENSOR(after_ckpt, after_plain, (testing::Tolerance{0, 0}));
  // 24 modules: three checkpointed runs of six are one entry each; the last six record as usual (two entries per
  // Linear, one per Tanh and Dropout at most), plus pow and sum.
  CHECK(kept_ckpt <= 3 + 6 * 2 + 2);
}

TEST_CASE("checkpoint: the forward keeps only segment boundaries alive, by the allocator's statistics",
          "[autograd][checkpoint][memory]") {
  manual_seed(4);
  nn::Sequential seq;
  for (int i = 0; i < 16; ++i) {
    seq->push_back(nn::Linear(256, 256));
    seq->push_back(nn::ReLU());
  }
  const Tensor x = randn({64, 256}, requires_grad());
  const int64_t activation = 64 * 256 * sizeof(float);  // one layer's output
  struct Use {
    int64_t after_forward, peak;
  };
  auto measure = [&](bool checkpointed) {
    // Gradients exist before the step, as in a training loop past its first step: the peak is activations'.
    for (Tensor& p : seq->parameters()) p.mutable_grad() = zeros_like(p);
    MemoryStatsGuard counting;
    reset_peak_memory_stats();
    const int64_t before = memory_allocated();
    Tensor loss = (checkpointed ? utils::checkpoint_sequential(seq, 4, x) : seq->forward(x)).pow(2).sum();
    const int64_t after_forward = memory_allocated() - before;
    loss.backward();
    loss = Tensor();
    x.mutable_grad() = Tensor();
    CHECK(memory_allocated() == before);  // nothing of the step outlives it
    return Use{after_forward, max_memory_allocated() - before};
  };
  const Use plain = measure(false), ckpt = measure(true);
  INFO("plain: " << plain.after_forward << " bytes after forward, peak " << plain.peak
                 << "; checkpointed: " << ckpt.after_forward << ", peak " << ckpt.peak);
  // Plain: each ReLU's output, read by the next Linear's backward and its own. Checkpointed, 4 runs of 8 modules:
  // the 3 checkpointed runs keep their outputs, the last run its 4 ReLU outputs, and pow its input.
  CHECK(plain.after_forward >= 16 * activation);
  CHECK(ckpt.after_forward <= 8 * activation);
  CHECK(ckpt.peak * 4 < plain.peak * 3);  // 0.62 when written
}

// The recomputed outputs are the second backward's roots; held there until its end they were one activation more
// at the checkpointed MLP's peak (0.52 of the plain step's memory against issue 20's 0.50).
TEST_CASE("checkpoint: the recomputed output is freed once the node that saved it has run",
          "[autograd][checkpoint][memory]") {
  const int64_t n = 1 << 16;
  const Tensor x = randn({n}, requires_grad());
  // exp saves its output: the recomputed y lives in exp's node until that node's backward, and no longer.
  int64_t in_hook = -1;
  Tensor a;  // outlives f: a tensor's hooks go with it
  auto f = [&](const Tensor& in) {
    a = in.exp();
    if (a.requires_grad())
      a.register_hook([&](const Tensor& g) {
        in_hook = memory_allocated();  // a's gradient is complete: y's node has run, a's has not
        return g;
      });
    return a.exp();
  };
  auto bytes_in_hook = [&](bool checkpointed) {
    MemoryStatsGuard counting;
    const int64_t before = memory_allocated();
    (checkpointed ? utils::checkpoint(f, x) : f(x)).sum().backward();
    x.mutable_grad() = Tensor();
    a = Tensor();
    return in_hook - before;
  };
  const int64_t plain = bytes_in_hook(false), ckpt = bytes_in_hook(true);
  INFO("bytes alive in the hook: plain " << plain << ", checkpointed " << ckpt << "; one activation "
                                         << n * int64_t(sizeof(float)));
  CHECK(plain > 0);
  CHECK(ckpt <= plain);
}

TEST_CASE("checkpoint: fn runs again during backward, and only then", "[autograd][checkpoint]") {
  int calls = 0;
  const Tensor w = tensor({0.5, -1.5, 2.0}).to(kDouble).requires_grad_();
  const Tensor x = tensor({1.0, 2.0, 3.0}).to(kDouble).requires_grad_();
  auto f = [&](const Tensor& a) {
    ++calls;
    return (a * w).exp().sum();
  };
  const Tensor y = utils::checkpoint(f, x);
  CHECK(calls == 1);
  CHECK(y.grad_fn()->name() == "CheckpointBackward0");
  y.backward();
  CHECK(calls == 2);
  // d/dx sum(exp(x * w)) = w exp(x w); d/dw = x exp(x w): parameters used inside get theirs too.
  const Tensor e = (x.detach() * w.detach()).exp();
  CHECK_TENSOR_CLOSE(x.grad(), w.detach() * e);
  CHECK_TENSOR_CLOSE(w.grad(), x.detach() * e);
}

TEST_CASE("checkpoint: several inputs and outputs; an output without gradient; inputs without grad",
          "[autograd][checkpoint]") {
  const Tensor a = tensor({1.0, -2.0}).to(kDouble).requires_grad_();
  const Tensor b = tensor({0.5, 3.0}).to(kDouble).requires_grad_();
  const Tensor c = tensor({2.0, 2.0}).to(kDouble);  // no grad
  const utils::CheckpointFunction f = [](const std::vector<Tensor>& in) {
    return std::vector<Tensor>{in[0] * in[1] * in[2], in[0].sin() + in[1], (in[0] > 0)};
  };
  const std::vector<Tensor> outs = utils::checkpoint(f, {a, b, c});
  REQUIRE(outs.size() == 3);
  CHECK(outs[2].scalar_type() == kBool);
  CHECK_FALSE(outs[2].requires_grad());
  (outs[0].sum() + 2 * outs[1].sum()).backward();
  CHECK_TENSOR_CLOSE(a.grad(), b.detach() * c + 2 * a.detach().cos());
  CHECK_TENSOR_CLOSE(b.grad(), a.detach() * c + 2);
  // The derivative through the checkpoint, by finite differences; a second derivative is refused.
  const autograd::DifferentiableFn through = [](const std::vector<Tensor>& in) {
    return utils::checkpoint(
        [](const std::vector<Tensor>& xs) { return std::vector<Tensor>{(xs[0] * xs[1]).tanh() + xs[0].pow(3)}; }, in);
  };
  const std::vector<Tensor> at = {randn({3}, kDouble).requires_grad_(), randn({3}, kDouble).requires_grad_()};
  CHECK(autograd::gradcheck(through, at) == "");
  CHECK_THROWS_WITH(autograd::gradgradcheck(through, at),
                    Catch::Contains("checkpoint") && Catch::Contains("create_graph"));
  // No input requires grad: fn records as usual, so the parameter inside still gets its gradient.
  const Tensor w = ones({2}, kDouble).requires_grad_();
  utils::checkpoint([&](const Tensor& x) { return (x * w).sum(); }, c).backward();
  CHECK_TENSOR_CLOSE(w.grad(), c);
}

TEST_CASE("checkpoint: bad segment counts are named errors", "[autograd][checkpoint]") {
  nn::Sequential seq = dropout_mlp(1);
  CHECK_THROWS_WITH(utils::checkpoint_sequential(seq, 0, randn({2, 16})),
                    Catch::Contains("checkpoint_sequential") && Catch::Contains("segments"));
  CHECK_THROWS_WITH(utils::checkpoint_sequential(nn::Sequential(), 2, randn({2, 16})), Catch::Contains("empty"));
  // More segments than modules: one module per run.
  CHECK(utils::checkpoint_sequential(seq, 10, randn({2, 16})).sizes() == IntArrayRef({2, 16}));
}
