// MNIST over small IDX files the test writes itself: any sample count, image size and mode; malformed,
// truncated and mismatched files throw wick::Error naming the file.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace wick;
namespace fs = std::filesystem;
using data::datasets::MNIST;

namespace {

void put32(std::string& s, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) s += char((v >> shift) & 0xff);
}

std::string idx_images(uint32_t n, uint32_t rows, uint32_t cols, uint32_t magic = 2051) {
  std::string s;
  put32(s, magic);
  put32(s, n);
  put32(s, rows);
  put32(s, cols);
  for (uint32_t i = 0; i < n * rows * cols; ++i) s += char((i * 7) % 256);
  return s;
}

std::string idx_labels(const std::vector<uint8_t>& labels, uint32_t magic = 2049) {
  std::string s;
  put32(s, magic);
  put32(s, uint32_t(labels.size()));
  for (uint8_t l : labels) s += char(l);
  return s;
}

// A fresh folder under the system temp dir, removed afterwards.
struct TempDir {
  fs::path path;
  TempDir() {
    path =
        fs::temp_directory_path() / ("wick_mnist_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  void write(const std::string& name, const std::string& bytes) const {
    std::ofstream(path / name, std::ios::binary) << bytes;
  }
  std::string str() const { return path.string(); }
  static inline int counter = 0;
};

std::string error_of(const std::string& root, MNIST::Mode mode = MNIST::Mode::kTrain) {
  try {
    MNIST m(root, mode);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("mnist: reads IDX files of any sample count and image size", "[data][mnist]") {
  TempDir dir;
  dir.write("train-images-idx3-ubyte", idx_images(5, 4, 3));
  dir.write("train-labels-idx1-ubyte", idx_labels({3, 1, 4, 1, 5}));
  dir.write("t10k-images-idx3-ubyte", idx_images(2, 4, 3));
  dir.write("t10k-labels-idx1-ubyte", idx_labels({9, 0}));

  MNIST train(dir.str());
  CHECK(train.is_train());
  CHECK(*train.size() == 5);
  CHECK(train.images().sizes() == IntArrayRef{5, 1, 4, 3});
  CHECK(train.images().dtype() == kFloat);
  CHECK(train.targets().dtype() == kInt64);
  CHECK(equal(train.targets(), tensor({3, 1, 4, 1, 5}, kInt64)));
  const data::Example<> e = train.get(2);
  CHECK(e.data.sizes() == IntArrayRef{1, 4, 3});
  CHECK(e.target.item<int64_t>() == 4);
  // Pixel (row 1, col 2) of image 2 is byte 2 * 12 + 1 * 3 + 2 = 29 of the data, value 29 * 7 % 256 = 203.
  CHECK(e.data[0][1][2].item<float>() == Approx(203 / 255.0));
  CHECK_THROWS_WITH(train.get(5), Catch::Contains("out of range"));

  MNIST test(dir.str(), MNIST::Mode::kTest);
  CHECK_FALSE(test.is_train());
  CHECK(*test.size() == 2);
  CHECK(test.get(0).target.item<int64_t>() == 9);
}

TEST_CASE("mnist: malformed, truncated and mismatched files throw naming the file", "[data][mnist]") {
  TempDir dir;
  const std::string images = (dir.path / "train-images-idx3-ubyte").string();
  const std::string labels = (dir.path / "train-labels-idx1-ubyte").string();
  const std::string good_images = idx_images(4, 2, 2), good_labels = idx_labels({0, 1, 2, 3});

  SECTION("missing file") { CHECK_THAT(error_of(dir.str()), Catch::Contains("cannot open " + images)); }
  SECTION("wrong magic number") {
    dir.write("train-images-idx3-ubyte", idx_images(4, 2, 2, 0x12345678));
    dir.write("train-labels-idx1-ubyte", good_labels);
    CHECK_THAT(error_of(dir.str()), Catch::Contains(images + " is not an MNIST IDX file: magic number 305419896"));
  }
  SECTION("labels where images belong") {
    dir.write("train-images-idx3-ubyte", good_labels);
    dir.write("train-labels-idx1-ubyte", good_labels);
    CHECK_THAT(error_of(dir.str()), Catch::Contains(images + " holds labels, not images"));
  }
  SECTION("truncated data") {
    dir.write("train-images-idx3-ubyte", good_images.substr(0, good_images.size() - 3));
    dir.write("train-labels-idx1-ubyte", good_labels);
    CHECK_THAT(error_of(dir.str()), Catch::Contains(images + " is truncated: its header promises 4 images"));
  }
  SECTION("dims whose product overflows int64 (found by tests/fuzz/idx_fuzz)") {
    std::string huge;
    for (uint32_t v : {2051u, 0xffffffffu, 0xffffffffu, 0xffffffffu}) put32(huge, v);
    dir.write("train-images-idx3-ubyte", huge);
    dir.write("train-labels-idx1-ubyte", good_labels);
    CHECK_THAT(error_of(dir.str()), Catch::Contains(images + " is truncated") &&
                                        Catch::Contains("more than any file holds"));
  }
  SECTION("truncated header") {
    dir.write("train-images-idx3-ubyte", good_images.substr(0, 10));
    dir.write("train-labels-idx1-ubyte", good_labels);
    CHECK_THAT(error_of(dir.str()), Catch::Contains(images + " is truncated inside its header"));
  }
  SECTION("a file of a few bytes") {
    dir.write("train-images-idx3-ubyte", "abc");
    dir.write("train-labels-idx1-ubyte", good_labels);
    CHECK_THAT(error_of(dir.str()), Catch::Contains(images + " is not an IDX file"));
  }
  SECTION("trailing bytes") {
    dir.write("train-images-idx3-ubyte", good_images);
    dir.write("train-labels-idx1-ubyte", good_labels + "xx");
    CHECK_THAT(error_of(dir.str()), Catch::Contains(labels + " has 2 bytes after the data"));
  }
  SECTION("counts that disagree") {
    dir.write("train-images-idx3-ubyte", good_images);
    dir.write("train-labels-idx1-ubyte", idx_labels({0, 1, 2}));
    CHECK_THAT(error_of(dir.str()), Catch::Contains("has 4 images but " + labels + " has 3 labels"));
  }
  SECTION("a label that is not a digit") {
    dir.write("train-images-idx3-ubyte", good_images);
    dir.write("train-labels-idx1-ubyte", idx_labels({0, 1, 12, 3}));
    CHECK_THAT(error_of(dir.str()), Catch::Contains(labels + ": label 12 of sample 2 is not a digit"));
  }
}

TEST_CASE("mnist: the converted digits in data/mnist load when present", "[data][mnist]") {
  const std::string root = std::string(WICK_FIXTURES_DIR) + "/../../data/mnist";
  if (!fs::exists(root + "/train-images-idx3-ubyte")) {
    WARN("no " << root << " (tools/mnist/fetch writes it); skipped");
    return;
  }
  MNIST train(root), test(root, MNIST::Mode::kTest);
  CHECK(train.images().sizes().size() == 4);
  CHECK(train.images().size(2) == 28);
  CHECK(*train.size() + *test.size() >= 2);
  CHECK(train.targets().max().item<int64_t>() <= 9);
}
