// Fuzz target: arbitrary bytes as IDX files. The whole input is read as one file by read_idx; it is also split in
// two (at a point its first two bytes choose) and read as an MNIST images/labels pair, which adds the checks
// between the files (counts, label range) and the conversion to float images.
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>
#include <string>

#include <wick/data.h>
#include <wick/wick.h>

#include "fuzz_targets.h"
#include "memory_file.h"

namespace wick::fuzz {

namespace {

// MNIST reads fixed file names from a directory, so this target needs a real one: made once per process
// (in /dev/shm when there is one, to stay off disks) and removed at exit.
class ScratchDir {
 public:
  ScratchDir() {
    const char* base = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    std::string pattern = std::string(base) + "/wick-idx-fuzz-XXXXXX";
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed in " + std::string(base));
    path_ = pattern;
  }
  ~ScratchDir() {
    ::unlink(file(kImages).c_str());
    ::unlink(file(kLabels).c_str());
    ::rmdir(path_.c_str());
  }
  static constexpr const char* kImages = "train-images-idx3-ubyte";
  static constexpr const char* kLabels = "train-labels-idx1-ubyte";
  std::string file(const char* name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void write_file(const std::string& path, const uint8_t* data, size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), std::streamsize(size));
  if (!out) throw std::runtime_error("writing " + path + " failed");
}

}  // namespace

void idx(const uint8_t* data, size_t size) {
  {
    const MemoryFile file(data, size);
    try {
      const Tensor t = data::datasets::read_idx(file.path());
      if (t.numel() > 0) (void)t.to(kInt64).sum().item<int64_t>();
    } catch (const Error&) {
    }
  }
  if (size < 2) return;
  static const ScratchDir dir;
  const size_t split = std::min(size_t(data[0] | (data[1] << 8)), size - 2);
  write_file(dir.file(ScratchDir::kImages), data + 2, split);
  write_file(dir.file(ScratchDir::kLabels), data + 2 + split, size - 2 - split);
  try {
    data::datasets::MNIST mnist(dir.path(), data::datasets::MNIST::Mode::kTrain);
    const size_t n = mnist.size().value();
    for (size_t i = 0; i < std::min<size_t>(n, 3); ++i) (void)mnist.get(i).data.sum().item<float>();
    (void)mnist.get(n);  // one past the end: must throw wick::Error
  } catch (const Error&) {
  }
}

}  // namespace wick::fuzz
