// wick::profiler: which events a known program records (names, counts, nesting, shapes, memory), the
// key_averages table as a reader parses it, the Chrome trace as a trace viewer parses it, and threads.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include "../support/temp_dir.h"
#include "wick/detail/json.h"
#include "wick/detail/op_scope.h"

using namespace wick;
using profiler::Event;
using profiler::EventKind;
using Events = std::vector<Event>;

namespace {

int64_t count(const Events& ev, std::string_view name, bool top_only = false) {
  return std::count_if(ev.begin(), ev.end(),
                       [&](const Event& e) { return e.name == name && (!top_only || e.parent < 0); });
}

// Index of the first event named `name`; fails the test if there is none.
size_t find(const Events& ev, std::string_view name) {
  for (size_t i = 0; i < ev.size(); ++i)
    if (ev[i].name == name) return i;
  FAIL("no event named " << name);
  return 0;
}

std::vector<std::string> children(const Events& ev, size_t parent) {
  std::vector<std::string> names;
  for (const Event& e : ev)
    if (e.parent == int64_t(parent)) names.push_back(e.name);
  return names;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// What every profile must satisfy: self within total, children inside their parent on its thread, and a
// parent's time and memory exactly its children's plus its own.
void check_nesting(const Events& ev) {
  std::vector<int64_t> child_time(ev.size()), child_bytes(ev.size());
  for (size_t i = 0; i < ev.size(); ++i) {
    const Event& e = ev[i];
    INFO("event " << i << ": " << e.name);
    CHECK(e.start_ns >= 0);
    CHECK(e.self_cpu_time_ns >= 0);
    CHECK(e.self_cpu_time_ns <= e.cpu_time_ns);
    if (e.parent < 0) {
      CHECK(e.depth == 0);
      continue;
    }
    REQUIRE(e.parent < int64_t(i));  // parents begin first
    const Event& p = ev[size_t(e.parent)];
    CHECK(p.thread == e.thread);
    CHECK(e.depth == p.depth + 1);
    CHECK(e.start_ns >= p.start_ns);
    CHECK(e.end_ns() <= p.end_ns());
    child_time[size_t(e.parent)] += e.cpu_time_ns;
    child_bytes[size_t(e.parent)] += e.cpu_memory_usage;
  }
  for (size_t i = 0; i < ev.size(); ++i) {
    CHECK(ev[i].self_cpu_time_ns + child_time[i] == ev[i].cpu_time_ns);
    CHECK(ev[i].self_cpu_memory_usage + child_bytes[i] == ev[i].cpu_memory_usage);
  }
}

// A table time ("12.345us", "1.500ms", "2.000s") in nanoseconds.
double parse_time(const std::string& s) {
  const double v = std::stod(s);
  if (s.size() > 2 && s.compare(s.size() - 2, 2, "us") == 0) return v * 1e3;
  if (s.size() > 2 && s.compare(s.size() - 2, 2, "ms") == 0) return v * 1e6;
  REQUIRE(s.back() == 's');
  return v * 1e9;
}

// The table's body rows, each split into cells at runs of two or more spaces (names may hold single spaces).
struct ParsedTable {
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> rows;
  std::string footer;
};
ParsedTable parse_table(const std::string& table) {
  std::vector<std::string> lines;
  std::istringstream in(table);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  const std::regex separator("^[- ]+$"), cell_gap(" {2,}");
  auto cells = [&](const std::string& line) {
    std::vector<std::string> out;
    for (std::sregex_token_iterator it(line.begin(), line.end(), cell_gap, -1), end; it != end; ++it)
      if (!it->str().empty()) out.push_back(*it);
    return out;
  };
  ParsedTable t;
  REQUIRE(lines.size() >= 5);
  REQUIRE(std::regex_match(lines[0], separator));
  t.headers = cells(lines[1]);
  REQUIRE(std::regex_match(lines[2], separator));
  size_t i = 3;
  for (; i < lines.size() && !std::regex_match(lines[i], separator); ++i) t.rows.push_back(cells(lines[i]));
  REQUIRE(i + 1 < lines.size());
  t.footer = lines[i + 1];
  return t;
}

int64_t trace_ns(const json::Value& v) {  // "ts"/"dur": microseconds with three decimals
  REQUIRE((v.kind == json::Value::Kind::Number || v.kind == json::Value::Kind::Integer));
  return v.kind == json::Value::Kind::Integer ? v.integer * 1000 : std::llround(v.number * 1000);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("profiler: an MLP step records each op and each backward rule under its node's name", "[profiler]") {
  manual_seed(0);
  const Tensor x = randn({8, 4});
  const Tensor w1 = randn({3, 4}).requires_grad_(), b1 = zeros({3}).requires_grad_();
  const Tensor w2 = randn({2, 3}).requires_grad_(), b2 = zeros({2}).requires_grad_();
  profiler::Profile prof;
  const Tensor h = relu(linear(x, w1, b1));
  const Tensor y = linear(h, w2, b2);
  const Tensor loss = y.pow(2).sum();
  const std::vector<std::string> nodes = {loss.grad_fn()->name(), y.pow(2).grad_fn()->name(), y.grad_fn()->name(),
                                          h.grad_fn()->name()};
  loss.backward();
  prof.stop();
  const Events& ev = prof.events();
  check_nesting(ev);

  CHECK(count(ev, "linear", true) == 2);
  CHECK(count(ev, "relu", true) == 1);
  CHECK(count(ev, "pow", true) == 2);  // y.pow(2) twice: once for the loss, once for its grad_fn name above
  CHECK(count(ev, "sum", true) == 1);
  // The backward walk, newest entry first, each rule named as grad_fn() names its node; each leaf's gradient
  // is accumulated right after the rule that produced it.
  CHECK(nodes == std::vector<std::string>{"SumBackward0", "PowBackward0", "AddmmBackward0", "ReluBackward0"});
  std::vector<std::string> walk;
  for (const Event& e : ev)
    if (e.parent < 0 && e.kind == EventKind::Backward) walk.push_back(e.name);
  const std::string acc = "wick::autograd::AccumulateGrad";
  CHECK(walk == std::vector<std::string>{"SumBackward0", "PowBackward0", "AddmmBackward0", acc, acc, "ReluBackward0",
                                         "AddmmBackward0", acc, acc});
  // A rule's own ops are its children: the weight gradient's product in AddmmBackward0.
  CHECK(contains(children(ev, find(ev, "AddmmBackward0")), "mm"));
  CHECK(ev[find(ev, "AddmmBackward0")].inputs.size() == 1);  // the gradient it received: y's shape
  CHECK(ev[find(ev, "AddmmBackward0")].inputs[0].sizes == std::vector<int64_t>{8, 2});

  const profiler::KeyAverages avg = prof.key_averages();
  REQUIRE(avg.find("AddmmBackward0") != nullptr);
  CHECK(avg.find("AddmmBackward0")->count == 2);
  CHECK(avg.find(acc)->count == 4);
  CHECK(avg.find("linear")->count == 2);
}

TEST_CASE("profiler: an op's self time excludes the ops it calls, and every parent adds up", "[profiler]") {
  profiler::Profile prof;
  const Tensor a = ones({4, 5});
  const Tensor s = a - 2.0;                                           // sub(Tensor, Scalar) adds the negation
  const Tensor l = linear(ones({2, 3, 5}), ones({6, 5}), ones({6}));  // a 3-D input: matmul, then add
  prof.stop();
  CHECK(s.sum().item<float>() == -20.0f);
  CHECK(l.sizes().vec() == std::vector<int64_t>{2, 3, 6});
  const Events& ev = prof.events();
  check_nesting(ev);

  const size_t sub = find(ev, "sub");
  CHECK(ev[sub].parent == -1);
  CHECK(children(ev, sub) == std::vector<std::string>{"add"});
  CHECK(ev[sub].self_cpu_time_ns < ev[sub].cpu_time_ns);
  const std::vector<std::string> linear_children = children(ev, find(ev, "linear"));
  CHECK(contains(linear_children, "matmul"));
  CHECK(contains(linear_children, "add"));

  // The table's self times partition the profiled time: their sum is the top-level events' total.
  int64_t top_total = 0, self_total = 0;
  for (const Event& e : ev) {
    self_total += e.self_cpu_time_ns;
    if (e.parent < 0) top_total += e.cpu_time_ns;
  }
  CHECK(self_total == top_total);
  const profiler::KeyAverages avg = prof.key_averages();
  CHECK(avg.self_cpu_time_total_ns() == top_total);
  int64_t calls = 0;
  for (const profiler::KeyAverage& row : avg.rows()) calls += row.count;
  CHECK(calls == int64_t(ev.size()));
}

TEST_CASE("profiler: a user scope is an event whose children are the ops inside it", "[profiler]") {
  profiler::Profile prof;
  {
    profiler::Scope loading("data loading");
    Tensor batch = rand({16, 8});
    batch = batch * 2;
  }
  const Tensor after = ones({2});
  prof.stop();
  const Events& ev = prof.events();
  check_nesting(ev);
  const size_t scope = find(ev, "data loading");
  CHECK(ev[scope].kind == EventKind::Scope);
  CHECK(ev[scope].parent == -1);
  const std::vector<std::string> inside = children(ev, scope);
  CHECK(contains(inside, "rand"));
  CHECK(contains(inside, "mul"));
  CHECK(!contains(inside, "ones"));
  CHECK(ev[find(ev, "ones")].parent == -1);
  CHECK(prof.key_averages().find("data loading")->count == 1);
}

TEST_CASE("profiler: input shapes, dtypes and devices are recorded", "[profiler]") {
  const Tensor a = ones({2, 3}), b = ones({3, 4});
  profiler::Profile prof;
  (void)mm(a, b);
  (void)a.to(kDouble);
  (void)cat({a, a}, 0);
  prof.stop();
  const Events& ev = prof.events();
  const Event& mm_event = ev[find(ev, "mm")];
  REQUIRE(mm_event.inputs.size() == 2);
  CHECK(mm_event.inputs[0].sizes == std::vector<int64_t>{2, 3});
  CHECK(mm_event.inputs[1].sizes == std::vector<int64_t>{3, 4});
  CHECK(mm_event.inputs[0].dtype == kFloat);
  CHECK(mm_event.inputs[0].device == Device(kCPU));
  const Event& to_event = ev[find(ev, "to")];
  REQUIRE(to_event.inputs.size() == 1);
  CHECK(to_event.inputs[0].dtype == kFloat);      // its input's dtype, not the target's
  CHECK(ev[find(ev, "cat")].inputs.size() == 2);  // each tensor of the list

  const profiler::KeyAverages by_shape = prof.key_averages(true);
  REQUIRE(by_shape.find("mm") != nullptr);
  CHECK(by_shape.find("mm")->input_shapes == "[[2, 3], [3, 4]]");
  CHECK(by_shape.find("cat")->input_shapes == "[[2, 3], [2, 3]]");
  CHECK(prof.key_averages().find("mm")->input_shapes.empty());

  profiler::Profile no_shapes(profiler::ProfileOptions().record_shapes(false));
  (void)mm(a, b);
  no_shapes.stop();
  REQUIRE(!no_shapes.events().empty());
  for (const Event& e : no_shapes.events()) CHECK(e.inputs.empty());
}

TEST_CASE("profiler: CPU memory is what an event allocated net of what it freed", "[profiler]") {
  profiler::Profile prof;
  {
    profiler::Scope temporary("temporary");
    const Tensor t = ones({256});  // 1 KiB, freed at the end of the scope
  }
  const Tensor kept = empty({1024}, kDouble);  // 8 KiB, alive after the profile
  prof.stop();
  const Events& ev = prof.events();
  check_nesting(ev);
  CHECK(ev[find(ev, "ones")].cpu_memory_usage == 1024);
  const Event& scope = ev[find(ev, "temporary")];
  CHECK(scope.cpu_memory_usage == 0);
  CHECK(scope.self_cpu_memory_usage == -1024);  // the free happened in the scope itself, after ones returned
  CHECK(ev[find(ev, "empty")].cpu_memory_usage == 8192);
  CHECK(prof.key_averages().find("empty")->self_cpu_memory_usage == 8192);
}

TEST_CASE("profiler: key_averages().table() prints PyTorch's columns, sorted", "[profiler]") {
  const Tensor big = ones({192, 192}), small = ones({2});
  profiler::Profile prof;
  for (int i = 0; i < 3; ++i) (void)mm(big, big);
  for (int i = 0; i < 7; ++i) (void)neg(small);
  prof.stop();
  const profiler::KeyAverages avg = prof.key_averages();

  const ParsedTable t = parse_table(avg.table("self_cpu_time_total", 0));
  CHECK(t.headers == std::vector<std::string>{"Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total",
                                              "CPU time avg", "CPU Mem", "Self CPU Mem", "# of Calls"});
  REQUIRE(t.rows.size() == avg.rows().size());
  std::map<std::string, int> calls;
  double previous = INFINITY, percent = 0;
  for (const auto& row : t.rows) {
    REQUIRE(row.size() == 9);
    calls[row[0]] = std::stoi(row[8]);
    const double self = parse_time(row[2]);
    CHECK(self <= previous * (1 + 1e-3) + 1);  // descending (the cells round to the nanosecond)
    previous = self;
    percent += std::stod(row[1]);
  }
  CHECK(calls == std::map<std::string, int>{{"mm", 3}, {"neg", 7}});
  CHECK(t.rows[0][0] == "mm");  // 3 products of 192x192 matrices outweigh 7 negations of 2 elements
  CHECK(percent == Approx(100).margin(0.01 * double(t.rows.size())));
  CHECK(std::regex_match(t.footer, std::regex("Self CPU time total: [0-9.]+(us|ms|s)")));

  const ParsedTable by_count = parse_table(avg.table("count", 2));
  REQUIRE(by_count.rows.size() == 2);
  CHECK(by_count.rows[0][0] == "neg");
  CHECK(by_count.rows[1][0] == "mm");
  CHECK(parse_table(avg.table("count", 1)).rows.size() == 1);

  const ParsedTable shapes = parse_table(prof.key_averages(true).table());
  CHECK(shapes.headers.back() == "Input Shapes");
  bool found = false;
  for (const auto& row : shapes.rows) found = found || (row[0] == "mm" && row.back() == "[[192, 192], [192, 192]]");
  CHECK(found);

  CHECK_THROWS_WITH(avg.table("bogus"), Catch::StartsWith("wick::profiler::KeyAverages::table: unknown sort_by "
                                                          "'bogus'"));
}

TEST_CASE("profiler: the Chrome trace parses, its events nest on each thread, and it is written atomically",
          "[profiler]") {
  testing::TempDir dir;
  profiler::Profile prof;
  {
    profiler::Scope step("step");
    const Tensor w = ones({2, 3}).requires_grad_();
    linear(ones({4, 3}), w, ones({2})).sum().backward();
  }
  prof.stop();
  const std::string path = dir.file("trace.json");
  prof.export_chrome_trace(path);
  CHECK(dir.entries() == std::vector<std::string>{"trace.json"});  // no temporary file left behind
  const std::string text = read_file(path);
  CHECK(text == prof.chrome_trace());

  const json::Value doc = json::parse(text, "test", path);
  const json::Value* list = doc.find("traceEvents");
  REQUIRE(list != nullptr);
  REQUIRE(list->kind == json::Value::Kind::Array);
  const Events& ev = prof.events();
  std::vector<const json::Value*> complete;
  for (const json::Value& e : list->array) {
    REQUIRE(e.kind == json::Value::Kind::Object);
    REQUIRE(e.find("ph") != nullptr);
    if (e.find("ph")->string == "X") complete.push_back(&e);
  }
  REQUIRE(complete.size() == ev.size());
  struct Span {
    int64_t tid, begin, end;
  };
  std::vector<Span> spans;
  for (size_t i = 0; i < complete.size(); ++i) {
    const json::Value& e = *complete[i];
    INFO("trace event " << i);
    REQUIRE(e.find("name") != nullptr);
    CHECK(e.find("name")->string == ev[i].name);
    REQUIRE(e.find("cat") != nullptr);
    CHECK(e.find("cat")->kind == json::Value::Kind::String);
    REQUIRE(e.find("pid") != nullptr);
    CHECK(e.find("pid")->integer == ::getpid());
    REQUIRE(e.find("tid") != nullptr);
    REQUIRE(e.find("tid")->kind == json::Value::Kind::Integer);
    REQUIRE(e.find("ts") != nullptr);
    REQUIRE(e.find("dur") != nullptr);
    const int64_t ts = trace_ns(*e.find("ts")), dur = trace_ns(*e.find("dur"));
    CHECK(ts == ev[i].start_ns);
    CHECK(dur == ev[i].cpu_time_ns);
    CHECK(dur >= 0);
    const json::Value* args = e.find("args");
    REQUIRE(args != nullptr);
    REQUIRE(args->find("Input Dims") != nullptr);
    REQUIRE(args->find("Input type") != nullptr);
    CHECK(args->find("Input Dims")->array.size() == ev[i].inputs.size());
    CHECK(args->find("Input type")->array.size() == ev[i].inputs.size());
    spans.push_back({e.find("tid")->integer, ts, ts + dur});
  }
  // Properly nested on each thread: two spans are disjoint or one holds the other, and each event's innermost
  // holder is its parent.
  for (size_t j = 0; j < spans.size(); ++j) {
    int64_t innermost = -1;
    for (size_t i = 0; i < j; ++i) {
      if (spans[i].tid != spans[j].tid) continue;
      const bool disjoint = spans[i].end <= spans[j].begin;
      const bool holds = spans[i].begin <= spans[j].begin && spans[j].end <= spans[i].end;
      CHECK((disjoint || holds));
      if (holds && !disjoint) innermost = int64_t(i);
    }
    if (spans[j].end > spans[j].begin) CHECK(innermost == ev[j].parent);
  }
  const json::Value& step = *complete[find(ev, "step")];
  CHECK(step.find("cat")->string == "user_annotation");
  const json::Value& linear_event = *complete[find(ev, "linear")];
  CHECK(linear_event.find("cat")->string == "cpu_op");
  const json::Value& dims = *linear_event.find("args")->find("Input Dims");
  REQUIRE(dims.array.size() == 3);
  CHECK(dims.array[0].array.size() == 2);
  CHECK(dims.array[0].array[0].integer == 4);
  CHECK(linear_event.find("args")->find("Input type")->array[0].string == "float32");

  CHECK_THROWS_WITH(prof.export_chrome_trace("/nonexistent-wick-dir/trace.json"),
                    Catch::StartsWith("wick::profiler::Profile::export_chrome_trace: cannot create "
                                      "'/nonexistent-wick-dir/trace.json' (its temporary file "
                                      "'/nonexistent-wick-dir/.trace.json"));
}

TEST_CASE("profiler: RecordProfile writes LibTorch's RecordProfile trace when it ends", "[profiler]") {
  testing::TempDir dir;
  const std::string path = dir.file("record.trace");
  {
    autograd::profiler::RecordProfile guard(path);
    (void)(ones({3}) + 1);
  }
  const json::Value doc = json::parse(read_file(path), "test", path);
  REQUIRE(doc.find("traceEvents") != nullptr);
  bool add = false;
  for (const json::Value& e : doc.find("traceEvents")->array) add = add || e.find("name")->string == "add";
  CHECK(add);
  std::ostringstream out;
  { autograd::profiler::RecordProfile to_stream(out); }
  CHECK(out.str().find("\"traceEvents\"") != std::string::npos);
  CHECK_THROWS_WITH(autograd::profiler::RecordProfile("/nonexistent-wick-dir/x.trace"),
                    Catch::StartsWith("wick::autograd::profiler::RecordProfile: cannot create"));
}

TEST_CASE("profiler: nothing is recorded outside a profile", "[profiler]") {
  (void)(ones({3}) + 1);  // before
  profiler::Profile prof;
  CHECK(profiler::detail::profiling());
  CHECK_THROWS_WITH(prof.events(), Catch::StartsWith("wick::profiler::Profile::events: the profile is still running"));
  prof.stop();
  CHECK(!profiler::detail::profiling());
  {
    profiler::Scope ignored("no profile runs");
    (void)(ones({3}) + 1);  // after
  }
  CHECK(prof.events().empty());
  prof.stop();  // a second stop changes nothing
  CHECK(prof.events().empty());

  profiler::Profile second;
  (void)(ones({3}) * 2);
  second.stop();
  std::vector<std::string> names;
  for (const Event& e : second.events()) names.push_back(e.name);
  CHECK(contains(names, "mul"));
  CHECK(!contains(names, "add"));
  CHECK(!contains(names, "no profile runs"));
}

TEST_CASE("profiler: two threads profile independently", "[profiler][threads]") {
  std::atomic<int> started{0};
  Events adds, muls;
  auto work = [&started](bool add, Events& out) {
    profiler::Profile prof;
    ++started;
    while (started.load() < 2) std::this_thread::yield();  // both profiles run at once
    const Tensor x = ones({4});
    for (int i = 0; i < (add ? 7 : 5); ++i) (void)(add ? x + x : x * x);
    prof.stop();
    out = prof.events();
  };
  std::thread a(work, true, std::ref(adds)), b(work, false, std::ref(muls));
  a.join();
  b.join();
  CHECK(count(adds, "add") == 7);
  CHECK(count(adds, "mul") == 0);
  CHECK(count(muls, "mul") == 5);
  CHECK(count(muls, "add") == 0);
  CHECK(count(adds, "ones") == 1);
  CHECK(count(muls, "ones") == 1);
  for (const Events* ev : {&adds, &muls})
    for (const Event& e : *ev) CHECK(e.thread == 0);
}

TEST_CASE("profiler: a profile of all threads merges each thread's events", "[profiler][threads]") {
  profiler::Profile prof(profiler::ProfileOptions().all_threads(true));
  CHECK_THROWS_WITH(profiler::Profile(), Catch::Contains("a profile of all threads is running"));
  auto worker = [] {
    profiler::Scope s("worker");
    (void)(ones({2}) * 3);
  };
  std::thread(worker).join();  // each thread ends before the profile stops: its buffer is handed over
  std::thread(worker).join();
  (void)(ones({2}) + 1);
  prof.stop();
  const Events& ev = prof.events();
  check_nesting(ev);
  CHECK(ev[find(ev, "add")].thread == 0);
  std::vector<int> worker_threads;
  for (size_t i = 0; i < ev.size(); ++i) {
    if (ev[i].name != "worker") continue;
    worker_threads.push_back(ev[i].thread);
    CHECK(contains(children(ev, i), "mul"));
  }
  CHECK(worker_threads == std::vector<int>{1, 2});
  CHECK(prof.chrome_trace().find("\"tid\": 2") != std::string::npos);

  profiler::Profile mine;
  CHECK_THROWS_WITH(profiler::Profile(), Catch::Contains("a profile is already running on this thread"));
  CHECK_THROWS_WITH(profiler::Profile(profiler::ProfileOptions().all_threads(true)),
                    Catch::Contains("cannot start while 1 other profile(s) run"));
}
