// einsum with torch.einsum's equation language, contracted pair by pair through bmm. Each operand's repeated
// subscripts become diagonals and its ellipsis becomes numbered labels; a pair is then one batched matrix
// product over (labels both keep, labels of one side, labels both sum), so the derivative is that of the
// diagonal, sum, permute, expand, reshape and bmm it is made of, and differentiates again.
#include <algorithm>
#include <string>
#include <string_view>

#include "ops/elementwise.h"
#include "wick/detail/autocast_op.h"
#include "wick/detail/op_scope.h"
#include "wick/ops.h"

namespace wick {

namespace {

// Labels 0..51 are the letters A-Z then a-z (torch's order, which orders an implicit output); kEllipsisLabel + k
// is the k-th of the broadcast ellipsis dims, counted from the left of the widest one.
constexpr int kLetters = 52;
constexpr int kEllipsisLabel = kLetters;
constexpr int kEllipsisMark = -1;  // where "..." stands in a parsed term, before it is expanded to labels
using Labels = std::vector<int>;

std::string label_name(int label) {
  if (label >= kEllipsisLabel) return "'...' (its dim " + std::to_string(label - kEllipsisLabel) + ")";
  return std::string("'") + char(label < 26 ? 'A' + label : 'a' + label - 26) + "'";
}

bool contains(const Labels& labels, int label) {
  return std::find(labels.begin(), labels.end(), label) != labels.end();
}

struct Parsed {
  std::vector<Labels> terms;  // one per operand, kEllipsisMark where "..." stands
  Labels output;
  bool explicit_output = false;
};

// One side of the arrow: comma-separated terms (only the left side may have several).
std::vector<Labels> parse_terms(std::string_view equation, size_t begin, size_t end, bool output) {
  std::vector<Labels> terms(1);
  for (size_t i = begin; i < end; ++i) {
    const char c = equation[i];
    if (c == ' ') continue;
    if (c == ',' && !output) {
      terms.emplace_back();
    } else if (c == '.') {
      WICK_CHECK(i + 2 < end && equation[i + 1] == '.' && equation[i + 2] == '.', "einsum", "'.' at index ", i,
                 " of \"", equation, "\" is not part of an ellipsis '...'");
      WICK_CHECK(!contains(terms.back(), kEllipsisMark), "einsum",
                 output ? std::string("the output") : "operand " + std::to_string(terms.size() - 1),
                 " has more than one ellipsis in \"", equation, "\"");
      terms.back().push_back(kEllipsisMark);
      i += 2;
    } else if (c >= 'A' && c <= 'Z') {
      terms.back().push_back(c - 'A');
    } else if (c >= 'a' && c <= 'z') {
      terms.back().push_back(26 + c - 'a');
    } else {
      fail("einsum", "invalid character '", c, "' at index ", i, " of \"", equation,
           "\" (subscripts are letters a-z and A-Z, with ',' between operands, '...' and one '->')");
    }
  }
  return terms;
}

Parsed parse(std::string_view equation) {
  Parsed p;
  const size_t arrow = equation.find("->");
  p.explicit_output = arrow != std::string_view::npos;
  p.terms = parse_terms(equation, 0, p.explicit_output ? arrow : equation.size(), false);
  if (p.explicit_output) p.output = parse_terms(equation, arrow + 2, equation.size(), true)[0];
  return p;
}

std::string term_str(std::string_view equation, size_t operand) {
  std::string_view lhs = equation.substr(0, equation.find("->"));
  for (size_t i = 0; i < operand; ++i) lhs.remove_prefix(lhs.find(',') + 1);
  return std::string(lhs.substr(0, lhs.find(',')));
}

// An operand on its way through the contraction: one distinct label per dim.
struct Operand {
  Tensor t;
  Labels labels;
};

// The operand's labels with its ellipsis expanded (right-aligned to the widest ellipsis, as broadcasting
// aligns dims), then each repeated label folded into one diagonal dim.
Operand label_operand(std::string_view equation, size_t i, const Tensor& x, const Labels& term, int64_t ellipsis_dims) {
  const int64_t own = x.dim() - int64_t(term.size()) + 1;  // the dims this operand's "..." covers
  Operand op{x, {}};
  for (int label : term) {
    if (label != kEllipsisMark) {
      op.labels.push_back(label);
      continue;
    }
    for (int64_t k = ellipsis_dims - own; k < ellipsis_dims; ++k) op.labels.push_back(kEllipsisLabel + int(k));
  }
  for (size_t a = 0; a < op.labels.size(); ++a) {
    for (size_t b = a + 1; b < op.labels.size(); ++b) {
      if (op.labels[a] != op.labels[b]) continue;
      WICK_CHECK(op.t.size(int64_t(a)) == op.t.size(int64_t(b)), "einsum", "subscript ", label_name(op.labels[a]),
                 " is repeated in operand ", i, " (\"", term_str(equation, i), "\") but its dims have sizes ",
                 op.t.size(int64_t(a)), " and ", op.t.size(int64_t(b)), " (shape ", shape_str(op.t.sizes()), ")");
      op.t = op.t.diagonal(0, int64_t(a), int64_t(b));
      const int label = op.labels[a];
      op.labels.erase(op.labels.begin() + std::ptrdiff_t(b));
      op.labels.erase(op.labels.begin() + std::ptrdiff_t(a));
      op.labels.push_back(label);
      a = size_t(-1);  // the dims moved: look again from the start
      break;
    }
  }
  return op;
}

int64_t size_of(const Operand& op, int label) {
  return op.t.size(std::find(op.labels.begin(), op.labels.end(), label) - op.labels.begin());
}

// Sums away the labels that nothing after this point uses.
void sum_unused(Operand& op, const Labels& used) {
  SizeVec dims;
  Labels kept;
  for (size_t d = 0; d < op.labels.size(); ++d) {
    if (contains(used, op.labels[d]))
      kept.push_back(op.labels[d]);
    else
      dims.push_back(int64_t(d));
  }
  if (dims.empty()) return;  // sum over no dims would sum them all
  op.t = op.t.sum(dims);
  op.labels = kept;
}

// One pair as one bmm: a as [batch, a's own, summed], b as [batch, summed, b's own]. Labels both share keep their
// larger size: a size-1 dim broadcasts against the other operand's, as in torch.
Operand contract(const Operand& a, const Operand& b, const Labels& keep) {
  Labels batch, summed, a_own, b_own;
  for (int l : a.labels) (contains(b.labels, l) ? (contains(keep, l) ? batch : summed) : a_own).push_back(l);
  for (int l : b.labels)
    if (!contains(a.labels, l)) b_own.push_back(l);
  auto arrange = [](const Operand& op, std::initializer_list<const Labels*> groups, const Operand& other) {
    SizeVec order, sizes;
    for (const Labels* g : groups)
      for (int l : *g) {
        order.push_back(std::find(op.labels.begin(), op.labels.end(), l) - op.labels.begin());
        sizes.push_back(contains(other.labels, l) ? std::max(size_of(op, l), size_of(other, l)) : size_of(op, l));
      }
    return op.t.permute(order).expand(sizes);
  };
  auto count = [](const Tensor& t, size_t from, size_t n) {
    int64_t c = 1;
    for (size_t d = from; d < from + n; ++d) c *= t.size(int64_t(d));
    return c;
  };
  const Tensor ta = arrange(a, {&batch, &a_own, &summed}, b), tb = arrange(b, {&batch, &summed, &b_own}, a);
  const int64_t B = count(ta, 0, batch.size()), M = count(ta, batch.size(), a_own.size()),
                K = count(tb, batch.size(), summed.size()), N = count(tb, batch.size() + summed.size(), b_own.size());
  SizeVec out_sizes;
  for (size_t d = 0; d < batch.size() + a_own.size(); ++d) out_sizes.push_back(ta.size(int64_t(d)));
  for (size_t d = batch.size() + summed.size(); d < size_t(tb.dim()); ++d) out_sizes.push_back(tb.size(int64_t(d)));
  Labels labels = batch;
  labels.insert(labels.end(), a_own.begin(), a_own.end());
  labels.insert(labels.end(), b_own.begin(), b_own.end());
  return {bmm(ta.reshape({B, M, K}), tb.reshape({B, K, N})).reshape(out_sizes), labels};
}

void check_operands(const std::vector<Tensor>& operands) {
  WICK_CHECK(!operands.empty(), "einsum", "needs at least one operand");
  for (size_t i = 0; i < operands.size(); ++i) {
    WICK_CHECK(operands[i].defined(), "einsum", "operand ", i, " is an undefined tensor");
    WICK_CHECK(is_floating_point(operands[i].dtype()), "einsum", "expected floating point operands, got ",
               dtype_name(operands[i].dtype()), " for operand ", i);
    WICK_CHECK(operands[i].dtype() == operands[0].dtype(), "einsum", "expected operands of one dtype, got ",
               dtype_name(operands[0].dtype()), " for operand 0 and ", dtype_name(operands[i].dtype()), " for operand ",
               i);
    check_same_device("einsum", operands[0], operands[i]);
  }
}

}  // namespace

Tensor einsum(std::string_view equation, const std::vector<Tensor>& operands) {
  WICK_PROFILE_OP("einsum", operands);
  if (detail::AutocastOp ac{detail::autocast_lists::einsum, operands}) return einsum(equation, ac(operands));
  check_operands(operands);
  const Parsed p = parse(equation);
  WICK_CHECK(p.terms.size() == operands.size(), "einsum", "\"", equation, "\" has ", p.terms.size(), " operand",
             p.terms.size() == 1 ? "" : "s", " but ", operands.size(), " tensor",
             operands.size() == 1 ? " was" : "s were", " given");

  // How many dims each ellipsis covers; the widest sets how many ellipsis labels there are.
  int64_t ellipsis_dims = 0;
  for (size_t i = 0; i < operands.size(); ++i) {
    const Labels& term = p.terms[i];
    const bool ellipsis = contains(term, kEllipsisMark);
    const int64_t named = int64_t(term.size()) - (ellipsis ? 1 : 0), dims = operands[i].dim();
    WICK_CHECK(ellipsis ? named <= dims : named == dims, "einsum", "operand ", i, " of shape ",
               shape_str(operands[i].sizes()), " has ", dims, " dims but its subscripts \"", term_str(equation, i),
               "\" name ", ellipsis ? "at least " : "", named);
    if (ellipsis) ellipsis_dims = std::max(ellipsis_dims, dims - named);
  }

  std::vector<Operand> ops;
  for (size_t i = 0; i < operands.size(); ++i)
    ops.push_back(label_operand(equation, i, operands[i], p.terms[i], ellipsis_dims));

  // Labels shared by operands must agree in size, up to size-1 dims broadcasting.
  for (size_t i = 0; i < ops.size(); ++i)
    for (size_t j = i + 1; j < ops.size(); ++j)
      for (int l : ops[i].labels) {
        if (!contains(ops[j].labels, l)) continue;
        const int64_t si = size_of(ops[i], l), sj = size_of(ops[j], l);
        WICK_CHECK(si == sj || si == 1 || sj == 1, "einsum", "subscript ", label_name(l), " has size ", si,
                   " in operand ", i, " (shape ", shape_str(operands[i].sizes()), ") but size ", sj, " in operand ", j,
                   " (shape ", shape_str(operands[j].sizes()), ")");
      }

  // The output's labels: as written, or the ellipsis then every letter used once, in torch's letter order.
  Labels output;
  if (p.explicit_output) {
    for (int l : p.output) {
      if (l == kEllipsisMark) {
        for (int64_t k = 0; k < ellipsis_dims; ++k) output.push_back(kEllipsisLabel + int(k));
        continue;
      }
      WICK_CHECK(std::any_of(p.terms.begin(), p.terms.end(), [l](const Labels& t) { return contains(t, l); }), "einsum",
                 "output subscript ", label_name(l), " of \"", equation, "\" does not appear in any operand");
      WICK_CHECK(!contains(output, l), "einsum", "output subscript ", label_name(l), " appears more than once in \"",
                 equation, "\"");
      output.push_back(l);
    }
  } else {
    for (int64_t k = 0; k < ellipsis_dims; ++k) output.push_back(kEllipsisLabel + int(k));
    for (int l = 0; l < kLetters; ++l) {
      int uses = 0;
      for (const Labels& t : p.terms) uses += int(std::count(t.begin(), t.end(), l));
      if (uses == 1) output.push_back(l);
    }
  }

  // Left to right, as torch 1.13 without opt_einsum. Before each product, each side first sums the labels
  // that neither the other side, a later operand nor the output uses.
  Operand acc = ops[0];
  for (size_t i = 1; i < ops.size(); ++i) {
    Labels keep = output;
    for (size_t j = i + 1; j < ops.size(); ++j) keep.insert(keep.end(), ops[j].labels.begin(), ops[j].labels.end());
    Labels used_by_acc = keep, used_by_next = keep;
    used_by_acc.insert(used_by_acc.end(), ops[i].labels.begin(), ops[i].labels.end());
    used_by_next.insert(used_by_next.end(), acc.labels.begin(), acc.labels.end());
    sum_unused(acc, used_by_acc);
    sum_unused(ops[i], used_by_next);
    acc = contract(acc, ops[i], keep);
  }
  sum_unused(acc, output);
  SizeVec order;
  for (int l : output) order.push_back(std::find(acc.labels.begin(), acc.labels.end(), l) - acc.labels.begin());
  return acc.t.permute(order);
}

}  // namespace wick
