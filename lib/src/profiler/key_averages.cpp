// Events grouped by name (and input shapes), and PyTorch's table of them: the same columns, widths, units and
// footer as torch.autograd.profiler_util's _build_table, so a reader of PyTorch's tables reads this one.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <utility>

#include "profiler/session.h"
#include "wick/error.h"
#include "wick/profiler.h"

namespace wick::profiler {

namespace {

constexpr size_t kMaxNameWidth = 55;
constexpr size_t kMaxShapesWidth = 80;
constexpr size_t kColumnWidth = 12;

std::string format(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

// PyTorch's _format_time (microseconds, 3 decimals, in the largest unit it reaches).
std::string format_time(double ns) {
  const double us = ns / 1000;
  if (us >= 1e6) return format("%.3fs", us / 1e6);
  if (us >= 1e3) return format("%.3fms", us / 1e3);
  return format("%.3fus", us);
}

std::string format_share(double part, double total) {
  return total == 0 ? "NaN" : format("%.2f%%", part * 100 / total);
}

// PyTorch's _format_memory.
std::string format_memory(int64_t bytes) {
  constexpr double kKB = 1024, kMB = kKB * 1024, kGB = kMB * 1024;
  const double b = double(bytes), a = std::fabs(b);
  if (a >= kGB) return format("%.2f Gb", b / kGB);
  if (a >= kMB) return format("%.2f Mb", b / kMB);
  if (a >= kKB) return format("%.2f Kb", b / kKB);
  return std::to_string(bytes) + " b";
}

std::string truncated(std::string s, size_t width) {
  if (s.size() >= width - 3) s = s.substr(0, width - 3) + "...";
  return s;
}

std::string right(const std::string& s, size_t width) {
  return (s.size() < width ? std::string(width - s.size(), ' ') : std::string()) + s + "  ";
}

using SortKey = double (*)(const KeyAverage&);
struct SortOption {
  const char* name;
  SortKey key;
};
constexpr SortOption kSortOptions[] = {
    {"self_cpu_time_total", [](const KeyAverage& k) { return double(k.self_cpu_time_total_ns); }},
    {"cpu_time_total", [](const KeyAverage& k) { return double(k.cpu_time_total_ns); }},
    {"cpu_time", [](const KeyAverage& k) { return k.cpu_time_avg_ns(); }},
    {"self_cpu_memory_usage", [](const KeyAverage& k) { return double(k.self_cpu_memory_usage); }},
    {"cpu_memory_usage", [](const KeyAverage& k) { return double(k.cpu_memory_usage); }},
    {"count", [](const KeyAverage& k) { return double(k.count); }},
};

SortKey sort_key(std::string_view sort_by) {
  std::string names;
  for (const SortOption& o : kSortOptions) {
    if (sort_by == o.name) return o.key;
    names += names.empty() ? o.name : std::string(", ") + o.name;
  }
  fail("profiler::KeyAverages::table", "unknown sort_by '", sort_by, "' (expected one of ", names, ")");
}

}  // namespace

KeyAverages Profile::key_averages(bool group_by_input_shape) const {
  std::vector<KeyAverage> rows;
  std::map<std::pair<std::string, std::string>, size_t> index;  // (name, shapes) -> row, rows in first-seen order
  for (const Event& e : finished("profiler::Profile::key_averages")) {
    std::string shapes = group_by_input_shape ? detail::shapes_str(e.inputs) : std::string();
    auto [it, added] = index.try_emplace({e.name, shapes}, rows.size());
    if (added) {
      rows.emplace_back();
      rows.back().key = e.name;
      rows.back().input_shapes = std::move(shapes);
    }
    KeyAverage& row = rows[it->second];
    ++row.count;
    row.self_cpu_time_total_ns += e.self_cpu_time_ns;
    row.cpu_time_total_ns += e.cpu_time_ns;
    row.cpu_memory_usage += e.cpu_memory_usage;
    row.self_cpu_memory_usage += e.self_cpu_memory_usage;
  }
  return KeyAverages(std::move(rows), group_by_input_shape);
}

const KeyAverage* KeyAverages::find(std::string_view key) const {
  for (const KeyAverage& row : rows_)
    if (row.key == key) return &row;
  return nullptr;
}

int64_t KeyAverages::self_cpu_time_total_ns() const {
  int64_t total = 0;
  for (const KeyAverage& row : rows_) total += row.self_cpu_time_total_ns;
  return total;
}

std::string KeyAverages::table(std::string_view sort_by, int64_t row_limit) const {
  const SortKey key = sort_key(sort_by);
  std::vector<const KeyAverage*> rows;
  for (const KeyAverage& row : rows_) rows.push_back(&row);
  std::stable_sort(rows.begin(), rows.end(),
                   [key](const KeyAverage* a, const KeyAverage* b) { return key(*a) > key(*b); });
  if (row_limit > 0 && rows.size() > size_t(row_limit)) rows.resize(size_t(row_limit));

  size_t name_width = 0, shapes_width = 0;
  for (const KeyAverage& row : rows_) {
    name_width = std::max(name_width, row.key.size() + 4);
    shapes_width = std::max(shapes_width, row.input_shapes.size() + 4);
  }
  name_width = std::min(name_width, kMaxNameWidth);
  shapes_width = std::min(shapes_width, kMaxShapesWidth);
  std::vector<std::string> headers = {"Name",         "Self CPU %", "Self CPU",     "CPU total %", "CPU total",
                                      "CPU time avg", "CPU Mem",    "Self CPU Mem", "# of Calls"};
  std::vector<size_t> widths = {name_width};
  widths.resize(headers.size(), kColumnWidth);
  if (by_shape_) {
    headers.push_back("Input Shapes");
    widths.push_back(shapes_width);
  }
  std::string separator, out;
  for (size_t w : widths) separator += std::string(w, '-') + "  ";
  separator += "\n";
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) out += right(cells[i], widths[i]);
    out += "\n";
  };
  const double total = double(self_cpu_time_total_ns());
  out += separator;
  line(headers);
  out += separator;
  for (const KeyAverage* r : rows) {
    std::vector<std::string> cells = {truncated(r->key, kMaxNameWidth),
                                      format_share(double(r->self_cpu_time_total_ns), total),
                                      format_time(double(r->self_cpu_time_total_ns)),
                                      format_share(double(r->cpu_time_total_ns), total),
                                      format_time(double(r->cpu_time_total_ns)),
                                      format_time(r->cpu_time_avg_ns()),
                                      format_memory(r->cpu_memory_usage),
                                      format_memory(r->self_cpu_memory_usage),
                                      std::to_string(r->count)};
    if (by_shape_) cells.push_back(truncated(r->input_shapes, kMaxShapesWidth));
    line(cells);
  }
  out += separator;
  out += "Self CPU time total: " + format_time(total) + "\n";
  return out;
}

}  // namespace wick::profiler
