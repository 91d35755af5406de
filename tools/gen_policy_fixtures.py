#!/usr/bin/python3
"""Control policies made in PyTorch, for the embedded-inference example, the C ABI and their tests.

Run with Debian's python (torch 1.13):  /usr/bin/python3 tools/gen_policy_fixtures.py
Writes, in float32 as a PyTorch user would save them, with PyTorch's parameter names:
  tests/fixtures/policy_mlp.safetensors   nn.Sequential(Linear(16, 64), Tanh, Linear(64, 64), Tanh, Linear(64, 4)),
      trained by behaviour cloning to steer the simulated plant of examples/embedded_policy/plant.h: four point
      masses, each observed as (position error, velocity, target, previous force), pushed by a force in [-1, 1]
      towards a PD controller's force clamp(-2 e - 0.6 v, -1, 1).
  tests/fixtures/policy_gru.safetensors, policy_lstm.safetensors   a recurrent policy head: rnn = nn.GRU / nn.LSTM
      (16 -> 32, batch_first) then head = nn.Linear(32, 4); random weights.
  tests/fixtures/policy_reference.safetensors   for each policy, "<kind>.obs" [8, 16] observations and
      "<kind>.actions" [8, 4] the actions PyTorch computes, the recurrent ones stepping from a zero state.
"""
import torch
import torch.nn as nn

from fixture_writer import save

torch.manual_seed(0)


def expert(obs):
    """The PD controller the MLP imitates, per axis of [..., 4 axes x (error, velocity, target, previous force)]."""
    o = obs.reshape(*obs.shape[:-1], 4, 4)
    return (-2.0 * o[..., 0] - 0.6 * o[..., 1]).clamp(-1.0, 1.0)


def sample_observations(n):
    lo = torch.tensor([-2.0, -3.0, -1.0, -1.0]).repeat(4)
    hi = -lo
    return lo + (hi - lo) * torch.rand(n, 16)


mlp = nn.Sequential(nn.Linear(16, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 4))
opt = torch.optim.Adam(mlp.parameters(), lr=3e-3)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, 4000)
for step in range(4000):
    obs = sample_observations(512)
    loss = ((mlp(obs) - expert(obs)) ** 2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()
with torch.no_grad():
    held_out = sample_observations(4096)
    mse = ((mlp(held_out) - expert(held_out)) ** 2).mean().item()
print(f"mlp policy: held-out MSE to the PD controller {mse:.2e}")
save("policy_mlp.safetensors", dict(mlp.state_dict()), {"architecture": "16-64-64-4 Tanh", "imitation_mse": f"{mse:.3e}"})


class RecurrentPolicy(nn.Module):
    def __init__(self, kind):
        super().__init__()
        self.rnn = (nn.GRU if kind == "gru" else nn.LSTM)(16, 32, batch_first=True)
        self.head = nn.Linear(32, 4)

    def forward(self, obs):  # obs [T, 16]: one episode, stepped from a zero state
        out, _ = self.rnn(obs.unsqueeze(0))
        return self.head(out.squeeze(0))


reference = {}
with torch.no_grad():
    obs = sample_observations(8)
    reference["mlp.obs"] = obs
    reference["mlp.actions"] = mlp(obs)
    for kind in ["gru", "lstm"]:
        policy = RecurrentPolicy(kind)
        save(f"policy_{kind}.safetensors", dict(policy.state_dict()), {"architecture": f"{kind} 16-32, linear 32-4"})
        obs = sample_observations(8)
        reference[f"{kind}.obs"] = obs
        reference[f"{kind}.actions"] = policy(obs)
save("policy_reference.safetensors", reference, {"generator": "tools/gen_policy_fixtures.py"})
