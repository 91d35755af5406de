// The tape's contract: what backward visits and frees, errors on misuse, threads, bounded memory.
#include <catch2/catch.hpp>
#include <wick/autograd/gradcheck.h>
#include <wick/wick.h>

#include "support/fixtures.h"
#include <algorithm>
#include <fstream>
#include <string>
#include <thread>
#include <unistd.h>

using namespace wick;

namespace {
long resident_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}
}  // namespace

TEST_CASE("tape: gradients accumulate into leaves until zeroed", "[autograd][tape]") {
  Tensor x = tensor({1.0, 2.0}, dtype(kDouble).requires_grad(true));
  (x * 3).sum().backward();
  (x * x).sum().backward();
  CHECK_TENSOR_CLOSE(x.grad(), tensor({5.0, 7.0}, dtype(kDouble)));
  x.grad().zero_();  // in-place methods are const on the handle, so LibTorch's idiom compiles
  (x * 2).sum().backward();
  CHECK_TENSOR_CLOSE(x.grad(), tensor({2.0, 2.0}, dtype(kDouble)));
  CHECK(x.is_leaf());
  CHECK(!(x * 2).is_leaf());
}

TEST_CASE("tape: broadcasting is undone by summing back to each input's shape", "[autograd][tape]") {
  Tensor a = ones({2, 1, 3}, requires_grad());
  Tensor b = ones({4, 1}, requires_grad());
  (a * b).sum().backward();
  CHECK(a.grad().sizes() == IntArrayRef{2, 1, 3});
  CHECK_TENSOR_CLOSE(a.grad(), full({2, 1, 3}, 4.0));
  CHECK(b.grad().sizes() == IntArrayRef{4, 1});
  CHECK_TENSOR_CLOSE(b.grad(), full({4, 1}, 6.0));
}

TEST_CASE("tape: a second backward through freed entries throws; retain_graph keeps them", "[autograd][tape]") {
  Tensor x = tensor({1.0, 2.0}, requires_grad());
  Tensor y = (x.exp() * 2).sum();
  y.backward({}, true);
  y.backward();
  CHECK_TENSOR_CLOSE(x.grad(), x.detach().exp() * 4);
  CHECK_THROWS_WITH(y.backward(), Catch::Contains("backward through the graph a second time"));
}

TEST_CASE("tape: non-scalar outputs need a gradient argument", "[autograd][tape]") {
  Tensor x = ones({3}, requires_grad());
  Tensor y = x * 2;
  CHECK_THROWS_WITH(y.backward(), Catch::Contains("only for scalar outputs"));
  y.backward(tensor({1.f, 2.f, 3.f}));
  CHECK_TENSOR_CLOSE(x.grad(), tensor({2.f, 4.f, 6.f}));
  CHECK_THROWS_WITH(zeros({2}).backward(), Catch::Contains("does not require grad"));
}

TEST_CASE("tape: autograd::grad returns gradients without touching .grad", "[autograd][tape]") {
  Tensor x = tensor({1.0, 2.0, 3.0}, dtype(kDouble).requires_grad(true));
  Tensor y = (x * x).sum();
  auto g = autograd::grad({y}, {x}, {}, std::nullopt, true);
  CHECK_TENSOR_CLOSE(g[0], x.detach() * 2);
  CHECK(!x.grad().defined());
  // Hessian-vector product through create_graph.
  Tensor v = tensor({1.0, 0.0, 2.0}, dtype(kDouble));
  auto hv = autograd::grad({(g[0] * v).sum()}, {x});
  CHECK_TENSOR_CLOSE(hv[0], v * 2);
  Tensor unused = ones({2}, requires_grad());
  CHECK_THROWS_WITH(autograd::grad({(x * 2).sum()}, {unused}), Catch::Contains("not used in the graph"));
  auto none = autograd::grad({(x * 2).sum()}, {unused}, {}, std::nullopt, false, true);
  CHECK(!none[0].defined());
}

TEST_CASE("tape: gradient penalty (create_graph) matches the analytic value", "[autograd][tape]") {
  // f(x) = sum(w * x^2); ||df/dx||^2 = sum((2 w x)^2); d/dw = 8 w x^2.
  Tensor w = tensor({0.5, -1.0, 2.0}, dtype(kDouble).requires_grad(true));
  Tensor x = tensor({1.0, 2.0, -1.0}, dtype(kDouble).requires_grad(true));
  Tensor f = (w * x * x).sum();
  Tensor gx = autograd::grad({f}, {x}, {}, std::nullopt, true)[0];
  gx.pow(2).sum().backward();
  CHECK_TENSOR_CLOSE(w.grad(), w.detach() * x.detach().pow(2) * 8);
}

TEST_CASE("tape: retain_grad and hooks on intermediate tensors", "[autograd][tape]") {
  Tensor x = tensor({1.f, 2.f}, requires_grad());
  Tensor h = x * 3;
  h.retain_grad();
  int calls = 0;
  Tensor y = h * h;
  const unsigned id = h.register_hook([&](const Tensor& g) {
    ++calls;
    return g * 10;  // replaces the gradient flowing on to x
  });
  y.sum().backward();
  CHECK(calls == 1);
  CHECK_TENSOR_CLOSE(h.grad(), tensor({60.f, 120.f}));  // retain_grad sees the hooked gradient, as PyTorch
  CHECK_TENSOR_CLOSE(x.grad(), tensor({180.f, 360.f}));
  h.remove_hook(id);
  CHECK_THROWS_AS(h.remove_hook(id), Error);
  // A hook on a leaf, observing only.
  Tensor z = ones({2}, requires_grad());
  Tensor seen;
  z.register_hook([&](const Tensor& g) { seen = g.clone(); });
  (z * 5).sum().backward();
  CHECK_TENSOR_CLOSE(seen, full({2}, 5.f));
}

// LibTorch's semantics, which tests/porting/programs/tensor_hooks.cpp checks against LibTorch itself: a leaf's hook
// sees its whole gradient once per backward, and a hook stays with the graph when its tensor goes out of scope.
TEST_CASE("tape: a leaf's hook sees the summed gradient once; an intermediate's hook outlives the tensor",
          "[autograd][tape][hooks]") {
  Tensor x = tensor({1.0, -2.0}, dtype(kDouble).requires_grad(true));
  std::vector<Tensor> seen;
  // Squaring is not linear: per-contribution calls would give 2^2 + 3^2 per element instead of (2 + 3)^2.
  x.register_hook([&](const Tensor& g) {
    seen.push_back(g.clone());
    return g * g;
  });
  (x * 2 + x * 3).sum().backward();
  REQUIRE(seen.size() == 1);
  CHECK_TENSOR(seen[0], tensor({5.0, 5.0}, dtype(kDouble)), (testing::Tolerance{0, 0}));
  CHECK_TENSOR(x.grad(), tensor({25.0, 25.0}, dtype(kDouble)), (testing::Tolerance{0, 0}));
  // A leaf that is a root as well as reached through an edge: one call, with both parts.
  x.mutable_grad() = Tensor();
  autograd::backward({x, x * 4}, {ones({2}, dtype(kDouble)), ones({2}, dtype(kDouble))});
  REQUIRE(seen.size() == 2);
  CHECK_TENSOR(seen[1], tensor({5.0, 5.0}, dtype(kDouble)), (testing::Tolerance{0, 0}));

  Tensor loss;
  int calls = 0;
  {
    const Tensor h = x * x;  // dies at the end of the block
    h.register_hook([&](const Tensor& g) {
      ++calls;
      return g * 10;
    });
    loss = h.sum();
  }
  x.mutable_grad() = Tensor();
  seen.clear();
  loss.backward({}, /*retain_graph=*/true);
  CHECK(calls == 1);
  REQUIRE(seen.size() == 1);
  CHECK_TENSOR(seen[0], x.detach() * 20, (testing::Tolerance{0, 0}));  // d/dx sum(x^2) = 2x, times the hook's 10
  loss.backward();                                                     // the hook stays as long as the graph does
  CHECK(calls == 2);
}

TEST_CASE("tape: post-accumulate-grad hooks run once per backward, after a leaf's last contribution",
          "[autograd][tape][hooks]") {
  // w reaches the loss three ways; its hook must see the sum of all three, once.
  Tensor w = tensor({1.0, 2.0}, dtype(kDouble).requires_grad(true));
  Tensor v = tensor({3.0, -1.0}, dtype(kDouble).requires_grad(true));
  std::vector<std::string> calls;
  std::vector<Tensor> seen_w;
  bool v_grad_defined_when_w_ran = false;
  const unsigned w_hook = w.register_post_accumulate_grad_hook([&](const Tensor& t) {
    calls.push_back("w");
    seen_w.push_back(t.grad().clone());
    v_grad_defined_when_w_ran = v.grad().defined();
  });
  v.register_post_accumulate_grad_hook([&](const Tensor& t) {
    calls.push_back("v");
    CHECK(t.is_same(v));
  });
  // loss = sum(w*w*v) + sum(3w): w's contributions come from three entries of the walk.
  Tensor h = w * 3;
  Tensor loss = (w * w * v).sum() + h.sum();
  loss.backward();
  REQUIRE(seen_w.size() == 1);
  // d/dw = 2 w v + 3 = {2*1*3+3, 2*2*(-1)+3}
  CHECK_TENSOR_CLOSE(seen_w[0], tensor({9.0, -1.0}, dtype(kDouble)));
  CHECK(calls.size() == 2);
  // A second backward accumulates into .grad; the hook sees the running total.
  ((w * v).sum()).backward();
  REQUIRE(seen_w.size() == 2);
  CHECK_TENSOR_CLOSE(seen_w[1], tensor({12.0, -2.0}, dtype(kDouble)));
  // A backward that gives w no gradient does not run its hook; autograd::grad accumulates nothing and runs none.
  (v * 2).sum().backward();
  CHECK(seen_w.size() == 2);
  autograd::grad({(w * w).sum()}, {w});
  CHECK(seen_w.size() == 2);
  // A leaf that is itself a root.
  w.backward(ones({2}, dtype(kDouble)));
  REQUIRE(seen_w.size() == 3);
  CHECK_TENSOR_CLOSE(seen_w[2], tensor({13.0, -1.0}, dtype(kDouble)));
  w.remove_hook(w_hook);
  (w * 1).sum().backward();
  CHECK(seen_w.size() == 3);
  CHECK_THROWS_WITH(h.register_post_accumulate_grad_hook([](const Tensor&) {}),
                    Catch::Contains("register_post_accumulate_grad_hook") && Catch::Contains("not a leaf"));
  CHECK_THROWS_WITH(ones({2}).register_post_accumulate_grad_hook([](const Tensor&) {}),
                    Catch::Contains("doesn't require grad"));
}

TEST_CASE("tape: a layer's post-accumulate hook runs while backward is still walking earlier layers",
          "[autograd][tape][hooks]") {
  // Two linear layers: the second layer's weight is complete before the walk reaches the first layer, which is
  // what lets data-parallel training start exchanging its gradient while backward goes on.
  Tensor w1 = full({3, 3}, 0.5, dtype(kDouble).requires_grad(true));
  Tensor w2 = full({3, 3}, -0.25, dtype(kDouble).requires_grad(true));
  std::vector<std::string> order;
  bool w1_grad_missing_at_w2 = false;
  w1.register_post_accumulate_grad_hook([&](const Tensor&) { order.push_back("w1"); });
  w2.register_post_accumulate_grad_hook([&](const Tensor&) {
    order.push_back("w2");
    w1_grad_missing_at_w2 = !w1.grad().defined();
  });
  Tensor x = ones({2, 3}, dtype(kDouble));
  matmul(tanh(matmul(x, w1)), w2).sum().backward();
  CHECK(order == std::vector<std::string>{"w2", "w1"});
  CHECK(w1_grad_missing_at_w2);
}

TEST_CASE("tape: a post-accumulate hook that removes a later one stops it from running", "[autograd][tape][hooks]") {
  Tensor w = ones({2}, dtype(kDouble).requires_grad(true));
  int later_calls = 0;
  unsigned later = 0;
  w.register_post_accumulate_grad_hook([&](const Tensor& t) { t.remove_hook(later); });
  later = w.register_post_accumulate_grad_hook([&](const Tensor&) { ++later_calls; });
  (w * 3).sum().backward();
  CHECK(later_calls == 0);
  CHECK_THROWS_WITH(w.remove_hook(later), Catch::Contains("no hook with handle"));
}

TEST_CASE("tape: queue_callback runs once the whole pass has accumulated, in order, and only inside backward",
          "[autograd][tape][hooks]") {
  Tensor a = tensor({1.0, 2.0}, dtype(kDouble).requires_grad(true));
  Tensor b = tensor({3.0}, dtype(kDouble).requires_grad(true));
  std::vector<std::string> events;
  Tensor a_grad_seen, b_grad_seen;
  // Queued from b's hook; which leaf's hook runs first is the walk's business, not this test's.
  b.register_post_accumulate_grad_hook([&](const Tensor&) {
    events.push_back("b hook");
    autograd::queue_callback([&] {
      events.push_back("first");
      a_grad_seen = a.grad().clone();
      b_grad_seen = b.grad().clone();
      autograd::queue_callback([&] { events.push_back("nested"); });
    });
    autograd::queue_callback([&] { events.push_back("second"); });
  });
  a.register_post_accumulate_grad_hook([&](const Tensor&) { events.push_back("a hook"); });
  const Tensor ab = (a * b).sum();
  const Tensor a_sum = a.sum();
  (ab * a_sum).backward();
  REQUIRE(events.size() == 5);
  CHECK(std::is_permutation(events.begin(), events.begin() + 2, std::vector<std::string>{"a hook", "b hook"}.begin()));
  CHECK(std::vector<std::string>(events.begin() + 2, events.end()) ==
        std::vector<std::string>{"first", "second", "nested"});
  // f = (a1 + a2) * b * (a1 + a2) = b (a1 + a2)^2: df/da_i = 2 b (a1 + a2) = 18, df/db = (a1 + a2)^2 = 9, seen by the
  // callback in full: both leaves' gradients were complete when it ran.
  CHECK(equal(a_grad_seen, tensor({18.0, 18.0}, dtype(kDouble))));
  CHECK(equal(b_grad_seen, tensor({9.0}, dtype(kDouble))));
  // A second pass queues again: callbacks do not outlive their pass.
  events.clear();
  ((a * b).sum() * a_sum.detach()).backward();
  CHECK(events.size() == 5);
  CHECK_THROWS_WITH(autograd::queue_callback([] {}),
                    Catch::Contains("autograd::queue_callback") && Catch::Contains("outside a backward"));
}

TEST_CASE("tape: in-place edits of saved tensors and of leaves are caught", "[autograd][tape]") {
  Tensor x = tensor({1.f, 2.f}, requires_grad());
  Tensor a = x * 1;
  Tensor b = a.exp();  // saves its output
  b.mul_(2);           // modifies it in place
  CHECK_THROWS_WITH(b.sum().backward(), Catch::Contains("modified by an in-place operation") && Catch::Contains("exp"));
  CHECK_THROWS_WITH(x.add_(1), Catch::Contains("leaf tensor that requires grad"));
  {
    NoGradGuard no_grad;
    x.add_(1);  // allowed, as an optimizer step
  }
  CHECK_TENSOR_CLOSE(x.detach(), tensor({2.f, 3.f}));
}

TEST_CASE("tape: in-place ops on non-leaf tensors keep the gradient right", "[autograd][tape]") {
  Tensor x = tensor({1.0, 2.0, 3.0}, dtype(kDouble).requires_grad(true));
  Tensor y = x * 2;
  y.add_(x * x);  // y = 2x + x^2
  y.mul_(3);      // y = 6x + 3x^2
  y.sum().backward();
  CHECK_TENSOR_CLOSE(x.grad(), x.detach() * 6 + 6);
  CHECK(y.grad_fn_name() != "");
}

TEST_CASE("tape: guards switch recording off and on", "[autograd][tape]") {
  Tensor x = ones({2}, requires_grad());
  {
    NoGradGuard no_grad;
    CHECK(!(x * 2).requires_grad());
    {
      EnableGradGuard enable;
      CHECK((x * 2).requires_grad());
    }
    AutoGradMode on(true);
    CHECK((x * 2).requires_grad());
  }
  {
    InferenceMode guard;
    Tensor y = x * 2;
    CHECK(!y.requires_grad());
    CHECK(y.is_inference());
  }
  CHECK((x * 2).requires_grad());
  CHECK(is_grad_enabled());
}

TEST_CASE("tape: detach cuts the graph and shares storage", "[autograd][tape]") {
  Tensor x = ones({2}, requires_grad());
  Tensor y = x * 2;
  Tensor d = y.detach();
  CHECK(!d.requires_grad());
  CHECK(d.is_alias_of(y));
  Tensor z = (y * d).sum();
  z.backward();
  CHECK_TENSOR_CLOSE(x.grad(), full({2}, 4.f));
  Tensor w = x * 3;
  w.detach_();
  CHECK(!w.requires_grad());
  CHECK_THROWS_WITH(zeros({2}, dtype(kInt64)).requires_grad_(), Catch::Contains("floating point"));
}

TEST_CASE("tape: each thread has its own tape", "[autograd][tape][threads]") {
  // Four threads train their own tiny models; results equal the same runs done serially.
  auto train = [](int seed) {
    Tensor w = full({3}, 0.1 * seed, dtype(kDouble).requires_grad(true));
    Tensor x = arange(3, dtype(kDouble)) + seed;
    for (int step = 0; step < 200; ++step) {
      Tensor loss = ((w * x).sum() - 1.0).pow(2);
      loss.backward();
      NoGradGuard no_grad;
      w.sub_(w.grad() * 0.01);
      w.mutable_grad().zero_();
    }
    return w.detach();
  };
  std::vector<Tensor> serial, parallel(4);
  for (int s = 0; s < 4; ++s) serial.push_back(train(s));
  std::vector<std::thread> threads;
  for (int s = 0; s < 4; ++s) threads.emplace_back([&, s] { parallel[size_t(s)] = train(s); });
  for (auto& t : threads) t.join();
  for (int s = 0; s < 4; ++s) CHECK(equal(serial[size_t(s)], parallel[size_t(s)]));
}

TEST_CASE("tape: backward on another thread than the recording one throws", "[autograd][tape][threads]") {
  Tensor x = ones({2}, requires_grad());
  Tensor y = (x * 2).sum();
  std::string message;
  std::thread t([&] {
    try {
      y.backward();
    } catch (const Error& e) {
      message = e.what();
    }
  });
  t.join();
  CHECK(message.find("recorded on another thread") != std::string::npos);
}

TEST_CASE("tape: forward passes without backward do not grow memory", "[autograd][tape][memory]") {
  Tensor w = randn({16, 16}, requires_grad());
  Tensor x = randn({4, 16});
  auto forward = [&] { return (x.mm(w).tanh() * 2 + 1).sum(); };
  for (int i = 0; i < 2000; ++i) forward();  // warm the caches
  const int64_t entries_before = autograd::live_entries();
  const long rss_before = resident_kib();
  for (int i = 0; i < 100000; ++i) forward();
  const long rss_after = resident_kib();
  CHECK(autograd::live_entries() == entries_before);
  CHECK(rss_after - rss_before < 2048);  // KiB: no per-iteration growth
}

TEST_CASE("tape: backward frees entries as it goes; long chains are safe", "[autograd][tape][memory]") {
  const int64_t before = autograd::live_entries();
  {
    Tensor x = tensor({1.0}, dtype(kDouble).requires_grad(true));
    Tensor y = x;
    for (int i = 0; i < 100000; ++i) y = y * 1.0000001 + 0.0;
    CHECK(autograd::live_entries() - before >= 100000);
    y.backward();
    CHECK(x.grad().item<double>() == Approx(std::pow(1.0000001, 100000)).epsilon(1e-9));
  }
  CHECK(autograd::live_entries() == before);
}

TEST_CASE("tape: anomaly mode names the op that produced NaN and its scope", "[autograd][tape]") {
  Tensor x = tensor({0.0, 1.0}, dtype(kDouble).requires_grad(true));
  Tensor y;
  {
    autograd::Scope scope("encoder");
    y = x.sqrt().sum();  // d sqrt(x)/dx at 0 is inf
  }
  {
    autograd::DetectAnomalyGuard anomaly;
    CHECK_THROWS_WITH(y.backward(), Catch::Contains("sqrt") && Catch::Contains("encoder"));
  }
}

TEST_CASE("tape: to_dot exports the graph a tensor depends on", "[autograd][tape]") {
  Tensor w = ones({2, 2}, requires_grad());
  w.set_name("weight");
  Tensor y = (w.mm(ones({2, 1})) + 1).relu().sum();
  const std::string dot = autograd::to_dot(y);
  CHECK(dot.find("digraph") == 0);
  CHECK(dot.find("mm") != std::string::npos);
  CHECK(dot.find("relu") != std::string::npos);
  CHECK(dot.find("weight") != std::string::npos);
  CHECK(dot.find("[2, 2]") != std::string::npos);
}

TEST_CASE("tape: in-place writes through views reach the base's gradient", "[autograd][tape][views]") {
  // y = 2x; y[1] *= 3 (through a view); loss = sum(y * w): dloss/dx = 2w, with 6w at index 1.
  Tensor x = tensor({1.0, 2.0, 3.0}, dtype(kDouble).requires_grad(true));
  Tensor w = tensor({1.0, 10.0, 100.0}, dtype(kDouble));
  Tensor y = x * 2;
  Tensor v = y.narrow(0, 1, 1);
  v.mul_(3);
  CHECK_TENSOR_CLOSE(y.detach(), tensor({2.0, 12.0, 6.0}, dtype(kDouble)));
  (y * w).sum().backward();
  CHECK_TENSOR_CLOSE(x.grad(), tensor({2.0, 60.0, 200.0}, dtype(kDouble)));
}

TEST_CASE("tape: assigning into a slice of a plain tensor makes it part of the graph", "[autograd][tape][views]") {
  Tensor w = tensor({5.0, 7.0}, dtype(kDouble).requires_grad(true));
  Tensor buffer = zeros({2, 3}, dtype(kDouble));
  buffer.index_put_({Slice(), 1}, w * w);  // column 1 = w^2
  CHECK(buffer.requires_grad());
  buffer.sum().backward();
  CHECK_TENSOR_CLOSE(w.grad(), w.detach() * 2);
  // And through operator= on a row view, as LibTorch's t[0] = x.
  Tensor w2 = tensor({1.0, 2.0, 3.0}, dtype(kDouble).requires_grad(true));
  Tensor m = zeros({2, 3}, dtype(kDouble));
  m[0] = w2 * 3;
  (m * m).sum().backward();
  CHECK_TENSOR_CLOSE(w2.grad(), w2.detach() * 18);
}

TEST_CASE("tape: in-place through a view of a leaf that requires grad throws", "[autograd][tape][views]") {
  Tensor x = ones({3}, requires_grad());
  CHECK_THROWS_WITH(x.narrow(0, 0, 1).mul_(2), Catch::Contains("view of a leaf tensor"));
  // A view made a leaf by requires_grad_() counts as one (PyTorch agrees). tests/fuzz found that this write
  // used to rebase the storage's root instead, tying the leaf into a reference cycle that leaked.
  const Tensor leaf_view = arange(6, dtype(kFloat)).view({2, 3}).requires_grad_();
  CHECK_THROWS_WITH(leaf_view.t().fill_(2.0), Catch::Contains("view of a leaf tensor"));
}

// tests/fuzz found z = y * w (saving y), then y.add_(z), leaking both: y's new history reaches the entry that
// saved y, and the entry owned y. Saved tensors are now aliases holding the history they had when saved.
TEST_CASE("tape: a saved tensor edited in place by an op that depends on it is still freed", "[autograd][tape]") {
  for (const bool with_history : {false, true}) {
    INFO((with_history ? "a tensor with history" : "a plain tensor"));
    std::vector<float> memory(4, 1.0f);
    bool freed = false;
    {
      const Tensor w = ones({4}, requires_grad());
      Tensor y = from_blob(memory.data(), {4}, [&](void*) { freed = true; });
      if (with_history) y.mul_(w);
      const Tensor z = y * w;  // saves y
      y.add_(z);
      CHECK(y.requires_grad());
    }
    CHECK(freed);
  }
}

// tests/fuzz found x.grad().div_(x), leaking x: the in-place op gave x's .grad a history whose entry owned x. A
// create_graph backward builds the same loop (x's .grad is computed from x), which PyTorch leaks and warns about.
// The tape now holds leaves weakly, and a saved leaf as its values plus a weak link.
TEST_CASE("tape: a leaf whose .grad has a history through the leaf is still freed", "[autograd][tape]") {
  for (const bool create_graph : {false, true}) {
    INFO((create_graph ? "backward with create_graph" : "an in-place op on .grad"));
    std::vector<float> memory{1.0f, 2.0f, 3.0f};
    bool freed = false;
    {
      const Tensor x = from_blob(memory.data(), {3}, [&](void*) { freed = true; }).requires_grad_();
      (x * x).sum().backward({}, create_graph, create_graph);  // .grad = 2x, with history when create_graph
      const Tensor g = x.grad();
      if (!create_graph) g.mul_(x);  // .grad = 2x * x, recorded: its entry saves x
      REQUIRE(g.requires_grad());
      // The history still sends gradient to x, accumulated into .grad: d/dx sum(2x * x) is 2x (the first factor
      // has no history), d/dx sum(2x) is 2.
      g.sum().backward();
      CHECK_TENSOR_CLOSE(x.grad().detach(), create_graph ? tensor({4.0f, 6.0f, 8.0f}) : tensor({4.0f, 12.0f, 24.0f}));
    }
    CHECK(freed);
  }
}

TEST_CASE("tape: a leaf the program no longer holds takes no gradient and frees its memory", "[autograd][tape]") {
  std::vector<float> memory{1.0f, 2.0f};
  bool freed = false;
  const Tensor w = tensor({3.0f, 4.0f}).requires_grad_();
  Tensor y;
  {
    const Tensor dropped = from_blob(memory.data(), {2}, [&](void*) { freed = true; }).requires_grad_();
    y = dropped * w;  // saves both
  }
  CHECK_FALSE(freed);  // the saved values still hold the memory: w's gradient needs them
  y.sum().backward();
  CHECK_TENSOR_CLOSE(w.grad(), tensor({1.0f, 2.0f}));
  y = Tensor();
  CHECK(freed);
}

TEST_CASE("tape: views and in-place pass gradcheck", "[autograd][tape][views]") {
  auto fn = [](const std::vector<Tensor>& in) {
    Tensor y = in[0] * 1.5;
    y.select(1, 0).mul_(in[1]);  // row-wise scale of column 0 by another input
    y.narrow(0, 1, 1).add_(in[0].narrow(0, 0, 1).exp());
    return std::vector<Tensor>{y * y};
  };
  Tensor a = linspace(-1, 1, 6, dtype(kDouble)).reshape({2, 3}).requires_grad_(true);
  Tensor b = tensor({0.5, -2.0}, dtype(kDouble).requires_grad(true));
  CHECK(autograd::gradcheck(fn, {a, b}) == "");
  CHECK(autograd::gradgradcheck(fn, {a, b}) == "");
}

TEST_CASE("tape: fill_ and zero_ under autograd overwrite inf and NaN, pass no gradient back, and name their nodes",
          "[autograd][tape]") {
  // LibTorch 1.13, the same calls: [2, 2, 2] FillBackward3, [3, 3, 3] FillBackward2, [0, 0, 0] ZeroBackward0, and
  // a zero gradient for x; the 0-dim value tensor gets the sum of the upstream gradient.
  const Tensor x = tensor({1.0, INFINITY, NAN}).to(kDouble).requires_grad_();
  const Tensor value = tensor(2.0).to(kDouble).requires_grad_();
  const Tensor a = x.clone().fill_(value), b = x.clone().fill_(3), c = x.clone().zero_();
  CHECK_TENSOR_CLOSE(a, full({3}, 2.0, kDouble));
  CHECK_TENSOR_CLOSE(b, full({3}, 3.0, kDouble));
  CHECK_TENSOR_CLOSE(c, zeros({3}, kDouble));
  CHECK(a.grad_fn()->name() == "FillBackward3");
  CHECK(b.grad_fn()->name() == "FillBackward2");
  CHECK(c.grad_fn()->name() == "ZeroBackward0");
  (a.sum() + b.sum() + c.sum()).backward();
  CHECK_TENSOR_CLOSE(x.grad(), zeros({3}, kDouble));
  CHECK_TENSOR_CLOSE(value.grad(), tensor(3.0).to(kDouble));
}
