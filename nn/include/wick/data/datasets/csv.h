// A numeric table from a CSV file: chosen feature columns become float data [N, F], one column the target
// (int64 class labels or float values), as a TensorDataset. For sklearn's iris.csv (a counts line, then rows):
//   datasets::CSV iris(path, datasets::CSVOptions().skip_lines(1).target(4).target_dtype(wick::kInt64));
// and for a file whose first line names the columns:
//   datasets::CSV houses(path, datasets::CSVOptions().header(true).target("MEDV"));
// Columns are chosen by 0-based index or by header name; with no features listed, every column but the target is
// one. Cells are numbers (surrounding spaces and double quotes are dropped; no quoted commas); blank lines are
// skipped. A missing or empty file, a ragged row, a cell that is not a finite number, a class label that is not a
// non-negative integer and an unknown column throw wick::Error naming the file, the line (counted from 1, as editors
// do) and the column (counted from 0, as the options) with the offending text.
#pragma once

#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "wick/arg.h"
#include "wick/data/datasets/tensor.h"
#include "wick/dtype.h"

namespace wick::data::datasets {

// A column: its 0-based index, or its name in the header line.
class CSVColumn {
 public:
  // Any integer type, so an int literal, an int64_t and a size_t all name a column.
  template <class Integer, std::enable_if_t<std::is_integral_v<Integer>, int> = 0>
  CSVColumn(Integer index) : column_(int64_t(index)) {}
  CSVColumn(std::string name) : column_(std::move(name)) {}
  CSVColumn(const char* name) : column_(std::string(name)) {}

  bool is_name() const noexcept { return std::holds_alternative<std::string>(column_); }
  int64_t index() const { return std::get<int64_t>(column_); }
  const std::string& name() const { return std::get<std::string>(column_); }

 private:
  std::variant<int64_t, std::string> column_;
};

struct CSVOptions {
  // Lines dropped before anything is read (sklearn's files begin with a line of counts).
  WICK_ARG(int64_t, skip_lines) = 0;
  // Whether the first line after the skipped ones names the columns.
  WICK_ARG(bool, header) = false;
  WICK_ARG(char, delimiter) = ',';
  // Empty: every column except the target, in file order.
  WICK_ARG(std::vector<CSVColumn>, features);
  // No target: examples have an undefined target.
  WICK_ARG(std::optional<CSVColumn>, target);
  // kInt64 for class labels (each must be a whole number >= 0), kFloat for regression values.
  WICK_ARG(ScalarType, target_dtype) = kFloat;
};

class CSV : public TensorDataset {
 public:
  CSV(const std::string& path, const CSVOptions& options = {});

  // data [N, F] float and target [N] (the target dtype), or undefined without a target column.
  const Tensor& features() const noexcept { return data; }
  const Tensor& targets() const noexcept { return target; }
  // The header's names of the feature columns (empty without a header).
  const std::vector<std::string>& feature_names() const noexcept { return feature_names_; }

 private:
  struct Table;
  static Table read(const std::string& path, const CSVOptions& options);
  explicit CSV(Table table);

  std::vector<std::string> feature_names_;
};

}  // namespace wick::data::datasets
