// DistributedRandomSampler and DistributedSequentialSampler: the ranks' shares partition the dataset (with the
// padding or the left-out tail LibTorch documents), the random order depends on the epoch only, batches, reset
// with a new size, bad arguments, and the DataLoader over a distributed sampler.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <vector>

using namespace wick;
namespace samplers = wick::data::samplers;

namespace {

// One pass of a sampler, flattened (batch_size at a time).
std::vector<size_t> pass(samplers::Sampler& sampler, size_t batch_size = 1000) {
  std::vector<size_t> out;
  while (auto batch = sampler.next(batch_size)) out.insert(out.end(), batch->begin(), batch->end());
  return out;
}

// How often each index should appear over all ranks of one epoch, worked out by dealing: with duplicates, indices
// 0, 1, 2, ... (wrapping around) are dealt out until every rank has as many as the fullest one would get from an
// even split; without, whole rounds of one index per rank are dealt while the dataset lasts.
std::map<size_t, size_t> expected_counts(size_t size, size_t replicas, bool allow_duplicates) {
  std::map<size_t, size_t> counts;
  size_t dealt = 0;
  if (allow_duplicates) {
    while (dealt < size || dealt % replicas != 0) ++counts[dealt++ % size];
  } else {
    while (dealt + replicas <= size)
      for (size_t r = 0; r < replicas; ++r) ++counts[dealt++];
  }
  return counts;
}

template <class S>
std::map<size_t, size_t> epoch_counts(size_t size, size_t replicas, bool allow_duplicates, size_t epoch,
                                      std::vector<size_t>* shares_sizes = nullptr) {
  std::map<size_t, size_t> counts;
  for (size_t rank = 0; rank < replicas; ++rank) {
    S sampler(size, replicas, rank, allow_duplicates);
    sampler.set_epoch(epoch);
    sampler.reset();
    const std::vector<size_t> share = pass(sampler, 3);
    if (shares_sizes) shares_sizes->push_back(share.size());
    for (size_t i : share) ++counts[i];
  }
  return counts;
}

}  // namespace

TEST_CASE("distributed samplers: the ranks' shares partition the dataset", "[data][sampler]") {
  for (size_t size : {10, 11, 12, 13}) {
    for (size_t replicas = 1; replicas <= 4; ++replicas) {
      for (bool duplicates : {true, false}) {
        INFO("size " << size << ", num_replicas " << replicas << ", allow_duplicates " << duplicates);
        const std::map<size_t, size_t> expected = expected_counts(size, replicas, duplicates);
        if (size % replicas == 0) {
          REQUIRE(expected.size() == size);  // the dealing itself: each index once
          CHECK(std::all_of(expected.begin(), expected.end(), [](auto& kv) { return kv.second == 1; }));
        }
        std::vector<size_t> shares;
        CHECK(epoch_counts<samplers::DistributedSequentialSampler>(size, replicas, duplicates, 0, &shares) == expected);
        for (size_t epoch : {0, 1, 5}) {
          CHECK(epoch_counts<samplers::DistributedRandomSampler>(size, replicas, duplicates, epoch, &shares) ==
                expected);
        }
        // Every rank gets the same number of indices: size / num_replicas, rounded up with duplicates, down without.
        const size_t share = duplicates ? (size + replicas - 1) / replicas : size / replicas;
        CHECK(std::all_of(shares.begin(), shares.end(), [&](size_t n) { return n == share; }));
      }
    }
  }
  // 13 over 4 ranks: 4 each; with duplicates indices 0, 1 and 2 come twice, without 12 is left out.
  const auto with = expected_counts(13, 4, true), without = expected_counts(13, 4, false);
  CHECK(with.at(0) == 2);
  CHECK(with.at(2) == 2);
  CHECK(with.at(3) == 1);
  CHECK(without.size() == 12);
  CHECK(without.count(12) == 0);
}

TEST_CASE("distributed samplers: the sequential share is a contiguous run, wrapping around", "[data][sampler]") {
  samplers::DistributedSequentialSampler last(10, 3, 2);  // 4 each: 8, 9, then 0, 1 again
  CHECK(last.index() == 8);
  CHECK(pass(last) == std::vector<size_t>{8, 9, 0, 1});
  samplers::DistributedSequentialSampler middle(10, 3, 1, /*allow_duplicates=*/false);
  CHECK(pass(middle) == std::vector<size_t>{3, 4, 5});
}

TEST_CASE("distributed samplers: the random order depends on the epoch alone", "[data][sampler]") {
  auto order = [](size_t rank, size_t epoch) {
    samplers::DistributedRandomSampler sampler(100, 4, rank);
    sampler.set_epoch(epoch);
    sampler.reset();
    return pass(sampler);
  };
  CHECK(order(1, 3) == order(1, 3));
  CHECK(order(1, 3) != order(1, 4));
  // Disjoint shares of one permutation: the four ranks of an epoch together hold every index once.
  std::vector<size_t> all;
  for (size_t rank = 0; rank < 4; ++rank) {
    const std::vector<size_t> share = order(rank, 9);
    all.insert(all.end(), share.begin(), share.end());
  }
  std::vector<size_t> sorted = all;
  std::sort(sorted.begin(), sorted.end());
  std::vector<size_t> every(100);
  std::iota(every.begin(), every.end(), size_t(0));
  CHECK(sorted == every);
  CHECK(all != every);  // and shuffled

  // LibTorch 1.13's order (std::shuffle over std::mt19937(epoch), libstdc++), from its own run.
  samplers::DistributedRandomSampler golden(10, 2, 1);
  golden.set_epoch(7);
  golden.reset();
  CHECK(pass(golden) == std::vector<size_t>{5, 3, 0, 4, 9});

  // set_epoch takes effect at the next reset().
  samplers::DistributedRandomSampler sampler(100, 4, 1);
  const std::vector<size_t> epoch0 = pass(sampler);
  CHECK(epoch0 == order(1, 0));
  sampler.set_epoch(2);
  CHECK(sampler.epoch() == 2);
  sampler.reset();
  CHECK(pass(sampler) == order(1, 2));
}

TEST_CASE("distributed samplers: next() batches, index() and reset()", "[data][sampler]") {
  samplers::DistributedRandomSampler random(23, 3, 2);  // 8 each; rank 2's share is positions 16 to 23
  CHECK(random.index() == 16);
  const std::vector<size_t> whole = pass(random);
  CHECK(random.index() == 24);
  CHECK_FALSE(random.next(4).has_value());
  random.reset();
  std::vector<size_t> batched;
  std::vector<size_t> sizes;
  while (auto batch = random.next(3)) {
    sizes.push_back(batch->size());
    batched.insert(batched.end(), batch->begin(), batch->end());
  }
  CHECK(sizes == std::vector<size_t>{3, 3, 2});
  CHECK(batched == whole);

  random.reset(30);  // 10 each now
  CHECK(random.index() == 20);
  const std::vector<size_t> resized = pass(random, 4);
  CHECK(resized.size() == 10);
  CHECK(std::all_of(resized.begin(), resized.end(), [](size_t i) { return i < 30; }));

  samplers::DistributedSequentialSampler sequential(23, 3, 1);
  CHECK(pass(sequential, 5) == std::vector<size_t>{8, 9, 10, 11, 12, 13, 14, 15});
  sequential.reset();
  CHECK(sequential.next(2) == std::vector<size_t>{8, 9});
  sequential.reset(6);  // 2 each
  CHECK(sequential.index() == 2);
  CHECK(pass(sequential) == std::vector<size_t>{2, 3});
}

TEST_CASE("distributed samplers: more ranks than examples stay in range", "[data][sampler]") {
  // With more than twice as many ranks as examples LibTorch's random sampler pads with indices past the end (1
  // over 3 ranks gives index 1); wick wraps around again.
  for (size_t rank = 0; rank < 3; ++rank) {
    samplers::DistributedRandomSampler random(1, 3, rank);
    CHECK(pass(random) == std::vector<size_t>{0});
    samplers::DistributedSequentialSampler sequential(1, 3, rank);
    CHECK(pass(sequential) == std::vector<size_t>{0});
  }
  samplers::DistributedRandomSampler empty(0, 2, 1);
  CHECK_FALSE(empty.next(4).has_value());
}

TEST_CASE("distributed samplers: a bad rank or num_replicas is an error", "[data][sampler]") {
  using Catch::Contains;
  CHECK_THROWS_AS(samplers::DistributedRandomSampler(10, 4, 4), Error);
  CHECK_THROWS_WITH(samplers::DistributedRandomSampler(10, 4, 4),
                    Contains("DistributedRandomSampler") && Contains("rank 4") && Contains("num_replicas 4"));
  CHECK_THROWS_WITH(samplers::DistributedSequentialSampler(10, 2, 7, false),
                    Contains("DistributedSequentialSampler") && Contains("rank 7") && Contains("num_replicas 2"));
  CHECK_THROWS_WITH(samplers::DistributedRandomSampler(10, 0, 0),
                    Contains("DistributedRandomSampler") && Contains("num_replicas must be positive"));
  CHECK_THROWS_WITH(samplers::DistributedSequentialSampler(10, 0),
                    Contains("DistributedSequentialSampler") && Contains("num_replicas must be positive"));
}

TEST_CASE("distributed samplers: a DataLoader per rank covers the dataset each epoch", "[data][sampler]") {
  namespace tf = wick::data::transforms;
  const Tensor i = arange(17, kFloat);
  auto dataset = data::datasets::TensorDataset(i.unsqueeze(1), arange(17, kInt64)).map(tf::Stack<>());
  for (size_t workers : {0, 2}) {
    std::vector<std::unique_ptr<data::StatelessDataLoader<decltype(dataset), samplers::DistributedRandomSampler>>>
        loaders;
    for (size_t rank = 0; rank < 2; ++rank)
      loaders.push_back(data::make_data_loader(dataset, samplers::DistributedRandomSampler(17, 2, rank),
                                               data::DataLoaderOptions().batch_size(4).workers(workers)));
    std::vector<std::vector<int64_t>> orders;
    for (size_t epoch = 0; epoch < 2; ++epoch) {
      std::map<size_t, size_t> counts;
      std::vector<int64_t> order;
      for (auto& loader : loaders) {
        loader->sampler().set_epoch(epoch);
        for (auto& batch : *loader) {
          for (int64_t k = 0; k < batch.target.size(0); ++k) {
            const int64_t target = batch.target[k].item<int64_t>();
            ++counts[size_t(target)];
            order.push_back(target);
          }
        }
      }
      CHECK(counts == expected_counts(17, 2, true));
      orders.push_back(order);
    }
    CHECK(orders[0] != orders[1]);
  }
}
