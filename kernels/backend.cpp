// Defaults of the optional primitives in backend.h. lib/ asks fuses_normalization (fuses_recurrent_cells)
// before calling any of these, so reaching one is a bug in lib/, reported as such rather than as undefined
// behaviour.
#include "backend.h"

#include "wick/error.h"

namespace wick {

namespace {
[[noreturn]] void not_fused(const char* op, const Backend& backend) {
  fail(op, "the ", Device(backend.type()).str(), " backend does not fuse this op; lib/ must compose it");
}
}  // namespace

void Backend::batch_norm(const View&, const View&, const View&, const View&, const View*, const View*, double, bool) {
  not_fused("batch_norm", *this);
}
void Backend::batch_norm_backward(const View&, const View*, const View*, const View&, const View&, const View&,
                                  const View&, const View*, double, bool) {
  not_fused("batch_norm_backward", *this);
}
void Backend::layer_norm(const View&, const View&, const View&, const View&, const View*, const View*, double) {
  not_fused("layer_norm", *this);
}
void Backend::layer_norm_backward(const View&, const View*, const View*, const View&, const View&, const View&,
                                  const View&, const View*, double) {
  not_fused("layer_norm_backward", *this);
}
void Backend::lstm_cell(const View&, const View&, const View&, const View&, const View&, const View&) {
  not_fused("lstm_cell", *this);
}
void Backend::lstm_cell_backward(const View&, const View&, const View*, const View*, const View&, const View&) {
  not_fused("lstm_cell_backward", *this);
}
void Backend::gru_cell(const View&, const View&, const View&, const View&, const View&) {
  not_fused("gru_cell", *this);
}
void Backend::gru_cell_backward(const View&, const View&, const View&, const View&, const View&, const View&) {
  not_fused("gru_cell_backward", *this);
}

}  // namespace wick
