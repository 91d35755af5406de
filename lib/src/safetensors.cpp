// safetensors reading (memory-mapped, fully validated before any tensor is made) and writing (crash-safe:
// atomic_file.h).
// The checks follow the reference implementation (huggingface/safetensors): tensors must tile the data
// section exactly, in offset order, with no gap, overlap or trailing byte.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "atomic_file.h"
#include "wick/detail/json.h"
#include "wick/grad_mode.h"
#include "wick/ops.h"
#include "wick/safetensors.h"

namespace wick {
namespace {

constexpr uint64_t kMaxHeader = uint64_t(100) << 20;  // the reference implementation's limit
constexpr size_t kMaxDims = 64;

const char* code_of(ScalarType t) {
  static const char* codes[] = {"BOOL", "U8", "I8", "I32", "I64", "F16", "BF16", "F32", "F64"};
  return codes[int(t)];
}

bool dtype_of(const std::string& code, ScalarType& out) {
  for (int i = 0; i < kNumScalarTypes; ++i)
    if (code == code_of(ScalarType(i))) {
      out = ScalarType(i);
      return true;
    }
  return false;
}

// A private (copy-on-write) mapping of a whole file, shared by the tensors that alias it.
struct Mapping {
  void* base = nullptr;
  size_t size = 0;
  std::atomic<int> refs{1};
  void release() {
    if (--refs == 0) {
      if (base && size) munmap(base, size);
      delete this;
    }
  }
};

// Releases the creator's reference on scope exit, thrown or not.
struct MappingRef {
  Mapping* m;
  ~MappingRef() { m->release(); }
};

Mapping* map_file(const std::string& path, const char* op) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  WICK_CHECK(fd >= 0, op, "cannot open '", path, "': ", std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    fail(op, "cannot stat '", path, "': ", std::strerror(e));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    fail(op, "'", path, "' is not a regular file");
  }
  auto* m = new Mapping;
  m->size = size_t(st.st_size);
  if (m->size > 0) {
    // Private and writable: tensors may be modified in place without touching the file.
    m->base = mmap(nullptr, m->size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (m->base == MAP_FAILED) {
      const int e = errno;
      ::close(fd);
      delete m;
      fail(op, "cannot map '", path, "': ", std::strerror(e));
    }
  }
  ::close(fd);
  return m;
}

struct Entry {
  std::string name;
  ScalarType dtype;
  SizeVec shape;
  uint64_t begin, end;
};

struct Header {
  std::vector<Entry> entries;  // in offset order
  std::map<std::string, std::string> metadata;
  uint64_t data_start = 0;
};

Header parse_header(const Mapping& m, const std::string& path, const char* op) {
  using Kind = json::Value::Kind;
  const std::string file = "'" + path + "'";
  WICK_CHECK(m.size >= 8, op, file, " is truncated: ", uint64_t(m.size),
             " bytes, shorter than the 8-byte header length");
  uint64_t n = 0;
  const auto* bytes = static_cast<const unsigned char*>(m.base);
  for (int i = 7; i >= 0; --i) n = (n << 8) | bytes[i];  // little-endian
  WICK_CHECK(n <= kMaxHeader, op, file, " declares a header of ", n,
             " bytes (more than the format's 100 MB limit; not a safetensors file?)");
  WICK_CHECK(n <= m.size - 8, op, file, " is truncated: its header needs ", n, " bytes but only ", uint64_t(m.size - 8),
             " follow the length");
  const std::string_view text(reinterpret_cast<const char*>(bytes + 8), size_t(n));
  size_t bad = 0;
  WICK_CHECK(json::valid_utf8(text, &bad), op, file, ": malformed header: invalid UTF-8 at byte ", uint64_t(bad));
  const json::Value root = json::parse(text, op, file);
  WICK_CHECK(root.kind == Kind::Object, op, file, ": the header is not a JSON object");
  Header h;
  h.data_start = 8 + n;
  const uint64_t data_size = m.size - h.data_start;
  std::map<std::string_view, int> seen;
  for (const auto& [name, v] : root.object) {
    WICK_CHECK(seen.emplace(name, 0).second, op, file, ": the header names '", name, "' twice");
    if (name == "__metadata__") {
      if (v.kind == Kind::Null) continue;
      WICK_CHECK(v.kind == Kind::Object, op, file, ": __metadata__ must be an object of strings");
      for (const auto& [k, s] : v.object) {
        WICK_CHECK(s.kind == Kind::String, op, file, ": metadata value '", k, "' is not a string");
        WICK_CHECK(h.metadata.emplace(k, s.string).second, op, file, ": metadata key '", k, "' appears twice");
      }
      continue;
    }
    WICK_CHECK(v.kind == Kind::Object, op, file, ": entry '", name, "' is not an object");
    const json::Value* dt = v.find("dtype");
    const json::Value* shape = v.find("shape");
    const json::Value* offsets = v.find("data_offsets");
    WICK_CHECK(dt && shape && offsets, op, file, ": entry '", name, "' needs dtype, shape and data_offsets");
    Entry e;
    e.name = name;
    WICK_CHECK(dt->kind == Kind::String, op, file, ": entry '", name, "' has a dtype that is not a string");
    WICK_CHECK(dtype_of(dt->string, e.dtype), op, file, ": entry '", name, "' has unsupported dtype '", dt->string,
               "' (wick reads BOOL, U8, I32, I64, F16, BF16, F32, F64)");
    WICK_CHECK(shape->kind == Kind::Array, op, file, ": entry '", name, "' has a shape that is not an array");
    WICK_CHECK(shape->array.size() <= kMaxDims, op, file, ": entry '", name, "' has ", uint64_t(shape->array.size()),
               " dims (at most ", uint64_t(kMaxDims), " are supported)");
    uint64_t numel = 1;
    for (const json::Value& d : shape->array) {
      WICK_CHECK(d.kind == Kind::Integer && d.integer >= 0, op, file, ": entry '", name,
                 "' has a shape entry that is not a non-negative integer");
      WICK_CHECK(!__builtin_mul_overflow(numel, uint64_t(d.integer), &numel), op, file, ": entry '", name,
                 "' has an impossibly large shape");
      e.shape.push_back(d.integer);
    }
    uint64_t nbytes = 0;
    WICK_CHECK(
        !__builtin_mul_overflow(numel, uint64_t(element_size(e.dtype)), &nbytes) && nbytes <= (uint64_t(1) << 62), op,
        file, ": entry '", name, "' has an impossibly large shape");
    WICK_CHECK(offsets->kind == Kind::Array && offsets->array.size() == 2 && offsets->array[0].kind == Kind::Integer &&
                   offsets->array[1].kind == Kind::Integer,
               op, file, ": entry '", name, "' needs data_offsets [begin, end] (two integers)");
    const int64_t b = offsets->array[0].integer, en = offsets->array[1].integer;
    WICK_CHECK(b >= 0 && en >= b, op, file, ": entry '", name, "' has bad data_offsets [", b, ", ", en, "]");
    WICK_CHECK(uint64_t(en) <= data_size, op, file, ": entry '", name, "' has data_offsets [", b, ", ", en,
               "] past the end of the ", data_size, " bytes of data (truncated file?)");
    e.begin = uint64_t(b);
    e.end = uint64_t(en);
    WICK_CHECK(e.end - e.begin == nbytes, op, file, ": entry '", name, "' holds ", e.end - e.begin,
               " bytes but its shape ", shape_str(e.shape), " and dtype ", dt->string, " need ", nbytes);
    h.entries.push_back(std::move(e));
  }
  // The tensors must tile the data section: each byte belongs to exactly one tensor.
  std::stable_sort(h.entries.begin(), h.entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t at = 0;
  const Entry* prev = nullptr;
  for (const Entry& e : h.entries) {
    WICK_CHECK(e.begin >= at, op, file, ": entries '", prev ? prev->name : "", "' and '", e.name, "' overlap (bytes ",
               e.begin, " to ", at, ")");
    WICK_CHECK(e.begin == at, op, file, ": ", e.begin - at, " unused bytes before entry '", e.name, "' (offset ", at,
               ")");
    at = e.end;
    prev = &e;
  }
  WICK_CHECK(at == data_size, op, file, ": ", data_size - at, " bytes of data after the last tensor (the header",
             " accounts for ", at, " of ", data_size, ")");
  // A bool byte other than 0 or 1 is not a value C++ (or PyTorch) can hold.
  const unsigned char* data = bytes + h.data_start;
  for (const Entry& e : h.entries)
    if (e.dtype == kBool)
      for (uint64_t i = e.begin; i < e.end; ++i)
        WICK_CHECK(data[i] <= 1, op, file, ": entry '", e.name, "' (BOOL) holds byte ", unsigned(data[i]),
                   " at element ", i - e.begin, "; bools must be 0 or 1");
  return h;
}

}  // namespace

TensorDict load_safetensors(const std::string& path) {
  const char* op = "load_safetensors";
  MappingRef ref{map_file(path, op)};
  Mapping* m = ref.m;
  const Header h = parse_header(*m, path, op);
  TensorDict out;
  char* data = static_cast<char*>(m->base) + h.data_start;
  for (const Entry& e : h.entries) {
    char* p = data + e.begin;
    const bool aligned = reinterpret_cast<uintptr_t>(p) % uintptr_t(element_size(e.dtype)) == 0;
    if (aligned && e.end > e.begin) {
      ++m->refs;  // the tensor's storage holds one reference, dropped by its deleter
      try {
        out[e.name] = detail::from_blob_with_deleter(
            p, e.shape, [](void*, void* mapping) { static_cast<Mapping*>(mapping)->release(); }, m, dtype(e.dtype));
      } catch (...) {
        m->release();
        throw;
      }
    } else {
      // Misaligned data (the format allows it) or an empty tensor: copy into memory of our own.
      Tensor t = empty(e.shape, dtype(e.dtype));
      if (t.nbytes()) std::memcpy(t.data_ptr(), p, t.nbytes());
      out[e.name] = t;
    }
  }
  return out;
}

std::map<std::string, std::string> load_safetensors_metadata(const std::string& path) {
  MappingRef ref{map_file(path, "load_safetensors_metadata")};
  return parse_header(*ref.m, path, "load_safetensors_metadata").metadata;
}

void save_safetensors(const std::string& path, const TensorDict& tensors,
                      const std::map<std::string, std::string>& metadata) {
  const char* op = "save_safetensors";
  NoGradGuard no_grad;
  std::vector<Tensor> host;
  std::string header = "{";
  uint64_t offset = 0;
  // The reference reader requires a UTF-8 header: refuse names it could not read back.
  auto check_utf8 = [&](const std::string& s, const char* what) {
    WICK_CHECK(json::valid_utf8(s), op, what, " '", s, "' is not valid UTF-8");
  };
  if (!metadata.empty()) {
    header += "\"__metadata__\":{";
    bool first = true;
    for (const auto& [k, v] : metadata) {
      check_utf8(k, "metadata key");
      check_utf8(v, "metadata value");
      if (!first) header += ',';
      header += json::quote(k);
      header += ':';
      header += json::quote(v);
      first = false;
    }
    header += "}";
  }
  for (const auto& [name, t] : tensors) {
    WICK_CHECK(t.defined(), op, "tensor '", name, "' is undefined");
    WICK_CHECK(name != "__metadata__", op, "'__metadata__' is reserved and cannot name a tensor");
    check_utf8(name, "tensor name");
    Tensor h = t.detach().to(kCPU).contiguous();
    const uint64_t bytes = h.nbytes();
    if (header.size() > 1) header += ",";
    header += json::quote(name);
    header += ":{\"dtype\":\"";
    header += code_of(h.dtype());
    header += "\",\"shape\":[";
    for (int64_t d = 0; d < h.dim(); ++d) {
      if (d) header += ',';
      header += std::to_string(h.size(d));
    }
    header += "],\"data_offsets\":[";
    header += std::to_string(offset);
    header += ',';
    header += std::to_string(offset + bytes);
    header += "]}";
    offset += bytes;
    host.push_back(h);
  }
  header += "}";
  while (header.size() % 8) header += ' ';  // keeps the data 8-byte aligned, so loads can map in place
  WICK_CHECK(header.size() <= kMaxHeader, op, "the header for '", path, "' would be ", uint64_t(header.size()),
             " bytes, more than the format's 100 MB limit");

  AtomicFile file(path, op);
  unsigned char len[8];
  const uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>(n >> (8 * i));
  file.write(len, 8);
  file.write(header.data(), header.size());
  for (const Tensor& h : host)
    if (h.nbytes()) file.write(h.data_ptr(), h.nbytes());
  file.commit();
}

}  // namespace wick
