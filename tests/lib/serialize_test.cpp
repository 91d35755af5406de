// safetensors I/O: every dtype round trips bit for bit; the bytes on disk follow the format; files written
// by PyTorch-side Python load value by value, and files wick writes are read back by PyTorch
// (tools/check_safetensors.py); saving is atomic; malformed, truncated or corrupted files throw wick::Error
// naming the file and the problem, and never crash.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "../support/fixtures.h"

using namespace wick;
using namespace wick::testing;
namespace fs = std::filesystem;

namespace {

// A fresh directory, removed with its contents at scope exit. in_memory: under /dev/shm when there is one
// (the sweeps below rewrite a file thousands of times; truncating files on some disks takes milliseconds).
struct TempDir {
  fs::path path;
  explicit TempDir(bool in_memory = false) {
    std::error_code ec;
    const fs::path base = in_memory && fs::is_directory("/dev/shm", ec) && access("/dev/shm", W_OK) == 0
                              ? fs::path("/dev/shm")
                              : fs::temp_directory_path();
    std::string tmpl = (base / "wick-serialize-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(path)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
};

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
}

std::string le64(uint64_t n) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[size_t(i)] = char((n >> (8 * i)) & 0xff);
  return s;
}

// 8-byte length + header (padded with spaces to a multiple of 8 unless pad is false) + data.
std::string st_file(const std::string& header, const std::string& data = "", bool pad = true) {
  std::string h = header;
  if (pad)
    while (h.size() % 8) h += ' ';
  return le64(h.size()) + h + data;
}

// The raw bytes of a tensor's elements (contiguous).
std::string bytes_of(const Tensor& t) {
  const Tensor c = t.contiguous();
  return c.numel() ? std::string(static_cast<const char*>(c.data_ptr()), c.nbytes()) : std::string();
}

Tensor half_bits(std::initializer_list<float> values, ScalarType dt) {
  Tensor t = empty({int64_t(values.size())}, dtype(dt));
  auto* p = static_cast<uint16_t*>(t.data_ptr());
  for (float v : values) *p++ = dt == kHalf ? Half::from_float(v) : BFloat16::from_float(v);
  return t;
}

// What tools/check_safetensors.py expects (its EXPECTED and EXPECTED_METADATA).
TensorDict interop_tensors() {
  TensorDict t;
  t["bool"] = tensor({{true, false, true}, {false, false, true}});
  t["uint8"] = tensor(std::vector<uint8_t>{0, 1, 127, 128, 255});
  t["int32"] = tensor(std::vector<int64_t>{INT32_MIN, -1, 0, 1, INT32_MAX}).to(kInt32);
  t["int64"] = tensor(std::vector<int64_t>{INT64_MIN, -1, 0, 1, INT64_MAX});
  t["float16"] = half_bits({0.5f, -2.0f, 65504.0f, std::ldexp(1.0f, -24), INFINITY, -0.0f}, kHalf);
  t["bfloat16"] = half_bits({1.0f, -0.0078125f, 3.3895313892515355e38f, std::ldexp(1.0f, -133), -INFINITY}, kBFloat16);
  t["float32_T"] = (arange(12, dtype(kFloat)).reshape({3, 4}) / 8 - 1).t();  // a transposed view
  t["float64"] = tensor(std::vector<double>{M_PI, -0.0, NAN, -INFINITY, 1e-310, 1.7976931348623157e308}, kDouble);
  t["strided"] = arange(20, dtype(kDouble)).reshape({4, 5}).slice(1, 0, std::nullopt, 2);  // a strided view
  t["scalar"] = scalar_tensor(2.5, dtype(kDouble));
  t["empty"] = zeros({0, 3});
  return t;
}
const std::map<std::string, std::string> kInteropMetadata = {
    {"producer", "wick"}, {"text", "quote \" backslash \\ newline \n unicode \u00e9\u2713 emoji \U0001F600"}};

// dtype, shape and every byte equal (NaN payloads included: nothing is converted on the way).
void check_identical(const Tensor& got, const Tensor& want) {
  REQUIRE(got.defined());
  CHECK(got.dtype() == want.dtype());
  CHECK(IntArrayRef(got.sizes()).equals(want.sizes()));
  CHECK(bytes_of(got) == bytes_of(want));
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("non-wick exception: ") + e.what();
  }
  return "no exception";
}

}  // namespace

TEST_CASE("serialize: every dtype round trips bit for bit, views included", "[serialize]") {
  TempDir dir;
  TensorDict tensors = interop_tensors();
  tensors["large"] = arange(300000, dtype(kFloat)).reshape({600, 500}).t();  // threaded copy, transposed
  tensors["ones_bool_0dim"] = scalar_tensor(true, dtype(kBool));
  const std::string path = dir.file("all.safetensors");
  save_safetensors(path, tensors);
  const TensorDict loaded = load_safetensors(path);
  REQUIRE(loaded.size() == tensors.size());
  for (const auto& [name, t] : tensors) {
    INFO("tensor " << name);
    REQUIRE(loaded.count(name) == 1);
    check_identical(loaded.at(name), t);
    CHECK(loaded.at(name).is_contiguous());
    CHECK(!loaded.at(name).requires_grad());
  }
  CHECK(std::signbit(loaded.at("float64").data_ptr<double>()[1]));  // -0.0 stays negative
  CHECK(std::isnan(loaded.at("float64").data_ptr<double>()[2]));
  CHECK(loaded.at("int64").data_ptr<int64_t>()[0] == INT64_MIN);
  CHECK(loaded.at("large").index({499, 599}).item<float>() == 599 * 500 + 499);
  CHECK(load_safetensors_metadata(path).empty());
}

TEST_CASE("serialize: metadata round trips with escapes and non-ASCII text", "[serialize]") {
  TempDir dir;
  std::map<std::string, std::string> meta = kInteropMetadata;
  meta["empty"] = "";
  meta["control"] = std::string("a\x01z\t\r\x1f", 6);
  meta["key with \"quotes\""] = "{\"nested\": [1, 2]}";
  const std::string path = dir.file("meta.safetensors");
  save_safetensors(path, {{"x", ones({2})}}, meta);
  CHECK(load_safetensors_metadata(path) == meta);
  // Only metadata, no tensors: still a valid file.
  save_safetensors(path, {}, meta);
  CHECK(load_safetensors(path).empty());
  CHECK(load_safetensors_metadata(path) == meta);
  save_safetensors(path, {});
  CHECK(read_bytes(path) == st_file("{}"));
}

TEST_CASE("serialize: the bytes on disk follow the format exactly", "[serialize]") {
  TempDir dir;
  const std::string path = dir.file("tiny.safetensors");
  save_safetensors(path, {{"b", tensor({1, 2}, dtype(kInt32))}, {"a", tensor({-1.5}, dtype(kDouble))}}, {{"k", "v"}});
  const std::string expected_header =
      "{\"__metadata__\":{\"k\":\"v\"},\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]},"
      "\"b\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[8,16]}}";
  double a = -1.5;
  const int32_t b[2] = {1, 2};
  const std::string data =
      std::string(reinterpret_cast<const char*>(&a), 8) + std::string(reinterpret_cast<const char*>(b), 8);
  const std::string bytes = read_bytes(path);
  CHECK(bytes == st_file(expected_header, data));
  CHECK((bytes.size() - data.size()) % 8 == 0);  // data starts 8-byte aligned
}

TEST_CASE("serialize: loaded tensors are copy-on-write views of the file and outlive the dict", "[serialize]") {
  TempDir dir;
  const std::string path = dir.file("cow.safetensors");
  save_safetensors(path, {{"w", arange(6, dtype(kFloat))}, {"v", ones({3}, dtype(kDouble))}});
  const std::string before = read_bytes(path);
  Tensor w;
  {
    TensorDict d = load_safetensors(path);
    w = d.at("w");
  }
  w.mul_(10);  // writes into the private mapping only
  CHECK(w.index({5}).item<float>() == 50.f);
  CHECK(read_bytes(path) == before);
  CHECK(load_safetensors(path).at("w").index({5}).item<float>() == 5.f);
  // Replacing the file (by rename) leaves the mapped tensor intact.
  save_safetensors(path, {{"w", zeros({6})}});
  CHECK(w.index({5}).item<float>() == 50.f);
  CHECK(w.sum().item<float>() == 150.f);
  // Usable in autograd like any tensor.
  Tensor p = load_safetensors(path).at("w").requires_grad_(true);
  (p * 2).sum().backward();
  CHECK(equal(p.grad(), full({6}, 2.0)));
}

TEST_CASE("serialize: saving is atomic and leaves no temporary files", "[serialize][threads]") {
  TempDir dir;
  const std::string path = dir.file("model.safetensors");
  save_safetensors(path, {{"v", full({4}, 1.0)}});
  save_safetensors(path, {{"v", full({4}, 2.0)}});
  CHECK(load_safetensors(path).at("v").index({0}).item<float>() == 2.f);
  CHECK(dir.entries() == std::vector<std::string>{"model.safetensors"});
  // A save that fails keeps the previous file and cleans up.
  CHECK_THROWS_WITH(save_safetensors(path, {{"a", ones({2})}, {"bad", Tensor()}}), Catch::Contains("undefined"));
  CHECK_THROWS_WITH(save_safetensors(path, {{"__metadata__", ones({2})}}), Catch::Contains("reserved"));
  CHECK_THROWS_WITH(save_safetensors(path, {{"caf\xe9", ones({2})}}), Catch::Contains("not valid UTF-8"));
  CHECK_THROWS_WITH(save_safetensors(path, {{"v", ones({2})}}, {{"k", "\xff"}}), Catch::Contains("not valid UTF-8"));
  CHECK(load_safetensors(path).at("v").index({0}).item<float>() == 2.f);
  CHECK(dir.entries() == std::vector<std::string>{"model.safetensors"});
  const std::string missing = dir.file("no/such/dir/x.safetensors");
  CHECK_THROWS_WITH(save_safetensors(missing, {{"v", ones({1})}}),
                    Catch::StartsWith("wick::save_safetensors") && Catch::Contains("no/such/dir"));
  // Concurrent writers of one path: the result is always one whole file, never a mix.
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int k = 0; k < 4; ++k)
    threads.emplace_back([&, k] {
      try {
        for (int i = 0; i < 10; ++i)
          save_safetensors(path, {{"v", full({1000}, double(k))}}, {{"k", std::to_string(k)}});
      } catch (...) {
        ++failures;
      }
    });
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
  const TensorDict d = load_safetensors(path);
  const int k = std::stoi(load_safetensors_metadata(path).at("k"));
  CHECK(equal(d.at("v"), full({1000}, double(k))));
  CHECK(dir.entries() == std::vector<std::string>{"model.safetensors"});
}

TEST_CASE("serialize: PyTorch-written files load value by value", "[serialize][interop]") {
  for (const char* file : {"serialize_interop.safetensors", "serialize_unaligned.safetensors"}) {
    INFO(file);
    const std::string path = std::string(WICK_FIXTURES_DIR) + "/" + file;
    const TensorDict d = load_safetensors(path);
    CHECK(d.size() == 10);
    check_identical(d.at("bool"), tensor({{true, false}, {false, true}}));
    check_identical(d.at("uint8"), tensor(std::vector<uint8_t>{0, 1, 127, 128, 255}));
    check_identical(d.at("int32"), tensor(std::vector<int64_t>{INT32_MIN, -1, 0, 1, INT32_MAX}).to(kInt32));
    check_identical(d.at("int64"), tensor(std::vector<int64_t>{INT64_MIN, -1, 0, 1, INT64_MAX}));
    check_identical(d.at("float16"), half_bits({0.5f, -2.0f, 65504.0f, std::ldexp(1.0f, -24), INFINITY, -0.0f}, kHalf));
    check_identical(
        d.at("bfloat16"),
        half_bits({1.0f, -0.0078125f, 3.3895313892515355e38f, std::ldexp(1.0f, -133), -INFINITY}, kBFloat16));
    const std::vector<double> f32 = to_doubles(d.at("float32"));
    CHECK(d.at("float32").dtype() == kFloat);
    CHECK(IntArrayRef(d.at("float32").sizes()).equals({2, 3, 4}));
    for (size_t i = 0; i < 24; ++i) CHECK(f32[i] == double(i) / 8 - 1);
    const Tensor f64 = d.at("float64");
    REQUIRE(f64.numel() == 6);
    const double* p = f64.data_ptr<double>();
    CHECK(p[0] == M_PI);
    CHECK((p[1] == 0 && std::signbit(p[1])));
    CHECK(std::isnan(p[2]));
    CHECK(p[3] == -INFINITY);
    CHECK(p[4] == 1e-310);
    CHECK(p[5] == 1.7976931348623157e308);
    CHECK(d.at("scalar").dim() == 0);
    CHECK(d.at("scalar").item<double>() == 2.5);
    CHECK(IntArrayRef(d.at("empty").sizes()).equals({0, 3}));
    const auto meta = load_safetensors_metadata(path);
    CHECK(meta.at("format") == "pt");
    CHECK(meta.at("text") ==
          "quote \" backslash \\ newline \n tab \t unicode \u00e9\u2713 emoji \U0001F600");  // \u escapes decoded
  }
}

TEST_CASE("serialize: PyTorch reads wick-written files (tools/check_safetensors.py)", "[serialize][interop]") {
  const std::string script = std::string(WICK_FIXTURES_DIR) + "/../../tools/check_safetensors.py";
  if (access("/usr/bin/python3", X_OK) != 0) {
    WARN("skipped: no /usr/bin/python3");
    return;
  }
  TempDir dir;
  const std::string path = dir.file("from_wick.safetensors");
  save_safetensors(path, interop_tensors(), kInteropMetadata);
  const std::string log = dir.file("check.log");
  const int status = std::system(("/usr/bin/python3 '" + script + "' '" + path + "' > '" + log + "' 2>&1").c_str());
  INFO(read_bytes(log));
  REQUIRE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 77) {
    WARN("skipped: " << read_bytes(log));
    return;
  }
  CHECK(WEXITSTATUS(status) == 0);
  // The checker must be able to fail: a file with one value changed is rejected.
  TensorDict changed = interop_tensors();
  changed["int64"] = tensor(std::vector<int64_t>{INT64_MIN, -1, 0, 2, INT64_MAX});
  save_safetensors(path, changed, kInteropMetadata);
  const int bad = std::system(("/usr/bin/python3 '" + script + "' '" + path + "' > '" + log + "' 2>&1").c_str());
  CHECK(WEXITSTATUS(bad) == 1);
  CHECK(read_bytes(log).find("int64") != std::string::npos);
}

TEST_CASE("serialize: malformed files throw wick::Error naming the file and the problem", "[serialize][errors]") {
  TempDir dir(/*in_memory=*/true);
  const std::string f4(4, '\0'), f8(8, '\0');
  std::string dims65 = "1";
  for (int i = 1; i < 65; ++i) dims65 += ",1";
  const std::string one = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
  struct Bad {
    const char* what;
    std::string bytes;
    const char* phrase;
  };
  const std::vector<Bad> cases = {
      {"empty file", "", "truncated"},
      {"3 bytes", "\x01\x00\x00", "truncated"},
      {"huge header length", le64(uint64_t(1) << 40) + "{}", "100 MB"},
      {"header past EOF", le64(100) + "{\"a\":1}", "truncated"},
      {"truncated JSON", st_file("{\"a\":"), "malformed header"},
      {"not an object", st_file("[1,2]"), "not a JSON object"},
      {"null header", st_file("null"), "not a JSON object"},
      {"trailing garbage", st_file("{} x"), "trailing characters"},
      {"unknown dtype", st_file("{\"a\":{\"dtype\":\"I16\",\"shape\":[1],\"data_offsets\":[0,2]}}", "xx"),
       "unsupported dtype 'I16'"},
      {"fp8 dtype", st_file("{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}}", "x"),
       "unsupported dtype"},
      {"dtype not a string", st_file("{\"a\":{\"dtype\":7,\"shape\":[1],\"data_offsets\":[0,4]}}", f4), "not a string"},
      {"entry not an object", st_file("{\"a\":5}"), "is not an object"},
      {"missing offsets", st_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", f4),
       "needs dtype, shape and data_offsets"},
      {"negative dim", st_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", f4), "shape entry"},
      {"fractional dim", st_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", f4),
       "shape entry"},
      {"shape not an array", st_file("{\"a\":{\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]}}", f4),
       "not an array"},
      {"65 dims", st_file("{\"a\":{\"dtype\":\"U8\",\"shape\":[" + dims65 + "],\"data_offsets\":[0,1]}}", "x"),
       "65 dims"},
      {"impossible shape",
       st_file("{\"a\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", f8),
       "impossibly large"},
      {"offsets reversed", st_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", f4),
       "bad data_offsets"},
      {"offsets one number", st_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4]}}", f4),
       "data_offsets [begin, end]"},
      {"offsets past the data", st_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", f8),
       "past the end"},
      {"size mismatch", st_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", f8), "need 12"},
      {"overlap",
       st_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
               "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
               f8 + f4),
       "overlap"},
      {"gap",
       st_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
               "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
               f8 + f4),
       "unused bytes"},
      {"trailing data", st_file(one, f8), "after the last tensor"},
      {"duplicate name",
       st_file("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
               "\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}",
               "xy"),
       "twice"},
      {"metadata not strings", st_file("{\"__metadata__\":{\"k\":1}}"), "not a string"},
      {"metadata not an object", st_file("{\"__metadata__\":[\"k\"]}"), "__metadata__ must be"},
      {"bool byte 2",
       st_file("{\"a\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[0,2]}}", std::string("\x01\x02", 2)),
       "bools must be 0 or 1"},
      {"control character", st_file("{\"a\x01\":1}"), "control character"},
      {"unknown escape", st_file("{\"\\q\":1}"), "unknown escape"},
      {"lone surrogate", st_file("{\"\\ud800\":1}"), "surrogate"},
      {"unterminated string", st_file("{\"abc"), "unterminated string"},
      {"leading zero", st_file("{\"a\":[01]}"), "malformed header"},
      {"integer overflow",
       st_file("{\"a\":{\"dtype\":\"U8\",\"shape\":[99999999999999999999],\"data_offsets\":[0,1]}}", "x"),
       "out of range"},
      {"deep nesting", st_file(std::string(5000, '[') + std::string(5000, ']')), "nesting too deep"},
      {"invalid UTF-8", st_file("{\"__metadata__\":{\"k\":\"\xff\"}}"), "invalid UTF-8"},
      {"overlong UTF-8", st_file("{\"__metadata__\":{\"k\":\"\xc0\xaf\"}}"), "invalid UTF-8"},
      {"UTF-8 surrogate", st_file("{\"__metadata__\":{\"k\":\"\xed\xa0\x80\"}}"), "invalid UTF-8"},
      {"truncated UTF-8", st_file("{\"__metadata__\":{\"k\":\"\xe2\x9c\"}}"), "invalid UTF-8"},
  };
  for (const Bad& c : cases) {
    INFO(c.what);
    const std::string path = dir.file("bad.safetensors");
    write_bytes(path, c.bytes);
    const std::string msg = error_of([&] { load_safetensors(path); });
    INFO("message: " << msg);
    CHECK(msg.rfind("wick::load_safetensors: ", 0) == 0);
    CHECK(msg.find(path) != std::string::npos);
    CHECK(msg.find(c.phrase) != std::string::npos);
    CHECK(error_of([&] { load_safetensors_metadata(path); }).rfind("wick::load_safetensors_metadata: ", 0) == 0);
  }
  const std::string missing = dir.file("missing.safetensors");
  CHECK_THROWS_WITH(load_safetensors(missing), Catch::Contains("cannot open") && Catch::Contains(missing));
  CHECK_THROWS_WITH(load_safetensors(dir.path.string()), Catch::Contains("not a regular file"));
}

TEST_CASE("serialize: every truncation of a valid file throws wick::Error", "[serialize][errors]") {
  TempDir dir(/*in_memory=*/true);
  const std::string good = dir.file("good.safetensors");
  save_safetensors(good,
                   {{"a", arange(5, dtype(kFloat))},
                    {"b", tensor({true, false})},
                    {"c", zeros({0, 2})},
                    {"d", scalar_tensor(7, dtype(kInt64))}},
                   {{"note", "x"}});
  const std::string bytes = read_bytes(good);
  REQUIRE(load_safetensors(good).size() == 4);
  const std::string path = dir.file("cut.safetensors");
  int thrown = 0;
  for (size_t n = 0; n < bytes.size(); ++n) {
    write_bytes(path, bytes.substr(0, n));
    const std::string msg = error_of([&] { load_safetensors(path); });
    INFO("prefix of " << n << " bytes: " << msg);
    CHECK(msg.rfind("wick::load_safetensors: ", 0) == 0);
    CHECK(msg.find(path) != std::string::npos);
    thrown += msg.rfind("wick::", 0) == 0;
  }
  CHECK(thrown == int(bytes.size()));
  write_bytes(path, bytes + "!");  // one byte too many
  CHECK_THROWS_WITH(load_safetensors(path), Catch::Contains("after the last tensor"));
}

TEST_CASE("serialize: corrupted headers load or throw wick::Error, never crash", "[serialize][errors]") {
  TempDir dir(/*in_memory=*/true);
  const std::string good = dir.file("good.safetensors");
  save_safetensors(good, {{"a", arange(4, dtype(kFloat))}, {"m", tensor({true, false, true})}}, {{"k", "v"}});
  const std::string bytes = read_bytes(good);
  uint64_t header_len = 0;
  std::memcpy(&header_len, bytes.data(), 8);
  const std::string path = dir.file("corrupt.safetensors");
  const char replacements[] = {'"', '{', '}', '[', ']', ',', ':', '0', '9', '-', 'x', '\\', '\0', '\xff', ' '};
  int loaded = 0, rejected = 0, other = 0;
  for (size_t i = 0; i < 8 + header_len + 8; ++i)
    for (char r : replacements) {
      std::string b = bytes;
      if (i >= b.size() || b[i] == r) continue;
      b[i] = r;
      write_bytes(path, b);
      try {
        const TensorDict d = load_safetensors(path);
        for (const auto& [name, t] : d) (void)to_doubles(t);  // touch every element
        ++loaded;
      } catch (const Error&) {
        ++rejected;
      } catch (...) {
        ++other;
      }
    }
  CHECK(other == 0);
  CHECK(rejected > 100);
  CHECK(loaded > 0);  // e.g. a digit changed inside a metadata string
}

TEST_CASE("serialize: save and load of a tensor or a list of tensors, as LibTorch's", "[serialize]") {
  TempDir dir;
  manual_seed(4);
  const Tensor weights = randn({3, 4}).t().requires_grad_();  // a view, requiring grad
  const Tensor counts = arange(6).reshape({2, 3});
  save(weights, dir.file("w.pt"));
  Tensor loaded;
  load(loaded, dir.file("w.pt"));
  CHECK(loaded.sizes() == IntArrayRef{4, 3});
  CHECK(loaded.dtype() == kFloat);
  CHECK(equal(loaded, weights.detach()));
  CHECK(loaded.requires_grad());
  CHECK(loaded.is_leaf());

  const std::vector<Tensor> list = {counts, tensor({true, false}), weights.detach().to(kBFloat16)};
  save(list, dir.file("list.pt"));
  std::vector<Tensor> back = {zeros({1})};
  load(back, dir.file("list.pt"), Device(kCPU));
  REQUIRE(back.size() == 3);
  for (size_t i = 0; i < list.size(); ++i) {
    INFO("tensor " << i);
    CHECK(back[i].dtype() == list[i].dtype());
    CHECK(equal(back[i], list[i]));
    CHECK(!back[i].requires_grad());
  }
  nn::Linear linear(4, 2);  // a module's file, for the error below
  save(linear, dir.file("linear.pt"));

  // A file of another kind, or none, is an error that says what the file holds.
  CHECK_THROWS_WITH(load(loaded, dir.file("list.pt")), Catch::Contains("holds a tensor list, not a tensor"));
  CHECK_THROWS_WITH(load(back, dir.file("w.pt")), Catch::Contains("holds a tensor, not a tensor list"));
  CHECK_THROWS_WITH(load(loaded, dir.file("linear.pt")), Catch::Contains("holds a module, not a tensor"));
  save_safetensors(dir.file("plain.safetensors"), {{"x", ones({2})}});
  CHECK_THROWS_WITH(load(loaded, dir.file("plain.safetensors")), Catch::Contains("no kind wick::save writes"));
  CHECK_THROWS_WITH(load(loaded, dir.file("missing.pt")), Catch::Contains("missing.pt"));
  CHECK_THROWS_WITH(save(Tensor(), dir.file("u.pt")), Catch::Contains("undefined"));
  CHECK_THROWS_WITH(save(std::vector<Tensor>{ones({1}), Tensor()}, dir.file("u.pt")),
                    Catch::Contains("tensor 1 of the list is undefined"));
  CHECK(loaded.sizes() == IntArrayRef{4, 3});  // failed loads leave the handle alone
}
