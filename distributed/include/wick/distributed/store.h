// Where processes that share nothing yet meet to exchange a few bytes (NCCL's unique id), in the shape of
// LibTorch's c10d::Store and c10d::FileStore:
//
//   auto store = std::make_shared<wick::distributed::FileStore>("/shared/run-42/store", world_size);
//   wick::distributed::ProcessGroupNCCL group(store, rank, world_size);
//
// FileStore keeps each key in its own file beside `path` (a shared file system for several machines), written to a
// temporary file and renamed into place, so a reader never sees half a value. As LibTorch's, a path serves one run:
// a previous run's keys would be read as this one's.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "wick/distributed/types.h"

namespace wick::distributed {

class Store {
 public:
  explicit Store(std::chrono::milliseconds timeout = kProcessGroupDefaultTimeout) : timeout_(timeout) {}
  virtual ~Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  virtual void set(const std::string& key, const std::vector<uint8_t>& value) = 0;
  // The key's value, once some process has set it; wick::Error naming the key after the store's timeout.
  virtual std::vector<uint8_t> get(const std::string& key) = 0;
  // Whether every key has been set. Never blocks.
  virtual bool check(const std::vector<std::string>& keys) = 0;
  // Blocks until every key has been set; wick::Error naming the first missing one after `timeout`.
  virtual void wait(const std::vector<std::string>& keys, std::chrono::milliseconds timeout) = 0;
  void wait(const std::vector<std::string>& keys) { wait(keys, timeout_); }

  std::chrono::milliseconds getTimeout() const { return timeout_; }
  void setTimeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }

 private:
  std::chrono::milliseconds timeout_;
};

class FileStore : public Store {
 public:
  // numWorkers: the processes that share the store (kept for LibTorch's signature and the error messages).
  FileStore(std::string path, int numWorkers);

  void set(const std::string& key, const std::vector<uint8_t>& value) override;
  std::vector<uint8_t> get(const std::string& key) override;
  bool check(const std::vector<std::string>& keys) override;
  using Store::wait;
  void wait(const std::vector<std::string>& keys, std::chrono::milliseconds timeout) override;

  const std::string& path() const { return path_; }

 private:
  std::string file_of(const std::string& key) const;

  const std::string path_;
  const int num_workers_;
};

}  // namespace wick::distributed
