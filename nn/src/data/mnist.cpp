// MNIST from standard IDX files: big-endian header (magic, counts, dims), then raw uint8 data.
#include "wick/data/datasets/mnist.h"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <vector>

#include "wick/ops.h"

namespace wick::data::datasets {

namespace {

constexpr uint32_t kImagesMagic = 2051;  // 0x00000803: uint8 data, 3 dims
constexpr uint32_t kLabelsMagic = 2049;  // 0x00000801: uint8 data, 1 dim

uint32_t big_endian(const unsigned char* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

}  // namespace

Tensor read_idx(const std::string& path) {
  const char* op = "data::datasets::MNIST";
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  WICK_CHECK(in.good(), op, "cannot open ", path);
  const std::streamoff file_size = in.tellg();
  in.seekg(0);
  unsigned char header[16];
  WICK_CHECK(file_size >= 8, op, path, " is not an IDX file: it has only ", int64_t(file_size), " bytes");
  in.read(reinterpret_cast<char*>(header), 8);
  const uint32_t magic = big_endian(header);
  WICK_CHECK(magic == kImagesMagic || magic == kLabelsMagic, op, path, " is not an MNIST IDX file: magic number ",
             (unsigned long)magic, " (expected 2051 for images or 2049 for labels)");
  const int dims = magic == kImagesMagic ? 3 : 1;
  WICK_CHECK(file_size >= 4 + 4 * dims, op, path, " is truncated inside its header");
  if (dims == 3) in.read(reinterpret_cast<char*>(header + 8), 8);
  std::vector<int64_t> shape;
  int64_t count = 1, expected = 0;
  bool overflow = false;
  for (int d = 0; d < dims; ++d) {
    shape.push_back(int64_t(big_endian(header + 4 + 4 * d)));
    // Three 32-bit dims can multiply past int64 (signed overflow is UB); no file holds that many bytes anyway.
    overflow = overflow || __builtin_mul_overflow(count, shape.back(), &count);
  }
  overflow = overflow || __builtin_add_overflow(int64_t(4 + 4 * dims), count, &expected);
  WICK_CHECK(!overflow, op, path, " is truncated: its header promises ", shape_str(shape),
             " bytes of data, more than any file holds");
  WICK_CHECK(file_size >= expected, op, path, " is truncated: its header promises ", shape[0],
             dims == 3 ? " images" : " labels", " (", expected, " bytes) but the file has ", int64_t(file_size),
             " bytes");
  WICK_CHECK(file_size == expected, op, path, " has ", int64_t(file_size) - expected,
             " bytes after the data its header describes");
  Tensor out = empty(shape, kUInt8);
  in.read(static_cast<char*>(out.data_ptr()), std::streamsize(count));
  WICK_CHECK(in.good(), op, "reading ", path, " failed");
  return out;
}

MNIST::MNIST(const std::string& root, Mode mode) : is_train_(mode == Mode::kTrain) {
  const char* op = "data::datasets::MNIST";
  const std::string prefix = root + "/" + (is_train_ ? "train" : "t10k");
  const std::string images_path = prefix + "-images-idx3-ubyte", labels_path = prefix + "-labels-idx1-ubyte";
  const Tensor images = read_idx(images_path);
  const Tensor labels = read_idx(labels_path);
  WICK_CHECK(images.dim() == 3, op, images_path, " holds labels, not images");
  WICK_CHECK(labels.dim() == 1, op, labels_path, " holds images, not labels");
  WICK_CHECK(images.size(0) == labels.size(0), op, images_path, " has ", images.size(0), " images but ", labels_path,
             " has ", labels.size(0), " labels");
  const uint8_t* l = labels.data_ptr<uint8_t>();
  for (int64_t i = 0; i < labels.numel(); ++i)
    WICK_CHECK(l[i] <= 9, op, labels_path, ": label ", int(l[i]), " of sample ", i, " is not a digit");
  images_ = images.to(kFloat).div_(255).unsqueeze(1);
  targets_ = labels.to(kInt64);
}

Example<> MNIST::get(size_t index) {
  WICK_CHECK(int64_t(index) < images_.size(0), "data::datasets::MNIST::get", "index ", (unsigned long)index,
             " is out of range for ", images_.size(0), " samples");
  return {images_[int64_t(index)], targets_[int64_t(index)]};
}

std::optional<size_t> MNIST::size() const { return size_t(images_.size(0)); }

}  // namespace wick::data::datasets
