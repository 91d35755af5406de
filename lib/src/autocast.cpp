// The calling thread's autocast state and the casts AutocastOp makes (wick/autocast.h,
// wick/detail/autocast_op.h).
#include "wick/autocast.h"

#include "wick/detail/autocast_op.h"
#include "wick/error.h"

namespace wick {
namespace {

constexpr int kDeviceTypes = 2;  // CPU, CUDA: the device types autocast knows

struct AutocastState {
  uint8_t mask = 0;  // bit d: autocast on for device type d
  ScalarType dtype[kDeviceTypes] = {kBFloat16, kHalf};
};

AutocastState& state() {
  thread_local AutocastState s;
  return s;
}

int slot(DeviceType device) {
  const int d = int(device);
  WICK_CHECK(d >= 0 && d < kDeviceTypes, "autocast", "no autocast for device type ", d);
  return d;
}

uint8_t bit(DeviceType device) { return uint8_t(1u << slot(device)); }

}  // namespace

namespace autocast {

bool is_enabled(DeviceType device) { return state().mask & bit(device); }

void set_enabled(DeviceType device, bool enabled) {
  if (enabled)
    state().mask |= bit(device);
  else
    state().mask &= uint8_t(~bit(device));
}

ScalarType get_autocast_dtype(DeviceType device) { return state().dtype[slot(device)]; }

void set_autocast_dtype(DeviceType device, ScalarType dtype) {
  WICK_CHECK(dtype == kHalf || dtype == kBFloat16, "autocast", "the autocast dtype must be float16 or bfloat16, got ",
             dtype_name(dtype));
  state().dtype[slot(device)] = dtype;
}

AutocastGuard::AutocastGuard(DeviceType device, ScalarType dtype)
    : device_(device), previous_enabled_(is_enabled(device)), previous_dtype_(get_autocast_dtype(device)) {
  set_autocast_dtype(device, dtype);  // checks the dtype before anything changes
  set_enabled(device, true);
}

AutocastGuard::~AutocastGuard() {
  state().dtype[slot(device_)] = previous_dtype_;
  set_enabled(device_, previous_enabled_);
}

}  // namespace autocast

namespace detail {

uint8_t& autocast_enabled_mask() { return state().mask; }

void AutocastOp::begin(AutocastRule rule, Device device) {
  const int d = int(device.type);
  if (d >= kDeviceTypes || !(state().mask & (1u << d))) return;
  policy_ = device.type == DeviceType::CPU ? rule.cpu : rule.cuda;
  if (policy_ == CastPolicy::None) return;
  device_ = device.type;
  to_ = policy_ == CastPolicy::LowerPrecision ? state().dtype[d] : kFloat;
  active_ = true;
  saved_mask_ = state().mask;
  state().mask = 0;  // the op's body runs as written
}

AutocastOp::AutocastOp(AutocastRule rule, const std::vector<Tensor>& inputs) {
  if (autocast_enabled_mask() == 0 || inputs.empty()) return;
  begin(rule, inputs.front().device());
  if (!active_ || policy_ != CastPolicy::Promote) return;
  // As PyTorch's promote_type: from the region's low dtype, widened by each eligible input.
  to_ = state().dtype[int(device_)];
  for (const Tensor& t : inputs)
    if (eligible(t)) to_ = promote_types(to_, t.dtype());
}

void AutocastOp::end() { state().mask = saved_mask_; }

// PyTorch's is_eligible: a defined floating tensor on the region's device type that is not float64.
bool AutocastOp::eligible(const Tensor& t) const {
  return t.defined() && t.device().type == device_ && is_floating_point(t.dtype()) && t.dtype() != kDouble;
}

Tensor AutocastOp::operator()(const Tensor& t) const {
  if (!active_ || !eligible(t) || t.dtype() == to_) return t;
  return t.to(to_);
}

std::vector<Tensor> AutocastOp::operator()(const std::vector<Tensor>& ts) const {
  std::vector<Tensor> out;
  out.reserve(ts.size());
  for (const Tensor& t : ts) out.push_back((*this)(t));
  return out;
}

}  // namespace detail
}  // namespace wick
