// CSV over small files the test writes itself: columns by index and by header name, skipped lines, class and
// regression targets; every malformed input throws wick::Error naming the file, line, column and text.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <fstream>
#include <string>

#include "../support/temp_dir.h"

using namespace wick;
using data::datasets::CSV;
using data::datasets::CSVOptions;

namespace {

std::string write(const testing::TempDir& dir, const std::string& text) {
  const std::string path = dir.file("table.csv");
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::string error_of(const std::string& path, const CSVOptions& options) {
  try {
    CSV csv(path, options);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

// sklearn's iris.csv layout: a line of counts and class names, then four measurements and a class per row.
const char* kIrisLike =
    "3,4,setosa,versicolor,virginica\n"
    "5.1,3.5,1.4,0.2,0\n"
    "\n"
    "7.0,3.2,4.7,1.4,1\r\n"
    "6.3, 3.3 ,6.0,2.5,2\n";

}  // namespace

TEST_CASE("csv: skipped lines, columns by index, an int64 class target", "[data][csv]") {
  testing::TempDir dir;
  const std::string path = write(dir, kIrisLike);
  CSV iris(path, CSVOptions().skip_lines(1).target(4).target_dtype(kInt64));

  CHECK(*iris.size() == 3);
  REQUIRE(iris.features().sizes() == IntArrayRef{3, 4});
  CHECK(iris.features().dtype() == kFloat);
  CHECK(equal(iris.features(), tensor({{5.1f, 3.5f, 1.4f, 0.2f}, {7.0f, 3.2f, 4.7f, 1.4f}, {6.3f, 3.3f, 6.0f, 2.5f}})));
  CHECK(iris.targets().dtype() == kInt64);
  CHECK(equal(iris.targets(), tensor({0, 1, 2}, kInt64)));
  CHECK(iris.feature_names().empty());
  const data::Example<> e = iris.get(1);
  CHECK(equal(e.data, tensor({7.0f, 3.2f, 4.7f, 1.4f})));
  CHECK(e.target.item<int64_t>() == 1);

  // Two chosen features in the order asked, no target.
  CSV two(path, CSVOptions().skip_lines(1).features({size_t(3), int64_t(0)}));
  CHECK(equal(two.features(), tensor({{0.2f, 5.1f}, {1.4f, 7.0f}, {2.5f, 6.3f}})));
  CHECK_FALSE(two.targets().defined());
}

TEST_CASE("csv: a header names the columns; a float target; quoted names", "[data][csv]") {
  testing::TempDir dir;
  // sklearn's boston_house_prices.csv layout: counts, then quoted names, then rows.
  const std::string path = write(dir,
                                 "2,3,,\n"
                                 "\"CRIM\",\"ZN\",\"RM\",\"MEDV\"\n"
                                 "0.00632,18,6.575,24\n"
                                 "0.02731,0,6.421,21.6\n");
  CSV houses(path, CSVOptions().skip_lines(1).header(true).target("MEDV"));
  CHECK(houses.feature_names() == std::vector<std::string>{"CRIM", "ZN", "RM"});
  CHECK(equal(houses.features(), tensor({{0.00632f, 18.f, 6.575f}, {0.02731f, 0.f, 6.421f}})));
  CHECK(houses.targets().dtype() == kFloat);
  CHECK(equal(houses.targets(), tensor({24.f, 21.6f})));

  CSV named(path, CSVOptions().skip_lines(1).header(true).features({"RM", 0}).target(1));
  CHECK(named.feature_names() == std::vector<std::string>{"RM", "CRIM"});
  CHECK(equal(named.features(), tensor({{6.575f, 0.00632f}, {6.421f, 0.02731f}})));
  CHECK(equal(named.targets(), tensor({18.f, 0.f})));

  // A CSV is a TensorDataset: batches stack through the usual transforms.
  auto batches = CSV(path, CSVOptions().skip_lines(1).header(true).target("MEDV")).map(data::transforms::Stack<>());
  const data::Example<> batch = batches.get_batch({1, 0});
  CHECK(equal(batch.target, tensor({21.6f, 24.f})));
}

TEST_CASE("csv: bad input throws naming the file, line, column and text", "[data][csv]") {
  testing::TempDir dir;
  const CSVOptions classes = CSVOptions().skip_lines(1).target(4).target_dtype(kInt64);

  SECTION("missing file") {
    const std::string path = dir.file("absent.csv");
    CHECK(error_of(path, classes) == "wick::data::datasets::CSV: cannot open " + path);
  }
  SECTION("empty file") {
    const std::string path = write(dir, "");
    CHECK(error_of(path, {}) == "wick::data::datasets::CSV: " + path + " is empty");
    CHECK(error_of(path, classes) == "wick::data::datasets::CSV: " + path + " has no rows after the 1 skipped line");
    const std::string counts_only = write(dir, "150,4\n\n");
    CHECK_THAT(error_of(counts_only, classes), Catch::Contains(counts_only + " has no rows after the 1 skipped line"));
  }
  SECTION("a header and no rows") {
    const std::string path = write(dir, "a,b\n\n");
    CHECK_THAT(error_of(path, CSVOptions().header(true)),
               Catch::Contains(path + " has a header on line 1 but no data rows"));
  }
  SECTION("ragged row") {
    const std::string path = write(dir, "1,2,3\n4,5,6\n7,8\n");
    CHECK(error_of(path, {}) ==
          "wick::data::datasets::CSV: " + path + ", line 3 has 2 columns but line 1 has 3: \"7,8\"");
  }
  SECTION("non-numeric cell") {
    const std::string path = write(dir, std::string(kIrisLike) + "5.9,3.0,abc,1.8,2\n");
    CHECK(error_of(path, classes) ==
          "wick::data::datasets::CSV: " + path + ", line 6, column 2: \"abc\" is not a number");
    const std::string partial = write(dir, "1,2\n3,4x\n");
    CHECK_THAT(error_of(partial, {}), Catch::Contains(partial + ", line 2, column 1: \"4x\" is not a number"));
    const std::string blank = write(dir, "1,,3\n");
    CHECK_THAT(error_of(blank, {}), Catch::Contains(blank + ", line 1, column 1: \"\" is not a number"));
    const std::string nan = write(dir, "1,nan\n");
    CHECK_THAT(error_of(nan, {}), Catch::Contains(nan + ", line 1, column 1: \"nan\" is not a finite number"));
    const std::string huge = write(dir, "1,-1e39\n");
    CHECK_THAT(error_of(huge, {}), Catch::Contains(huge + ", line 1, column 1: \"-1e39\" is out of float32's range"));
  }
  SECTION("class label that is not a whole number >= 0") {
    const std::string path = write(dir, "3,4\n1,2,3,4,0\n1,2,3,4,1.5\n");
    CHECK_THAT(error_of(path, classes),
               Catch::Contains(path + ", line 3, column 4: class label \"1.5\" is not a whole number >= 0"));
    const std::string negative = write(dir, "3,4\n1,2,3,4,-1\n");
    CHECK_THAT(error_of(negative, classes), Catch::Contains("class label \"-1\" is not a whole number >= 0"));
  }
  SECTION("column out of range or unknown") {
    const std::string path = write(dir, kIrisLike);
    CHECK(error_of(path, CSVOptions().skip_lines(1).target(5)) ==
          "wick::data::datasets::CSV: " + path + ": target column 5 is out of range: line 2 has 5 columns (0 to 4)");
    CHECK_THAT(error_of(path, CSVOptions().skip_lines(1).features({0, -1})),
               Catch::Contains(path + ": feature column -1 is out of range"));
    CHECK_THAT(error_of(path, CSVOptions().skip_lines(1).target("MEDV")),
               Catch::Contains(path + ": target column \"MEDV\" is chosen by name but the options have no header"));
    const std::string named = write(dir, "x,y\n1,2\n");
    CHECK(error_of(named, CSVOptions().header(true).target("z")) ==
          "wick::data::datasets::CSV: " + named + ": no target column named \"z\" in the header on line 1: \"x,y\"");
  }
  SECTION("bad options") {
    const std::string path = write(dir, "1,2\n");
    CHECK_THAT(error_of(path, CSVOptions().target(1).target_dtype(kInt32)),
               Catch::Contains("target_dtype must be kFloat (regression) or kInt64 (class labels), not int32"));
    CHECK_THAT(error_of(write(dir, "1\n"), CSVOptions().target(0)), Catch::Contains("no feature columns"));
  }
}
