// wick::profiler: where a program's time and memory go, op by op, as PyTorch's torch.profiler reports it.
//
//   wick::profiler::Profile prof;                   // records from here on, on this thread
//   {
//     wick::profiler::Scope s("data loading");      // a user scope: a row and a trace slice of its own
//     batch = next_batch();
//   }
//   model->forward(batch.data).sum().backward();
//   prof.stop();
//   std::cout << prof.key_averages().table("self_cpu_time_total", 10);
//   prof.export_chrome_trace("trace.json");       // open in Perfetto or chrome://tracing
//
// Every public op is an event (its name, the shapes, dtypes and devices of its tensor inputs, its time and the
// CPU tensor memory it allocated net of what it freed), and so is each backward rule the engine runs, under
// LibTorch's node name (MulBackward0). Events nest: an op that calls other ops (sub via add, linear via
// matmul) is their parent, and its self time excludes theirs. A profile records the thread that started it,
// as the tape is per thread; ProfileOptions().all_threads(true) records every thread into buffers of their own,
// merged when the profile stops. While no profile runs, an op pays one relaxed atomic load.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wick/device.h"
#include "wick/dtype.h"
#include "wick/shape.h"

namespace wick {

class AtomicFile;

namespace profiler {

enum class EventKind : uint8_t {
  Op,        // a public op: "add", "linear", ...
  Backward,  // a backward rule run by the engine, named as LibTorch's node: "MulBackward0"
  Scope,     // a profiler::Scope
};

// A tensor input of an op, as it was when the op began (undefined optional inputs are left out).
struct TensorMeta {
  SizeVec sizes;
  ScalarType dtype = ScalarType::Float;
  Device device;
};

struct Event {
  std::string name;
  EventKind kind = EventKind::Op;
  int thread = 0;                     // 0: the thread that started the profile; others numbered as they appear
  int depth = 0;                      // 0 at the top of its thread
  int64_t parent = -1;                // index in Profile::events() of the enclosing event, -1 at the top
  int64_t start_ns = 0;               // since the profile began
  int64_t cpu_time_ns = 0;            // wall time on its thread, children included (PyTorch's cpu_time_total)
  int64_t self_cpu_time_ns = 0;       // minus its children's
  int64_t cpu_memory_usage = 0;       // CPU tensor bytes allocated minus freed on its thread, children included
  int64_t self_cpu_memory_usage = 0;  // minus its children's
  std::vector<TensorMeta> inputs;     // empty when the profile does not record shapes
  int64_t end_ns() const { return start_ns + cpu_time_ns; }
};

// One row of key_averages(): the events of one name (and, if grouped so, one list of input shapes).
struct KeyAverage {
  std::string key;
  std::string input_shapes;  // "[[64, 784], [10, 784], [10]]" when grouped by input shape, else empty
  int64_t count = 0;
  int64_t self_cpu_time_total_ns = 0;
  int64_t cpu_time_total_ns = 0;
  int64_t cpu_memory_usage = 0;
  int64_t self_cpu_memory_usage = 0;
  double cpu_time_avg_ns() const { return count ? double(cpu_time_total_ns) / double(count) : 0.0; }
};

class KeyAverages {
 public:
  KeyAverages(std::vector<KeyAverage> rows, bool grouped_by_input_shape)
      : rows_(std::move(rows)), by_shape_(grouped_by_input_shape) {}
  // PyTorch's table: Name, Self CPU %, Self CPU, CPU total %, CPU total, CPU time avg, CPU Mem, Self CPU Mem,
  // # of Calls (and Input Shapes when grouped by them), sorted by `sort_by` descending: "self_cpu_time_total",
  // "cpu_time_total", "cpu_time" (the average), "self_cpu_memory_usage", "cpu_memory_usage" or "count". The
  // first `row_limit` rows (all if <= 0); the percentages and the footer's total count every row.
  std::string table(std::string_view sort_by = "self_cpu_time_total", int64_t row_limit = 100) const;
  const std::vector<KeyAverage>& rows() const { return rows_; }
  const KeyAverage* find(std::string_view key) const;  // the first row of that name, or nullptr
  int64_t self_cpu_time_total_ns() const;              // the sum over all rows (the table's footer)

 private:
  std::vector<KeyAverage> rows_;
  bool by_shape_;
};

struct ProfileOptions {
  // The shapes, dtypes and devices of each op's tensor inputs (the Input Shapes column, the trace's args).
  ProfileOptions& record_shapes(bool on) {
    record_shapes_ = on;
    return *this;
  }
  // Every thread's ops, not only the starting thread's (data loader workers, threads of your own). One such
  // profile at a time, and none while a per-thread profile runs.
  ProfileOptions& all_threads(bool on) {
    all_threads_ = on;
    return *this;
  }
  bool record_shapes_ = true;
  bool all_threads_ = false;
};

namespace detail {
struct Session;
}

class Profile {
 public:
  explicit Profile(ProfileOptions options = {});
  ~Profile();  // stops, if still running
  Profile(const Profile&) = delete;
  Profile& operator=(const Profile&) = delete;

  void stop();  // ends recording; later calls do nothing
  bool running() const { return session_ != nullptr; }

  // After stop() (before it, they throw): every event, each thread's in the order they began, threads in order.
  const std::vector<Event>& events() const;
  KeyAverages key_averages(bool group_by_input_shape = false) const;
  // Chrome's trace event format ({"traceEvents": [...]}, complete "X" events, microseconds), written to a
  // temporary file renamed over `path`: a reader sees the old file or the whole new one.
  void export_chrome_trace(const std::string& path) const;
  std::string chrome_trace() const;  // the same JSON as a string

 private:
  const std::vector<Event>& finished(const char* op) const;
  std::unique_ptr<detail::Session> session_;
  std::vector<Event> events_;
};

// A user scope: an event named `name` from construction to destruction, parent of the ops inside it.
class Scope {
 public:
  explicit Scope(std::string_view name);
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  int32_t slot_ = -1;
  uint32_t epoch_ = 0;
};

}  // namespace profiler

// LibTorch's RecordProfile (torch/csrc/autograd/profiler.h): profiles its lifetime and writes the Chrome trace
// when it ends, to a stream or to a file (atomically; an unwritable directory throws at construction).
namespace autograd::profiler {
class RecordProfile {
 public:
  explicit RecordProfile(std::ostream& out);
  explicit RecordProfile(const std::string& filename);
  ~RecordProfile();
  RecordProfile(const RecordProfile&) = delete;
  RecordProfile& operator=(const RecordProfile&) = delete;

 private:
  std::unique_ptr<AtomicFile> file_;
  std::ostream* out_ = nullptr;
  std::unique_ptr<wick::profiler::Profile> profile_;
};
}  // namespace autograd::profiler

}  // namespace wick
