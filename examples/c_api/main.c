/* A plain C program driving a policy through wick's C ABI (wick_c.h): builds the architecture from a JSON config,
 * loads weights saved by PyTorch, then runs one forward per observation from caller-owned buffers that wick views
 * without copying, printing each action. A recurrent policy carries its state from one observation to the next.
 *
 *   c_api CONFIG_JSON WEIGHTS.safetensors [OBSERVATION_VALUE ...]
 *   c_api '{"type": "mlp", "sizes": [16, 64, 64, 4], "activation": "tanh"}' policy_mlp.safetensors 0.1 ...
 *
 * The values are read row by row, input_size per observation (none: one observation of zeros). Prints one line
 * of actions per observation. On any error it prints the status code and wick's message, and exits 1. */
#include <stdio.h>
#include <stdlib.h>

#include <wick_c.h>

static int report(const char* what, wick_status status) {
  fprintf(stderr, "%s failed (status %d): %s\n", what, (int)status, wick_last_error());
  return 1;
}

int main(int argc, char** argv) {
  wick_policy* policy = NULL;
  wick_tensor *obs_tensor = NULL, *action_tensor = NULL;
  float *obs = NULL, *action = NULL;
  int rc = 1;
  wick_status st;

  if (argc < 3) {
    fprintf(stderr, "usage: %s CONFIG_JSON WEIGHTS.safetensors [OBSERVATION_VALUE ...]\n", argv[0]);
    return 2;
  }
  if ((st = wick_policy_create(argv[1], &policy)) != WICK_OK) return report("wick_policy_create", st);
  if ((st = wick_policy_load(policy, argv[2])) != WICK_OK) {
    rc = report("wick_policy_load", st);
    goto done;
  }

  {
    const int64_t n_in = wick_policy_input_size(policy), n_out = wick_policy_output_size(policy);
    const int64_t values = argc - 3, steps = values == 0 ? 1 : values / n_in;
    const int64_t obs_shape[2] = {1, n_in}, action_shape[2] = {1, n_out};
    int64_t step, i;
    if (values % n_in != 0) {
      fprintf(stderr, "expected observations of %lld values, got %lld values\n", (long long)n_in, (long long)values);
      goto done;
    }
    obs = calloc((size_t)n_in, sizeof(float));
    action = calloc((size_t)n_out, sizeof(float));
    if (!obs || !action) goto done;
    /* The tensors view obs and action for the whole run: refilling obs is all a new step needs. */
    if ((st = wick_tensor_from_buffer(obs, obs_shape, 2, &obs_tensor)) != WICK_OK ||
        (st = wick_tensor_from_buffer(action, action_shape, 2, &action_tensor)) != WICK_OK) {
      rc = report("wick_tensor_from_buffer", st);
      goto done;
    }
    for (step = 0; step < steps; ++step) {
      for (i = 0; i < n_in && values > 0; ++i) obs[i] = strtof(argv[3 + step * n_in + i], NULL);
      if ((st = wick_policy_forward(policy, obs_tensor, action_tensor)) != WICK_OK) {
        rc = report("wick_policy_forward", st);
        goto done;
      }
      for (i = 0; i < n_out; ++i) printf(i + 1 < n_out ? "%.7g " : "%.7g\n", action[i]);
    }
  }
  rc = 0;

done:
  wick_tensor_free(obs_tensor);
  wick_tensor_free(action_tensor);
  wick_policy_free(policy);
  free(obs);
  free(action);
  return rc;
}
