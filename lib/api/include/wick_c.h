/* wick's C ABI: run a control policy from C, or from anything that calls C (Unity P/Invoke, Godot GDExtension,
 * robotics middleware). Opaque handles, float32 only, and no exception ever crosses it: every call that can
 * fail returns a wick_status and leaves a message for wick_last_error().
 *
 *   wick_policy* policy;
 *   wick_policy_create("{\"type\": \"mlp\", \"sizes\": [16, 64, 64, 4], \"activation\": \"tanh\"}", &policy);
 *   wick_policy_load(policy, "policy.safetensors");           (saved from PyTorch: names "0.weight", ...)
 *   float obs[16], act[4];  int64_t obs_shape[2] = {1, 16}, act_shape[2] = {1, 4};
 *   wick_tensor *o, *a;
 *   wick_tensor_from_buffer(obs, obs_shape, 2, &o);            (views obs: no copy, now or per call)
 *   wick_tensor_from_buffer(act, act_shape, 2, &a);
 *   for (;;) { fill obs; wick_policy_forward(policy, o, a); use act; }
 *
 * Policy configs (JSON), with the parameter names PyTorch gives the same model, so its state_dict loads as is:
 *   {"type": "mlp", "sizes": [16, 64, 64, 4], "activation": "tanh", "output_activation": "none"}
 *       nn.Sequential(Linear(16, 64), Tanh(), Linear(64, 64), Tanh(), Linear(64, 4) [, output activation]):
 *       "0.weight", "0.bias", "2.weight", ... Activations: none, relu, tanh, sigmoid, gelu, silu, elu.
 *   {"type": "gru", "input": 16, "hidden": 32, "output": 4}   (or "lstm")
 *       rnn = nn.GRU(16, 32, batch_first=True), head = nn.Linear(32, 4): "rnn.weight_ih_l0", ..., "head.weight".
 *       Each forward is one time step; the hidden state carries over until wick_policy_reset().
 *   Any type takes "quantized": "int8" (default "none"): its Linear/GRU/LSTM layers run in int8, as PyTorch's
 *       quantize_dynamic with per_channel_dynamic_qconfig makes them. wick_policy_load then takes either float
 *       weights (a PyTorch state_dict, quantized as they load) or the int8 weights a quantized wick model saved
 *       ("0.weight" int8 with "0.weight_scale" float32 per output channel, "rnn.weight_ih_l0" and
 *       "rnn.weight_ih_l0_scale", ...). "int8_layers": ["2", "4"] quantizes only the named modules (keeping the
 *       input layer float keeps observations of mixed scales precise: activations share one scale per call).
 *
 * A policy handle is used by one thread at a time (recurrent ones hold state); give each thread its own.
 * In steady state, a forward call allocates no heap memory. */
#ifndef WICK_C_H
#define WICK_C_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum wick_status {
  WICK_OK = 0,
  WICK_ERROR_ARGUMENT = 1, /* a null pointer, a bad shape or size, a malformed config */
  WICK_ERROR_FILE = 2,     /* a weights file that is missing, unreadable, corrupt or does not match the model */
  WICK_ERROR_OUT_OF_MEMORY = 3,
  WICK_ERROR_INTERNAL = 4 /* anything else wick reported */
} wick_status;

/* The message of the last failed call on this thread ("" if none); valid until the thread's next failing call. */
const char* wick_last_error(void);
const char* wick_version(void);

/* Deterministic numerics (wick/deterministic_numerics.h, README "Deterministic numerics"): nonzero turns it on, 0 off,
 * for the whole process; while on, a policy gives the same action bits on every x86-64 CPU (any kernel set) and on
 * AArch64, float32 and int8 alike, at some cost in speed. Returns the previous setting (0 or 1). */
int wick_set_deterministic_numerics(int on);

/* ---- tensors over caller memory ---- */
typedef struct wick_tensor wick_tensor;

/* A float32 tensor of `shape` (ndim 1 to 8, row-major) that views `data`: nothing is copied, and the caller keeps
 * `data` alive and in place until wick_tensor_free. */
wick_status wick_tensor_from_buffer(float* data, const int64_t* shape, int ndim, wick_tensor** out);
/* Writes up to `capacity` sizes into `shape` and the number of dims into `*ndim`. */
wick_status wick_tensor_shape(const wick_tensor* tensor, int64_t* shape, int capacity, int* ndim);
void wick_tensor_free(wick_tensor* tensor); /* NULL is fine */

/* ---- policies ---- */
typedef struct wick_policy wick_policy;

wick_status wick_policy_create(const char* json_config, wick_policy** out);
/* Loads weights by name from a safetensors file; strict: every parameter present with its shape, nothing extra. */
wick_status wick_policy_load(wick_policy* policy, const char* safetensors_path);
/* observation [B, input] (or [input]) -> action [B, output] (or [output]), written into the action tensor's memory. */
wick_status wick_policy_forward(wick_policy* policy, const wick_tensor* observation, wick_tensor* action);
/* Zeroes a recurrent policy's hidden state (a new episode); nothing to do for an MLP. */
wick_status wick_policy_reset(wick_policy* policy);
int64_t wick_policy_input_size(const wick_policy* policy);
int64_t wick_policy_output_size(const wick_policy* policy);
void wick_policy_free(wick_policy* policy); /* NULL is fine */

#ifdef __cplusplus
}
#endif

#endif /* WICK_C_H */
