// Concurrent training: threads that each train their own model at once (each on its own tape, all sharing the
// intra-op thread pool, the allocator and DataLoader worker threads) get exactly what the same runs give one
// after another. tools/check --tsan runs this under ThreadSanitizer.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <cstring>
#include <thread>
#include <vector>

#include "../support/scoped_settings.h"

using namespace wick;
namespace F = wick::nn::functional;

namespace {

struct SmallNetImpl : nn::Module {
  SmallNetImpl() {
    conv = register_module("conv", nn::Conv2d(nn::Conv2dOptions(1, 4, 3).padding(1).bias(false)));
    norm = register_module("norm", nn::BatchNorm2d(4));
    fc = register_module("fc", nn::Linear(4 * 6 * 6, 10));
  }
  Tensor forward(const Tensor& x) { return fc(avg_pool2d(relu(norm(conv(x))), 2).flatten(1)); }
  nn::Conv2d conv{nullptr};
  nn::BatchNorm2d norm{nullptr};
  nn::Linear fc{nullptr};
};
WICK_MODULE(SmallNet);

// A model and its data, drawn from the global generator: made on the main thread, before any training thread
// starts, so the draws do not interleave.
struct Job {
  explicit Job(uint64_t seed) : seed(seed) {
    manual_seed(seed);
    model = SmallNet();
    images = randn({96, 1, 12, 12});
    labels = randint(10, {96});
  }
  uint64_t seed;
  SmallNet model{nullptr};
  Tensor images, labels;
};

// Three epochs of Adam on shuffled batches of 16 (the sampler's own seed, not the global generator); returns every
// loss and the final weights, flattened.
std::vector<float> train(Job& job) {
  optim::Adam adam(job.model->parameters(), optim::AdamOptions(1e-2));
  auto loader =
      data::make_data_loader(data::datasets::TensorDataset(job.images, job.labels).map(data::transforms::Stack<>()),
                             data::DataLoaderOptions().batch_size(16).workers(1).seed(job.seed));
  std::vector<float> trace;
  for (int epoch = 0; epoch < 3; ++epoch)
    for (auto& batch : *loader) {
      adam.zero_grad();
      const Tensor loss = F::cross_entropy(job.model(batch.data), batch.target);
      loss.backward();
      adam.step();
      trace.push_back(loss.item<float>());
    }
  for (const Tensor& p : job.model->parameters()) {
    const Tensor flat = p.detach().to(kFloat).contiguous().flatten();
    trace.insert(trace.end(), flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
  }
  return trace;
}

}  // namespace

TEST_CASE("concurrent training: threads training their own models match serial runs bit for bit", "[optim][threads]") {
  testing::ThreadCount intra_op(2);  // the training threads share the intra-op pool, too
  constexpr int kJobs = 3;
  std::vector<std::vector<float>> serial, concurrent(kJobs);
  for (int j = 0; j < kJobs; ++j) {
    Job job(100 + uint64_t(j));
    serial.push_back(train(job));
  }
  std::vector<std::unique_ptr<Job>> jobs;
  for (int j = 0; j < kJobs; ++j) jobs.push_back(std::make_unique<Job>(100 + uint64_t(j)));
  std::vector<std::thread> threads;
  std::vector<std::string> errors(kJobs);
  for (int j = 0; j < kJobs; ++j)
    threads.emplace_back([&, j] {
      try {
        concurrent[size_t(j)] = train(*jobs[size_t(j)]);
      } catch (const std::exception& e) {  // Catch2's assertions belong on the main thread
        errors[size_t(j)] = e.what();
      }
    });
  for (auto& t : threads) t.join();
  for (int j = 0; j < kJobs; ++j) {
    INFO("job " << j);
    CHECK(errors[size_t(j)].empty());
    REQUIRE(concurrent[size_t(j)].size() == serial[size_t(j)].size());
    CHECK(std::memcmp(concurrent[size_t(j)].data(), serial[size_t(j)].data(), serial[size_t(j)].size() * 4) == 0);
  }
  // The jobs differ (the comparison above is not of three copies of one run).
  CHECK(serial[0] != serial[1]);
}
