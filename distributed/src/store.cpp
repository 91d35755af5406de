#include "wick/distributed/store.h"

#include <cstdio>
#include <fstream>
#include <iterator>
#include <thread>

#include <unistd.h>

#include "wick/error.h"

namespace wick::distributed {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPollInterval = std::chrono::milliseconds(1);

bool exists(const std::string& file) { return access(file.c_str(), F_OK) == 0; }

}  // namespace

FileStore::FileStore(std::string path, int numWorkers) : path_(std::move(path)), num_workers_(numWorkers) {
  WICK_CHECK(!path_.empty(), "distributed::FileStore", "the path is empty");
  WICK_CHECK(numWorkers >= 1, "distributed::FileStore", "numWorkers is ", numWorkers, "; it must be at least 1");
}

// Keys may hold any byte: the file name carries them in hex.
std::string FileStore::file_of(const std::string& key) const {
  std::string name = path_ + ".key-";
  static const char* hex = "0123456789abcdef";
  for (unsigned char c : key) {
    name += hex[c >> 4];
    name += hex[c & 15];
  }
  return name;
}

void FileStore::set(const std::string& key, const std::vector<uint8_t>& value) {
  const std::string file = file_of(key);
  const std::string temporary = file + ".tmp-" + std::to_string(getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(value.data()), std::streamsize(value.size()));
    out.flush();
    WICK_CHECK(out.good(), "distributed::FileStore::set", "cannot write key '", key, "' to ", temporary);
  }
  if (std::rename(temporary.c_str(), file.c_str()) != 0) {
    std::remove(temporary.c_str());
    fail("distributed::FileStore::set", "cannot rename ", temporary, " to ", file, " (key '", key, "')");
  }
}

std::vector<uint8_t> FileStore::get(const std::string& key) {
  wait({key}, getTimeout());
  std::ifstream in(file_of(key), std::ios::binary);
  WICK_CHECK(in.good(), "distributed::FileStore::get", "cannot read key '", key, "' from ", file_of(key));
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool FileStore::check(const std::vector<std::string>& keys) {
  for (const std::string& key : keys)
    if (!exists(file_of(key))) return false;
  return true;
}

void FileStore::wait(const std::vector<std::string>& keys, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (const std::string& key : keys) {
    while (!exists(file_of(key))) {
      if (timeout > kNoTimeout && Clock::now() >= deadline)
        fail("distributed::FileStore", "key '", key, "' was not set within ", timeout.count(), " ms (store ", path_,
             ", ", num_workers_, " workers)");
      std::this_thread::sleep_for(kPollInterval);
    }
  }
}

}  // namespace wick::distributed
