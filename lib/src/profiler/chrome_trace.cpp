// A profile as Chrome's trace event format, which Perfetto and chrome://tracing open: one complete ("X") event
// per op, backward rule and user scope, timed in microseconds from the profile's start, on its thread's track.
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ostream>
#include <string_view>

#include "atomic_file.h"
#include "profiler/session.h"
#include "wick/detail/json.h"
#include "wick/profiler.h"

namespace wick::profiler {

namespace {

const char* category(EventKind kind) {
  switch (kind) {
    case EventKind::Op: return "cpu_op";
    case EventKind::Backward: return "backward";
    case EventKind::Scope: return "user_annotation";
  }
  return "cpu_op";
}

// Appends without temporaries: a trace has an event per op, so this is what exporting costs.
class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}
  Writer& operator<<(std::string_view s) {
    out_ += s;
    return *this;
  }
  Writer& operator<<(int64_t v) {
    char buf[24];
    out_.append(buf, size_t(std::to_chars(buf, buf + sizeof buf, v).ptr - buf));
    return *this;
  }
  // Nanoseconds as microseconds with three decimals, exactly (no float rounding: nesting stays exact).
  Writer& micros(int64_t ns) {
    *this << ns / 1000;
    const auto frac = int(ns % 1000);
    const char digits[4] = {'.', char('0' + frac / 100), char('0' + frac / 10 % 10), char('0' + frac % 10)};
    out_.append(digits, 4);
    return *this;
  }
  Writer& quoted(std::string_view s) {
    const bool plain = std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c != '"' && c != '\\'; });
    if (plain)
      out_.append("\"").append(s).append("\"");
    else
      out_ += json::quote(s);
    return *this;
  }
  template <class F>
  Writer& list(const std::vector<TensorMeta>& inputs, F item) {
    out_ += '[';
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (i) out_ += ", ";
      item(inputs[i]);
    }
    out_ += ']';
    return *this;
  }

 private:
  std::string& out_;
};

}  // namespace

std::string Profile::chrome_trace() const {
  const std::vector<Event>& events = finished("profiler::Profile::chrome_trace");
  const auto pid = int64_t(::getpid());
  std::string out;
  out.reserve(300 * events.size() + 100);
  Writer w(out);
  w << "{\"traceEvents\": [\n";
  int threads = 0;
  for (const Event& e : events) threads = std::max(threads, e.thread + 1);
  for (int t = 0; t < threads; ++t)
    w << "  {\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": " << pid << ", \"tid\": " << int64_t(t)
      << ", \"args\": {\"name\": \"wick thread " << int64_t(t) << "\"}},\n";
  for (size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    w << "  {\"name\": ";
    w.quoted(e.name) << ", \"cat\": \"" << category(e.kind) << "\", \"ph\": \"X\", \"ts\": ";
    w.micros(e.start_ns) << ", \"dur\": ";
    w.micros(e.cpu_time_ns) << ", \"pid\": " << pid << ", \"tid\": " << int64_t(e.thread) << ", \"args\": {";
    w << "\"Input Dims\": " << detail::shapes_str(e.inputs) << ", \"Input type\": ";
    w.list(e.inputs, [&](const TensorMeta& m) { w << "\"" << dtype_name(m.dtype) << "\""; });
    w << ", \"Input device\": ";
    w.list(e.inputs, [&](const TensorMeta& m) { w.quoted(m.device.is_cpu() ? std::string("cpu") : m.device.str()); });
    w << ", \"CPU Mem\": " << e.cpu_memory_usage << ", \"Self CPU Mem\": " << e.self_cpu_memory_usage << "}}"
      << (i + 1 < events.size() ? ",\n" : "\n");
  }
  w << "], \"displayTimeUnit\": \"ms\"}\n";
  return out;
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
