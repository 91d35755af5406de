// porting: compare
// Data-parallel sharding as a LibTorch user writes it: DistributedRandomSampler and DistributedSequentialSampler
// for every rank of a few (size, num_replicas, allow_duplicates) setups, over several epochs and batch sizes,
// reset() with a new size, and a data loader built from a dataset and a distributed sampler. The random order
// comes from std::mt19937(epoch), so every index must be LibTorch's.
#include <torch/torch.h>

#include <iostream>
#include <vector>

namespace samplers = torch::data::samplers;

// Every batch of one pass, as "[a b c] [d e]".
template <typename Sampler>
void print_pass(Sampler& sampler, size_t batch_size) {
  while (auto batch = sampler.next(batch_size)) {
    std::cout << " [";
    for (size_t i = 0; i < batch->size(); ++i) std::cout << (i ? " " : "") << (*batch)[i];
    std::cout << "]";
  }
  std::cout << std::endl;
}

struct Setup {
  size_t size, num_replicas;
  bool allow_duplicates;
  size_t batch_size;
};

// A dataset whose example i is (i, i).
class Numbers : public torch::data::datasets::Dataset<Numbers> {
 public:
  explicit Numbers(size_t n) : n_(n) {}
  torch::data::Example<> get(size_t index) override {
    auto i = torch::tensor(static_cast<int64_t>(index));
    return {i, i};
  }
  torch::optional<size_t> size() const override { return n_; }

 private:
  size_t n_;
};

int main() {
  const std::vector<Setup> setups = {{10, 1, true, 3},  {10, 2, true, 4},  {10, 3, true, 2}, {10, 3, false, 2},
                                     {11, 4, true, 3},  {11, 4, false, 3}, {13, 4, true, 5}, {13, 5, false, 1},
                                     {100, 8, true, 5}, {7, 8, true, 1},   {3, 6, true, 1},  {0, 3, true, 2}};
  for (const Setup& s : setups) {
    for (size_t rank = 0; rank < s.num_replicas; ++rank) {
      std::cout << "size " << s.size << " replicas " << s.num_replicas << " rank " << rank << " duplicates "
                << s.allow_duplicates << " batch " << s.batch_size << std::endl;
      samplers::DistributedSequentialSampler sequential(s.size, s.num_replicas, rank, s.allow_duplicates);
      std::cout << "  sequential index " << sequential.index() << ":";
      print_pass(sequential, s.batch_size);
      samplers::DistributedRandomSampler random(s.size, s.num_replicas, rank, s.allow_duplicates);
      for (size_t epoch : std::vector<size_t>{0, 1, 2, 7, 1000}) {
        random.set_epoch(epoch);
        random.reset();
        std::cout << "  random epoch " << random.epoch() << " index " << random.index() << ":";
        print_pass(random, s.batch_size);
      }
    }
  }

  // The epoch takes effect at the next reset(); reset(new_size) re-shards.
  samplers::DistributedRandomSampler random(20, 3, 1);
  random.set_epoch(4);
  std::cout << "before reset:";
  print_pass(random, 4);
  random.reset();
  std::cout << "after reset:";
  print_pass(random, 4);
  random.reset(9);
  std::cout << "reset to 9, index " << random.index() << ":";
  print_pass(random, 2);
  samplers::DistributedSequentialSampler sequential(20, 3, 2, false);
  std::cout << "sequential:";
  print_pass(sequential, 4);
  sequential.reset();
  std::cout << "sequential again:";
  print_pass(sequential, 5);
  sequential.reset(31);
  std::cout << "sequential reset to 31, index " << sequential.index() << ":";
  print_pass(sequential, 4);

  // A loader per epoch, each with its rank's sampler for that epoch.
  for (size_t epoch = 0; epoch < 3; ++epoch) {
    for (size_t rank = 0; rank < 2; ++rank) {
      samplers::DistributedRandomSampler sampler(15, 2, rank);
      sampler.set_epoch(epoch);
      auto loader = torch::data::make_data_loader(Numbers(15).map(torch::data::transforms::Stack<>()),
                                                  std::move(sampler), torch::data::DataLoaderOptions().batch_size(3));
      std::cout << "loader epoch " << epoch << " rank " << rank << ":";
      for (auto& batch : *loader) {
        std::cout << " [";
        for (int64_t i = 0; i < batch.target.size(0); ++i)
          std::cout << (i ? " " : "") << batch.target[i].item<int64_t>();
        std::cout << "]";
      }
      std::cout << std::endl;
    }
  }
  return 0;
}
