// Determinism: one seed gives a bit-for-bit identical training run on the CPU at a fixed thread count: model
// initialisation, a shuffled DataLoader with worker threads, convolutions (on oneDNN and on the portable im2col
// path), BatchNorm, Dropout and Adam included. Across thread counts some kernels split sums differently, so
// results may differ in the last bits (README, "Determinism"); there they must still agree to rounding.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <cmath>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "../support/fixtures.h"
#include "../support/scoped_settings.h"

using namespace wick;
namespace F = wick::nn::functional;

using testing::OneDnnPath;
using testing::ThreadCount;

namespace {

// The convolution paths this build has: oneDNN (when compiled in) and the portable one.
std::vector<bool> conv_paths() {
  if (cpu::onednn_available()) return {true, false};
  return {false};
}

// Big enough that elementwise ops, reductions and BatchNorm split across two threads (32 x 8 x 16 x 16 = 65536
// elements per activation), small enough to train in a fraction of a second.
struct ConvNetImpl : nn::Module {
  ConvNetImpl() {
    // No bias before BatchNorm, as usual: its gradient would be rounding noise, which Adam scales up to full steps.
    conv1 = register_module("conv1", nn::Conv2d(nn::Conv2dOptions(1, 8, 3).padding(1).bias(false)));
    norm = register_module("norm", nn::BatchNorm2d(8));
    conv2 = register_module("conv2", nn::Conv2d(nn::Conv2dOptions(8, 16, 3).padding(1)));
    drop = register_module("drop", nn::Dropout(0.3));
    fc = register_module("fc", nn::Linear(16 * 4 * 4, 10));
  }
  Tensor forward(const Tensor& x) {
    Tensor h = max_pool2d(relu(norm(conv1(x))), 2);  // 8 x 8 x 8
    h = max_pool2d(relu(conv2(h)), 2);               // 16 x 4 x 4
    return fc(drop(h.flatten(1)));
  }
  nn::Conv2d conv1{nullptr}, conv2{nullptr};
  nn::BatchNorm2d norm{nullptr};
  nn::Dropout drop{nullptr};
  nn::Linear fc{nullptr};
};
WICK_MODULE(ConvNet);

// Everything a run produces: the loss of every step, and the final weights, buffers and optimizer state.
struct Trace {
  std::vector<float> losses;
  std::map<std::string, Tensor> state;
};

// Two epochs over 256 synthetic 16x16 images: 16 Adam steps on shuffled batches of 32.
Trace train(int threads, size_t workers, uint64_t seed = 1234) {
  ThreadCount thread_count(threads);
  manual_seed(seed);  // weights, data and dropout masks all come from this one stream
  const Tensor images = randn({256, 1, 16, 16});
  const Tensor labels = randint(10, {256});
  ConvNet model;
  optim::Adam adam(model->parameters(), optim::AdamOptions(3e-3));
  auto loader = data::make_data_loader(data::datasets::TensorDataset(images, labels).map(data::transforms::Stack<>()),
                                       data::DataLoaderOptions().batch_size(32).workers(workers).seed(seed));
  Trace trace;
  for (int epoch = 0; epoch < 2; ++epoch)
    for (auto& batch : *loader) {
      adam.zero_grad();
      const Tensor loss = F::cross_entropy(model(batch.data), batch.target);
      loss.backward();
      adam.step();
      trace.losses.push_back(loss.item<float>());
    }
  for (const auto& item : model->state_dict()) trace.state["model." + item.key()] = item.value().clone();
  for (const auto& [key, value] : adam.state_dict()) trace.state["adam." + key] = value.clone();
  return trace;
}

bool same_bits(const Tensor& a, const Tensor& b) {
  const Tensor x = a.contiguous(), y = b.contiguous();
  return x.dtype() == y.dtype() && x.sizes().vec() == y.sizes().vec() &&
         std::memcmp(x.data_ptr(), y.data_ptr(), x.nbytes()) == 0;
}

void require_identical(const Trace& a, const Trace& b) {
  REQUIRE(a.losses.size() == b.losses.size());
  REQUIRE(std::memcmp(a.losses.data(), b.losses.data(), a.losses.size() * sizeof(float)) == 0);
  REQUIRE(a.state.size() == b.state.size());
  for (const auto& [key, value] : a.state) {
    INFO("state '" << key << "'");
    REQUIRE(b.state.count(key) == 1);
    REQUIRE(same_bits(value, b.state.at(key)));
  }
}

}  // namespace

TEST_CASE("determinism: one seed trains bit for bit identically at a fixed thread count", "[determinism]") {
  for (const bool onednn : conv_paths())
    for (const int threads : {1, 2}) {
      INFO((onednn ? "oneDNN" : "portable") << " convolutions, " << threads << " thread(s)");
      OneDnnPath path(onednn);
      const Trace first = train(threads, /*workers=*/2);
      REQUIRE(first.losses.size() == 16);
      require_identical(first, train(threads, 2));
      // Workers only build batches ahead: the batches, and so the run, are the same without them.
      require_identical(first, train(threads, 0));
    }
}

// The portable convolution's weight gradient sums per-chunk partials: it must add them in chunk order, not in
// the order the threads finish (with two threads, float addition being commutative would hide that).
TEST_CASE("determinism: the portable convolution at three threads", "[determinism]") {
  OneDnnPath path(false);
  const Trace first = train(3, 2);
  for (int run = 0; run < 3; ++run) require_identical(first, train(3, 2));
}

TEST_CASE("determinism: a different seed gives a different run", "[determinism]") {
  // Guards the test above against comparing runs that ignore the seed.
  const Trace a = train(1, 2, 1234), b = train(1, 2, 4321);
  REQUIRE(std::memcmp(a.losses.data(), b.losses.data(), a.losses.size() * sizeof(float)) != 0);
}

TEST_CASE("determinism: across thread counts a run agrees to rounding", "[determinism]") {
  for (const bool onednn : conv_paths()) {
    INFO((onednn ? "oneDNN" : "portable") << " convolutions");
    OneDnnPath path(onednn);
    const Trace one = train(1, 2), two = train(2, 2);
    REQUIRE(one.losses.size() == two.losses.size());
    for (size_t i = 0; i < one.losses.size(); ++i) {
      INFO("step " << i);
      REQUIRE(std::abs(one.losses[i] - two.losses[i]) <= 1e-4f * std::abs(one.losses[i]));
    }
    for (const auto& [key, value] : one.state) {
      INFO("state '" << key << "'");
      CHECK_TENSOR(two.state.at(key), value, (::wick::testing::Tolerance{1e-3, 1e-5}));
    }
  }
}
