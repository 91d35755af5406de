// A profile as Chrome's trace event format, which Perfetto and chrome://tracing open: one complete ("X") event
// per op, backward rule and user scope, timed in microseconds from the profile's start, on its thread's track.
#include <unistd.h>

#include <cstdio>
#include <ostream>

#include "atomic_file.h"
#include "profiler/session.h"
#include "wick/detail/json.h"
#include "wick/profiler.h"

namespace wick::profiler {

namespace {

// Nanoseconds as microseconds with three decimals, exactly (no float rounding: nesting stays exact).
std::string micros(int64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%03lld", static_cast<long long>(ns / 1000), static_cast<long long>(ns % 1000));
  return buf;
}

const char* category(EventKind kind) {
  switch (kind) {
    case EventKind::Op: return "cpu_op";
    case EventKind::Backward: return "backward";
    case EventKind::Scope: return "user_annotation";
  }
  return "cpu_op";
}

template <class F>
std::string json_list(const std::vector<TensorMeta>& inputs, F item) {
  std::string s = "[";
  for (size_t i = 0; i < inputs.size(); ++i) s += (i ? ", " : "") + item(inputs[i]);
  return s + "]";
}

}  // namespace

std::string Profile::chrome_trace() const {
  const std::vector<Event>& events = finished("profiler::Profile::chrome_trace");
  const std::string pid = std::to_string(::getpid());
  std::string out = "{\"traceEvents\": [\n";
  int threads = 0;
  for (const Event& e : events) threads = std::max(threads, e.thread + 1);
  for (int t = 0; t < threads; ++t)
    out += "  {\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": " + pid + ", \"tid\": " + std::to_string(t) +
           ", \"args\": {\"name\": \"wick thread " + std::to_string(t) + "\"}},\n";
  for (size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    out += "  {\"name\": " + json::quote(e.name) + ", \"cat\": \"" + category(e.kind) +
           "\", \"ph\": \"X\", \"ts\": " + micros(e.start_ns) + ", \"dur\": " + micros(e.cpu_time_ns) +
           ", \"pid\": " + pid + ", \"tid\": " + std::to_string(e.thread) + ", \"args\": {";
    out += "\"Input Dims\": " + detail::shapes_str(e.inputs);
    out += ", \"Input type\": " +
           json_list(e.inputs, [](const TensorMeta& m) { return json::quote(dtype_name(m.dtype)); });
    out +=
        ", \"Input device\": " + json_list(e.inputs, [](const TensorMeta& m) { return json::quote(m.device.str()); });
    out += ", \"CPU Mem\": " + std::to_string(e.cpu_memory_usage) +
           ", \"Self CPU Mem\": " + std::to_string(e.self_cpu_memory_usage) + "}}";
    out += i + 1 < events.size() ? ",\n" : "\n";
  }
  return out + "], \"displayTimeUnit\": \"ms\"}\n";
}

void Profile::export_chrome_trace(const std::string& path) const {
  const std::string json = chrome_trace();
  AtomicFile file(path, "profiler::Profile::export_chrome_trace");
  file.write(json.data(), json.size());
  file.commit();
}

}  // namespace wick::profiler

namespace wick::autograd::profiler {

RecordProfile::RecordProfile(std::ostream& out) : out_(&out), profile_(std::make_unique<wick::profiler::Profile>()) {}

// The temporary file is made now, so that an unwritable directory fails here rather than in the destructor.
RecordProfile::RecordProfile(const std::string& filename)
    : file_(std::make_unique<AtomicFile>(filename, "autograd::profiler::RecordProfile")),
      profile_(std::make_unique<wick::profiler::Profile>()) {}

RecordProfile::~RecordProfile() {
  profile_->stop();
  const std::string json = profile_->chrome_trace();
  if (out_) {
    *out_ << json;
    return;
  }
  try {
    file_->write(json.data(), json.size());
    file_->commit();
  } catch (const std::exception& e) {  // a destructor must not throw; the file keeps its old contents
    std::fprintf(stderr, "%s\n", e.what());
  }
}

}  // namespace wick::autograd::profiler
