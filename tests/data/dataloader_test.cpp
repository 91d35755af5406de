// Datasets, transforms, samplers and the DataLoader: batch contents, drop_last, seeded shuffles that repeat
// with and without worker threads, errors raised inside workers, and random_split.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include "support/fixtures.h"
#include <algorithm>
#include <atomic>
#include <cmath>
#include <set>
#include <thread>

using namespace wick;
namespace ds = wick::data::datasets;
namespace tf = wick::data::transforms;

namespace {

// 10 examples: data row i is [i, 10 * i], target i.
ds::TensorDataset numbers(int64_t n = 10) {
  const Tensor i = arange(n, kFloat);
  return ds::TensorDataset(stack({i, i * 10}, 1), arange(n, kInt64));
}

// The targets of every batch of one epoch.
template <class Loader>
std::vector<std::vector<int64_t>> epoch(Loader& loader) {
  std::vector<std::vector<int64_t>> out;
  for (auto& batch : loader) {
    const Tensor t = batch.target.contiguous();
    out.emplace_back(t.template data_ptr<int64_t>(), t.template data_ptr<int64_t>() + t.numel());
  }
  return out;
}

// A dataset that counts how many threads built its batches (and how many of its calls saw gradient recording
// on) and can be told to fail. It runs on worker threads, where Catch2's assertions must not: the test checks
// what it recorded.
struct Probe : data::datasets::Dataset<Probe> {
  std::shared_ptr<std::set<std::thread::id>> threads = std::make_shared<std::set<std::thread::id>>();
  std::shared_ptr<std::atomic<int>> grad_enabled_calls = std::make_shared<std::atomic<int>>(0);
  std::shared_ptr<std::mutex> mutex = std::make_shared<std::mutex>();
  size_t fail_at = size_t(-1);
  data::Example<> get(size_t i) override {
    {
      std::lock_guard<std::mutex> lock(*mutex);
      threads->insert(std::this_thread::get_id());
    }
    if (i == fail_at) throw Error("probe: example " + std::to_string(i) + " is broken");
    if (is_grad_enabled()) ++*grad_enabled_calls;
    return {full({2}, double(i)), tensor(int64_t(i))};
  }
  std::optional<size_t> size() const override { return 20; }
};

}  // namespace

TEST_CASE("data: TensorDataset, map and Stack build batches", "[data]") {
  auto dataset = numbers().map(tf::Stack<>());
  const data::Example<> batch = dataset.get_batch({3, 1, 4});
  CHECK(batch.data.sizes() == IntArrayRef{3, 2});
  CHECK(equal(batch.data, tensor({{3.f, 30.f}, {1.f, 10.f}, {4.f, 40.f}})));
  CHECK(equal(batch.target, tensor({3, 1, 4}, kInt64)));
  CHECK(*dataset.size() == 10);

  auto normalized = numbers().map(tf::Normalize<>(1.0, 2.0)).map(tf::Stack<>());
  // LibTorch's Normalize broadcasts against a [C, 1, 1] mean, so a [2] example becomes [1, 1, 2] (LibTorch 1.13
  // prints that shape for the same call) and a batch of one [1, 1, 1, 2].
  CHECK_TENSOR_CLOSE(normalized.get_batch({3}).data, tensor({{{{1.f, 14.5f}}}}));

  auto lambda = numbers()
                    .map(tf::Lambda<data::Example<>>([](data::Example<> e) {
                      e.target = e.target * 2;
                      return e;
                    }))
                    .map(tf::TensorLambda<>([](Tensor x) { return x + 1; }))
                    .map(tf::Stack<>());
  const data::Example<> b = lambda.get_batch({2});
  CHECK(b.target.item<int64_t>() == 4);
  CHECK(equal(b.data, tensor({{3.f, 21.f}})));

  ds::TensorDataset unlabeled(ones({4, 3}));
  CHECK_FALSE(unlabeled.map(tf::Stack<>()).get_batch({0, 1}).target.defined());
  CHECK_THROWS_WITH(ds::TensorDataset(ones({4, 3}), ones({5})), Catch::Contains("4 rows"));

  // Normalize per channel, on [C, H, W] images.
  tf::Normalize<> per_channel({0.5, 1.0}, {0.5, 2.0});
  CHECK(equal(per_channel(ones({2, 1, 1})), tensor({1.f, 0.f}).view({2, 1, 1})));
}

TEST_CASE("data: Standardize uses the training rows' statistics", "[data]") {
  // Column 0: mean 2, population stddev sqrt(2/3); column 1 is constant, so its stddev counts as 1.
  const Tensor train = tensor({{1.f, 5.f}, {2.f, 5.f}, {3.f, 5.f}});
  tf::Standardize<> standardize(train);
  CHECK(allclose(standardize.mean, tensor({2.f, 5.f})));
  CHECK(allclose(standardize.stddev, tensor({std::sqrt(2.f / 3.f), 1.f})));
  CHECK(allclose(standardize(train), tensor({{-std::sqrt(1.5f), 0.f}, {0.f, 0.f}, {std::sqrt(1.5f), 0.f}})));
  // Other rows move by the training statistics, not their own.
  CHECK(allclose(standardize(tensor({4.f, 7.f})), tensor({2.f / std::sqrt(2.f / 3.f), 2.f})));
  // As a dataset transform: numbers() rows [i, 10 i] for i < 10 have mean [4.5, 45], stddev sqrt(8.25) * [1, 10].
  auto standardized = numbers().map(tf::Standardize<>(numbers().data)).map(tf::Stack<>());
  CHECK(allclose(standardized.get_batch({0}).data, full({1, 2}, -4.5f / std::sqrt(8.25f))));
  CHECK_THROWS_WITH(tf::Standardize<>(tensor({1.f, 2.f})),
                    Catch::Contains("needs training rows [N, F] with N > 0, got shape [2]"));
}

TEST_CASE("data: a sequential loader gives every example once, in order, with drop_last", "[data]") {
  auto loader = data::make_data_loader<data::samplers::SequentialSampler>(numbers().map(tf::Stack<>()), 4);
  using V = std::vector<std::vector<int64_t>>;
  CHECK(epoch(*loader) == V{{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9}});
  CHECK(epoch(*loader) == V{{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9}});  // a second epoch starts over

  auto dropping = data::make_data_loader<data::samplers::SequentialSampler>(numbers().map(tf::Stack<>()),
                                                                            data::DataLoaderOptions(4).drop_last(true));
  CHECK(epoch(*dropping) == V{{0, 1, 2, 3}, {4, 5, 6, 7}});

  // Without Stack, a batch is a vector of examples.
  auto unstacked = data::make_data_loader<data::samplers::SequentialSampler>(numbers(), 3);
  size_t examples = 0;
  for (std::vector<data::Example<>>& batch : *unstacked) examples += batch.size();
  CHECK(examples == 10);
}

TEST_CASE("data: seeded shuffles repeat exactly, with or without workers", "[data][threads]") {
  auto make = [](size_t workers, uint64_t seed) {
    return data::make_data_loader(numbers(103).map(tf::Stack<>()),
                                  data::DataLoaderOptions().batch_size(8).workers(workers).seed(seed));
  };
  auto plain = make(0, 42);
  const auto e1 = epoch(*plain), e2 = epoch(*plain);
  CHECK(e1.size() == 13);
  CHECK(e1 != e2);  // each epoch reshuffles
  std::vector<int64_t> all;
  for (const auto& b : e1) all.insert(all.end(), b.begin(), b.end());
  std::sort(all.begin(), all.end());
  for (int64_t i = 0; i < 103; ++i) CHECK(all[size_t(i)] == i);

  for (size_t workers : {1, 2, 3}) {
    INFO(workers << " workers");
    auto threaded = make(workers, 42);
    CHECK(epoch(*threaded) == e1);
    CHECK(epoch(*threaded) == e2);
  }
  CHECK(epoch(*make(0, 43)) != e1);

  // Without a seed, the order follows wick::manual_seed.
  auto global = [] {
    manual_seed(5);
    auto loader = data::make_data_loader(numbers(50).map(tf::Stack<>()), data::DataLoaderOptions(10).workers(2));
    return epoch(*loader);
  };
  CHECK(global() == global());
}

TEST_CASE("data: workers build batches on their own threads and pass errors on", "[data][threads]") {
  Probe probe;
  auto threads = probe.threads;
  auto loader = data::make_data_loader<data::samplers::SequentialSampler>(
      probe.map(tf::Stack<>()), data::DataLoaderOptions(2).workers(2).max_jobs(4));
  int64_t batches = 0;
  for (auto& batch : *loader) {
    CHECK(batch.target[0].item<int64_t>() == 2 * batches);
    ++batches;
  }
  CHECK(batches == 10);
  CHECK(*probe.grad_enabled_calls == 0);  // workers build batches with gradient recording off
  CHECK(threads->count(std::this_thread::get_id()) == 0);
  CHECK(threads->size() >= 1);

  Probe broken;
  broken.fail_at = 7;
  auto failing = data::make_data_loader<data::samplers::SequentialSampler>(broken.map(tf::Stack<>()),
                                                                           data::DataLoaderOptions(2).workers(2));
  CHECK_THROWS_WITH(epoch(*failing), Catch::Contains("probe: example 7 is broken"));
  // The loader stays usable: a partial epoch is abandoned and the next begins cleanly.
  auto it = failing->begin();
  CHECK(it != failing->end());
  CHECK((*it).target[0].item<int64_t>() == 0);
}

TEST_CASE("data: BucketSampler batches sequences of similar length, each example once per epoch", "[data]") {
  std::vector<int64_t> lengths;
  for (size_t i = 0; i < 1000; ++i) lengths.push_back(int64_t(1 + (i * 7919) % 50));  // 1..50, scattered
  data::samplers::BucketSampler bucket(lengths, /*seed=*/3), same(lengths, 3);
  data::samplers::RandomSampler random(1000, 3);
  auto mean_spread = [&](data::samplers::Sampler& sampler, std::vector<std::vector<size_t>>* batches) {
    sampler.reset();
    double spread = 0;
    int count = 0;
    while (auto batch = sampler.next(16)) {
      int64_t lo = 1 << 30, hi = 0;
      for (size_t i : *batch) {
        lo = std::min(lo, lengths[i]);
        hi = std::max(hi, lengths[i]);
      }
      spread += double(hi - lo);
      ++count;
      if (batches) batches->push_back(*batch);
    }
    return spread / count;
  };
  std::vector<std::vector<size_t>> first, again, second;
  const double bucketed = mean_spread(bucket, &first), shuffled = mean_spread(random, nullptr);
  CHECK(bucketed < 3.0);   // lengths in a batch nearly equal...
  CHECK(shuffled > 30.0);  // ...where plain shuffling mixes them
  std::set<size_t> seen;
  for (const auto& batch : first) {
    CHECK(std::is_sorted(batch.begin(), batch.end(), [&](size_t a, size_t b) { return lengths[a] > lengths[b]; }));
    seen.insert(batch.begin(), batch.end());
  }
  CHECK(seen.size() == 1000);
  CHECK(first.size() == 63);  // 62 full batches of 16 and the last 8
  mean_spread(same, &again);
  CHECK(again == first);  // the seed fixes every epoch
  mean_spread(bucket, &second);
  CHECK(second != first);  // and the next epoch differs
  CHECK_THROWS_WITH(bucket.reset(999), Catch::Contains("999 examples") && Catch::Contains("1000 lengths"));
}

TEST_CASE("data: samplers and random_split", "[data]") {
  data::samplers::RandomSampler a(10, 7), b(10, 7);
  a.reset();
  b.reset();
  CHECK(a.next(10) == b.next(10));
  CHECK_FALSE(a.next(1).has_value());
  CHECK(data::samplers::seeded_permutation(6, 1) == data::samplers::seeded_permutation(6, 1));
  CHECK(data::samplers::seeded_permutation(6, 1) != data::samplers::seeded_permutation(6, 2));

  auto parts = ds::random_split(numbers(), {7, 3}, /*seed=*/0);
  REQUIRE(parts.size() == 2);
  CHECK(*parts[0].size() == 7);
  CHECK(*parts[1].size() == 3);
  std::set<size_t> seen(parts[0].indices().begin(), parts[0].indices().end());
  seen.insert(parts[1].indices().begin(), parts[1].indices().end());
  CHECK(seen.size() == 10);
  CHECK(parts[1].get(0).target.item<int64_t>() == int64_t(parts[1].indices()[0]));
  CHECK(ds::random_split(numbers(), {7, 3}, 0)[0].indices() == parts[0].indices());

  auto loader = data::make_data_loader<data::samplers::SequentialSampler>(parts[1].map(tf::Stack<>()), 3);
  CHECK(epoch(*loader).at(0).size() == 3);
  CHECK_THROWS_WITH(ds::random_split(numbers(), {7, 4}), Catch::Contains("add up to 11"));
}
