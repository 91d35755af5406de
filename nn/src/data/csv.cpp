// CSV: a numeric table read line by line into float features and an int64 or float target.
#include "wick/data/datasets/csv.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <string_view>

#include "wick/ops.h"

namespace wick::data::datasets {

namespace {

constexpr const char* kOp = "data::datasets::CSV";

// One non-blank line of the file, split into cells.
struct Row {
  int64_t line;  // from 1
  std::string text;
  std::vector<std::string> cells;
};

// Drops surrounding whitespace (and a Windows line end), then one pair of surrounding double quotes.
std::string clean(std::string_view cell) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!cell.empty() && space(cell.front())) cell.remove_prefix(1);
  while (!cell.empty() && space(cell.back())) cell.remove_suffix(1);
  if (cell.size() >= 2 && cell.front() == '"' && cell.back() == '"') cell = cell.substr(1, cell.size() - 2);
  return std::string(cell);
}

std::vector<std::string> split(const std::string& text, char delimiter) {
  std::vector<std::string> cells;
  size_t start = 0;
  for (size_t end; (end = text.find(delimiter, start)) != std::string::npos; start = end + 1)
    cells.push_back(clean(std::string_view(text).substr(start, end - start)));
  cells.push_back(clean(std::string_view(text).substr(start)));
  return cells;
}

// The rows after the skipped lines, every one as wide as the first.
std::vector<Row> read_rows(const std::string& path, const CSVOptions& options) {
  std::ifstream in(path);
  WICK_CHECK(in.good(), kOp, "cannot open ", path);
  std::vector<Row> rows;
  std::string text;
  for (int64_t line = 1; std::getline(in, text); ++line) {
    if (line <= options.skip_lines() || clean(text).empty()) continue;
    Row row{line, text, split(text, options.delimiter())};
    WICK_CHECK(rows.empty() || row.cells.size() == rows[0].cells.size(), kOp, path, ", line ", line, " has ",
               (unsigned long)row.cells.size(), " columns but line ", rows[0].line, " has ",
               (unsigned long)rows[0].cells.size(), ": \"", clean(text), "\"");
    rows.push_back(std::move(row));
  }
  WICK_CHECK(in.eof(), kOp, "reading ", path, " failed");
  const int64_t skipped = options.skip_lines();
  WICK_CHECK(!rows.empty() || skipped > 0, kOp, path, " is empty");
  WICK_CHECK(!rows.empty(), kOp, path, " has no rows after the ", skipped,
             skipped == 1 ? " skipped line" : " skipped lines");
  WICK_CHECK(!options.header() || rows.size() > 1, kOp, path, " has a header on line ", rows[0].line,
             " but no data rows");
  return rows;
}

// The 0-based index of a column given by index or by header name.
int64_t resolve(const CSVColumn& column, const std::vector<Row>& rows, bool header, const std::string& path,
                const char* role) {
  const Row& first = rows[0];
  const auto width = int64_t(first.cells.size());
  if (!column.is_name()) {
    WICK_CHECK(column.index() >= 0 && column.index() < width, kOp, path, ": ", role, " column ", column.index(),
               " is out of range: line ", first.line, " has ", width, " columns (0 to ", width - 1, ")");
    return column.index();
  }
  WICK_CHECK(header, kOp, path, ": ", role, " column \"", column.name(),
             "\" is chosen by name but the options have no header line (CSVOptions().header(true))");
  for (int64_t i = 0; i < width; ++i)
    if (first.cells[size_t(i)] == column.name()) return i;
  fail(kOp, path, ": no ", role, " column named \"", column.name(), "\" in the header on line ", first.line, ": \"",
       clean(first.text), "\"");
}

double number(const Row& row, int64_t column, const std::string& path) {
  const std::string& cell = row.cells[size_t(column)];
  double value = 0;
  const auto [end, error] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  WICK_CHECK(!cell.empty() && error == std::errc() && end == cell.data() + cell.size(), kOp, path, ", line ", row.line,
             ", column ", column, ": \"", cell, "\" is not a number");
  WICK_CHECK(std::isfinite(value), kOp, path, ", line ", row.line, ", column ", column, ": \"", cell,
             "\" is not a finite number");
  // Cells become float32; a larger number would turn into inf there.
  WICK_CHECK(std::abs(value) <= std::numeric_limits<float>::max(), kOp, path, ", line ", row.line, ", column ", column,
             ": \"", cell, "\" is out of float32's range");
  return value;
}

int64_t class_label(const Row& row, int64_t column, const std::string& path) {
  const double value = number(row, column, path);
  WICK_CHECK(value >= 0 && value < 9.2e18 && value == std::floor(value), kOp, path, ", line ", row.line, ", column ",
             column, ": class label \"", row.cells[size_t(column)], "\" is not a whole number >= 0");
  return int64_t(value);
}

}  // namespace

struct CSV::Table {
  Tensor features, targets;
  std::vector<std::string> feature_names;
};

CSV::CSV(const std::string& path, const CSVOptions& options) : CSV(read(path, options)) {}

CSV::CSV(Table table)
    : TensorDataset(std::move(table.features), std::move(table.targets)),
      feature_names_(std::move(table.feature_names)) {}

CSV::Table CSV::read(const std::string& path, const CSVOptions& options) {
  WICK_CHECK(options.target_dtype() == kFloat || options.target_dtype() == kInt64, kOp,
             "target_dtype must be kFloat (regression) or kInt64 (class labels), not ",
             dtype_name(options.target_dtype()));
  WICK_CHECK(options.skip_lines() >= 0, kOp, "skip_lines must be >= 0, not ", options.skip_lines());
  const std::vector<Row> rows = read_rows(path, options);
  const bool header = options.header();
  std::optional<int64_t> target;
  if (options.target()) target = resolve(*options.target(), rows, header, path, "target");
  std::vector<int64_t> columns;
  for (const CSVColumn& c : options.features()) columns.push_back(resolve(c, rows, header, path, "feature"));
  if (options.features().empty())
    for (int64_t i = 0; i < int64_t(rows[0].cells.size()); ++i)
      if (i != target) columns.push_back(i);
  WICK_CHECK(!columns.empty(), kOp, path, ": no feature columns (the file's only column is the target)");

  Table table;
  if (header)
    for (int64_t c : columns) table.feature_names.push_back(rows[0].cells[size_t(c)]);
  std::vector<float> features;
  std::vector<float> values;
  std::vector<int64_t> labels;
  for (size_t r = header ? 1 : 0; r < rows.size(); ++r) {
    for (int64_t c : columns) features.push_back(float(number(rows[r], c, path)));
    if (target && options.target_dtype() == kInt64) labels.push_back(class_label(rows[r], *target, path));
    if (target && options.target_dtype() == kFloat) values.push_back(float(number(rows[r], *target, path)));
  }
  const auto n = int64_t(rows.size() - (header ? 1 : 0));
  table.features = tensor(features).view({n, int64_t(columns.size())});
  if (target) table.targets = options.target_dtype() == kInt64 ? tensor(labels) : tensor(values);
  return table;
}

}  // namespace wick::data::datasets
