// Recording: each thread writes its events into a buffer of its own (no shared lock on the op path), and a
// profile collects the buffers it owns when it stops. A buffer belongs to one profile at a time, told by its
// epoch (the profile's serial): a thread that meets a newer profile starts its buffer afresh, and an op that
// ends after its profile stopped finds the epoch changed and records nothing.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "profiler/session.h"
#include "wick/detail/op_scope.h"
#include "wick/detail/per_thread.h"
#include "wick/detail/record.h"
#include "wick/error.h"

namespace wick::profiler::detail {

std::atomic<int> g_running{0};

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

namespace {

std::atomic<uint32_t> g_next_serial{1};
std::atomic<uint32_t> g_all_threads_serial{0};  // the all-threads profile running now; 0: none
std::atomic<bool> g_all_threads_shapes{true};
std::atomic<int> g_next_thread{1};  // numbers of the threads an all-threads profile meets (its starter is 0)

// Taken by the owning thread around each event, and by a stopping profile: uncontended but for that moment.
class SpinLock {
 public:
  void lock() {
    while (flag_.test_and_set(std::memory_order_acquire)) {}
  }
  void unlock() { flag_.clear(std::memory_order_release); }

 private:
  std::atomic_flag flag_ = ATOMIC_FLAG_INIT;
};

struct ThreadBuffer {
  SpinLock lock;
  uint32_t epoch = 0;       // the profile `data` belongs to; 0: none
  uint32_t own_serial = 0;  // the per-thread profile started on this thread; 0: none
  bool own_shapes = true;
  bool shapes = true;  // whether the epoch's profile records input shapes
  int32_t open = -1;   // innermost unfinished event
  // Only this thread writes it; a stopping profile reads it.
  std::atomic<int64_t> net_bytes{0};
  ThreadEvents data;
  size_t last_events = 0, last_inputs = 0;  // the previous profile's sizes: a repeated profile grows no vector
  std::unordered_map<uint64_t, const char*> node_names;  // LibTorch's name per (op name, overload), this thread's

  ThreadBuffer();   // joins the registry's list
  ~ThreadBuffer();  // at the thread's exit: leaves the list, handing its events to their profile
};

// Guards the lists of live buffers and running sessions, and each session's `exited`. Never destroyed: threads
// may exit (and hand their buffers over) after static destructors ran.
struct Registry {
  std::mutex mutex;
  std::vector<ThreadBuffer*> buffers;
  std::vector<Session*> sessions;
};
Registry& registry() {
  static Registry* r = new Registry;
  return *r;
}

ThreadBuffer::ThreadBuffer() {
  Registry& r = registry();
  std::lock_guard<std::mutex> guard(r.mutex);
  r.buffers.push_back(this);
}

ThreadBuffer::~ThreadBuffer() {
  Registry& r = registry();
  std::lock_guard<std::mutex> guard(r.mutex);
  r.buffers.erase(std::find(r.buffers.begin(), r.buffers.end(), this));
  lock.lock();
  for (Session* s : r.sessions) {
    if (s->serial != epoch) continue;
    data.bytes_at_stop = net_bytes.load(std::memory_order_relaxed);
    s->exited.push_back(std::move(data));
  }
  lock.unlock();
}

ThreadBuffer* buffer() { return wick::detail::PerThread<ThreadBuffer>::get(); }

// Under b->lock: starts b afresh for profile `serial`.
void attach(ThreadBuffer* b, uint32_t serial) {
  const bool own = serial == b->own_serial;
  b->data = ThreadEvents{};
  b->data.events.reserve(b->last_events);
  b->data.inputs.reserve(b->last_inputs);
  b->data.thread = own ? 0 : g_next_thread.fetch_add(1, std::memory_order_relaxed);
  b->shapes = own ? b->own_shapes : g_all_threads_shapes.load(std::memory_order_relaxed);
  b->epoch = serial;
  b->open = -1;
}

bool same_name(const char* a, const char* b) { return a == b || std::strcmp(a, b) == 0; }

void push_inputs(ThreadEvents& d, const Tensor* tensors, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const Tensor& t = tensors[i];
    if (!t.defined()) continue;
    const IntArrayRef sizes = t.sizes();
    const size_t ndim = std::min<size_t>(sizes.size(), 255);  // what the header's 8 bits hold
    d.inputs.push_back(input_header(int64_t(ndim), t.dtype(), t.device()));
    d.inputs.insert(d.inputs.end(), sizes.begin(), sizes.begin() + ndim);
  }
}

// Under b->lock: a new open event, child of the innermost open one. Its begin time is set last, by the caller.
Slot open_event(ThreadBuffer* b, const char* name, EventKind kind) {
  ThreadEvents& d = b->data;
  const auto index = int32_t(d.events.size());
  RawEvent e{};
  e.name = name;
  e.kind = kind;
  e.parent = b->open;
  e.begin_bytes = b->net_bytes.load(std::memory_order_relaxed);
  e.inputs_begin = e.inputs_end = uint32_t(d.inputs.size());
  d.events.push_back(e);
  b->open = index;
  return {index, b->epoch};
}

// The buffer to record into and, locked, attached to the profile covering this thread; nullptr if none does.
ThreadBuffer* locked_buffer() {
  ThreadBuffer* b = buffer();
  if (!b) return nullptr;
  b->lock.lock();
  const uint32_t serial = b->own_serial ? b->own_serial : g_all_threads_serial.load(std::memory_order_acquire);
  if (serial == 0) {
    b->lock.unlock();
    return nullptr;
  }
  if (b->epoch != serial) attach(b, serial);
  return b;
}

// Interned copies of names that are not string literals (user scopes, node names): they outlive every profile.
const char* intern(std::string_view name) {
  static std::mutex* mutex = new std::mutex;
  static auto* names = new std::unordered_set<std::string>;
  std::lock_guard<std::mutex> guard(*mutex);
  return names->emplace(name).first->c_str();
}

}  // namespace

Slot begin(const char* name, EventKind kind, std::initializer_list<Inputs> inputs) {
  ThreadBuffer* b = locked_buffer();
  if (!b) return {};
  // An op called by an op of the same name (an overload forwarding to another) is part of it.
  if (kind == EventKind::Op && b->open >= 0) {
    const RawEvent& parent = b->data.events[size_t(b->open)];
    if (parent.kind == EventKind::Op && same_name(parent.name, name)) {
      b->lock.unlock();
      return {};
    }
  }
  const Slot slot = open_event(b, name, kind);
  RawEvent& e = b->data.events.back();
  if (b->shapes)
    for (const Inputs& in : inputs) push_inputs(b->data, in.data, in.size);
  e.inputs_end = uint32_t(b->data.inputs.size());
  e.begin_ticks = ticks();  // last: the bookkeeping above is not the op's time
  b->lock.unlock();
  return slot;
}

Slot begin_backward(const wick::detail::Node* node, const Tensor* grads, int num_grads) {
  ThreadBuffer* b = locked_buffer();
  if (!b) return {};
  const uint64_t key = uint64_t(reinterpret_cast<uintptr_t>(node->name)) ^ (uint64_t(node->overload) << 56);
  const char*& name = b->node_names[key];
  if (!name) name = intern(wick::detail::node_name(node));
  const Slot slot = open_event(b, name, EventKind::Backward);
  RawEvent& e = b->data.events.back();
  if (b->shapes) push_inputs(b->data, grads, size_t(num_grads));
  e.inputs_end = uint32_t(b->data.inputs.size());
  e.begin_ticks = ticks();
  b->lock.unlock();
  return slot;
}

void end(Slot slot) {
  const int64_t t = ticks();  // first: the bookkeeping below is not the op's time
  ThreadBuffer* b = wick::detail::PerThread<ThreadBuffer>::peek();
  if (!b) return;
  b->lock.lock();
  if (b->epoch == slot.epoch && size_t(slot.index) < b->data.events.size()) {
    RawEvent& e = b->data.events[size_t(slot.index)];
    e.end_ticks = t;
    e.end_bytes = b->net_bytes.load(std::memory_order_relaxed);
    b->open = e.parent;
  }
  b->lock.unlock();
}

void count_cpu_bytes(int64_t delta) {
  if (ThreadBuffer* b = wick::detail::PerThread<ThreadBuffer>::peek())
    b->net_bytes.store(b->net_bytes.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
}

namespace {

// The first profile's start: ticks convert at the rate measured since then, finer the longer the span.
const Instant& calibration_start() {
  static const Instant first = Instant::now();
  return first;
}

double ns_per_tick(Instant stop) {
  const Instant& first = calibration_start();
  if (kTicksAreNs || stop.ticks <= first.ticks) return 1.0;
  return double(stop.ns - first.ns) / double(stop.ticks - first.ticks);
}

}  // namespace

std::string shapes_str(const std::vector<TensorMeta>& inputs) {
  std::string s = "[";
  for (size_t i = 0; i < inputs.size(); ++i) {
    s += i ? ", [" : "[";
    for (size_t d = 0; d < inputs[i].sizes.size(); ++d) s += (d ? ", " : "") + std::to_string(inputs[i].sizes[d]);
    s += "]";
  }
  return s + "]";
}

std::vector<Event> assemble(std::vector<ThreadEvents> threads, Instant origin, Instant stop) {
  std::sort(threads.begin(), threads.end(),
            [](const ThreadEvents& a, const ThreadEvents& b) { return a.thread < b.thread; });
  const double scale = ns_per_tick(stop);
  size_t total = 0;
  for (const ThreadEvents& t : threads) total += t.events.size();
  // Monotonic in t, so that events keep their order and nesting; ticks before the start (another thread's event
  // that began as an all-threads profile started) count from the start.
  auto ns = [&](int64_t t) { return t <= origin.ticks ? int64_t(0) : int64_t(double(t - origin.ticks) * scale); };
  std::vector<Event> out;
  out.reserve(total);
  for (const ThreadEvents& t : threads) {
    const auto offset = int64_t(out.size());
    for (const RawEvent& raw : t.events) {
      Event e;
      e.name = raw.name;
      e.kind = raw.kind;
      e.thread = t.thread;
      e.parent = raw.parent >= 0 ? offset + raw.parent : -1;
      e.depth = e.parent >= 0 ? out[size_t(e.parent)].depth + 1 : 0;
      // Events still open when the profile stopped (stopped from inside a scope, or from another thread) end there.
      const bool open = raw.end_ticks == 0;
      e.start_ns = ns(raw.begin_ticks);
      e.cpu_time_ns = ns(open ? stop.ticks : raw.end_ticks) - e.start_ns;
      e.self_cpu_time_ns = e.cpu_time_ns;
      e.cpu_memory_usage = e.self_cpu_memory_usage = (open ? t.bytes_at_stop : raw.end_bytes) - raw.begin_bytes;
      size_t num_inputs = 0;
      for (uint32_t i = raw.inputs_begin; i < raw.inputs_end; i += 1 + uint32_t(t.inputs[i] & 0xff)) ++num_inputs;
      e.inputs.resize(num_inputs);  // one allocation per event: shapes of up to 8 dims are inline
      for (uint32_t i = raw.inputs_begin, k = 0; i < raw.inputs_end; ++k) {
        const int64_t header = t.inputs[i++];
        TensorMeta& m = e.inputs[k];
        const auto ndim = uint32_t(header & 0xff);
        m.sizes.assign(IntArrayRef(t.inputs.data() + i, ndim));
        i += ndim;
        m.dtype = ScalarType((header >> 8) & 0xff);
        m.device = Device(DeviceType((header >> 16) & 0xff), int(int8_t((header >> 24) & 0xff)));
      }
      if (e.parent >= 0) {
        Event& p = out[size_t(e.parent)];
        p.self_cpu_time_ns -= e.cpu_time_ns;
        p.self_cpu_memory_usage -= e.cpu_memory_usage;
      }
      out.push_back(std::move(e));
    }
  }
  return out;
}

}  // namespace wick::profiler::detail

namespace wick::profiler {

using detail::registry;

Profile::Profile(ProfileOptions options) : session_(std::make_unique<detail::Session>()) {
  detail::Session& s = *session_;
  s.options = options;
  s.origin = detail::Instant::now();
  detail::calibration_start();
  s.serial = detail::g_next_serial.fetch_add(1, std::memory_order_relaxed);
  if (s.serial == 0) s.serial = detail::g_next_serial.fetch_add(1, std::memory_order_relaxed);  // 0 means none
  detail::ThreadBuffer* b = detail::buffer();
  WICK_CHECK(b != nullptr, "profiler::Profile", "cannot start on a thread that is exiting");
  auto& r = registry();
  std::lock_guard<std::mutex> guard(r.mutex);
  const bool all_threads_running = detail::g_all_threads_serial.load() != 0;
  WICK_CHECK(!all_threads_running, "profiler::Profile", "a profile of all threads is running; stop it first");
  std::lock_guard<detail::SpinLock> buffer_guard(b->lock);
  if (options.all_threads_) {
    WICK_CHECK(r.sessions.empty(), "profiler::Profile", "a profile of all threads cannot start while ",
               r.sessions.size(), " other profile(s) run");
    detail::g_all_threads_shapes.store(options.record_shapes_);
    detail::attach(b, s.serial);
    b->data.thread = 0;  // the starting thread; the others are numbered as they appear
    detail::g_next_thread.store(1);
    detail::g_all_threads_serial.store(s.serial, std::memory_order_release);
  } else {
    WICK_CHECK(b->own_serial == 0, "profiler::Profile", "a profile is already running on this thread; stop it first");
    b->own_serial = s.serial;
    b->own_shapes = options.record_shapes_;
  }
  r.sessions.push_back(&s);
  detail::g_running.fetch_add(1, std::memory_order_relaxed);
}

Profile::~Profile() { stop(); }

void Profile::stop() {
  if (!session_) return;
  const detail::Instant stop = detail::Instant::now();
  detail::Session& s = *session_;
  std::vector<detail::ThreadEvents> threads;
  {
    auto& r = registry();
    std::lock_guard<std::mutex> guard(r.mutex);
    if (s.options.all_threads_) detail::g_all_threads_serial.store(0, std::memory_order_release);
    for (detail::ThreadBuffer* b : r.buffers) {
      std::lock_guard<detail::SpinLock> buffer_guard(b->lock);
      if (b->own_serial == s.serial) b->own_serial = 0;
      if (b->epoch != s.serial) continue;
      b->data.bytes_at_stop = b->net_bytes.load(std::memory_order_relaxed);
      b->last_events = b->data.events.size();
      b->last_inputs = b->data.inputs.size();
      threads.push_back(std::move(b->data));
      b->data = detail::ThreadEvents{};
      b->epoch = 0;
      b->open = -1;
    }
    for (detail::ThreadEvents& t : s.exited) threads.push_back(std::move(t));
    r.sessions.erase(std::find(r.sessions.begin(), r.sessions.end(), &s));
  }
  detail::g_running.fetch_sub(1, std::memory_order_relaxed);
  events_ = detail::assemble(std::move(threads), s.origin, stop);
  session_.reset();
}

const std::vector<Event>& Profile::finished(const char* op) const {
  WICK_CHECK(!session_, op, "the profile is still running; call stop() first");
  return events_;
}

const std::vector<Event>& Profile::events() const { return finished("profiler::Profile::events"); }

Scope::Scope(std::string_view name) {
  if (!detail::profiling()) return;
  const detail::Slot slot = detail::begin(detail::intern(name), EventKind::Scope, {});
  slot_ = slot.index;
  epoch_ = slot.epoch;
}

Scope::~Scope() {
  if (slot_ >= 0) detail::end({slot_, epoch_});
}

}  // namespace wick::profiler
