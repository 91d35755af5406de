#!/usr/bin/python3
"""PyTorch reference values for wick's optim tests: tests/fixtures/optim_*.safetensors.

Run with Debian's python (torch 1.13):  /usr/bin/python3 tools/gen_optim_fixtures.py

optim_optimizers.safetensors  N-step replays. For case C, parameter i: "C.p<i>.init", then for each step t the
    gradient PyTorch saw, "C.p<i>.grad<t>" (absent: the parameter had no gradient that step), and the parameter
    after the step, "C.p<i>.step<t>". The test feeds the same gradients to wick's optimizer and compares.
    Every update runs PyTorch's single-tensor path (foreach=False). Float64 unless the case name ends in _f32.
optim_schedulers.safetensors  "C.lr": [steps + 1, groups] learning rates from construction on; "C.momentum"
    likewise for OneCycleLR; "C.metric" the values fed to ReduceLROnPlateau.
optim_lbfgs.safetensors  LBFGS replays: the optimizer calls the loss itself (a closure), so case C also holds the
    problem's data "C.x", "C.y"; after each step t, the parameters "C.p<i>.step<t>", the loss step() returned
    "C.loss<t>" and the state's counters "C.func_evals<t>", "C.n_iter<t>" (which pin the iterations and line-search
    evaluations PyTorch made).
optim_clip.safetensors  clip_grad_norm_/clip_grad_value_: gradients before ("C.g<i>") and after ("C.c<i>"),
    and the returned total norm ("C.total").
The C++ tests (tests/optim/) list the same cases and options; the file's __metadata__ names them, so a case
missing on either side is caught.
"""
import math

import torch

from fixture_writer import save

STEPS = 10


# ---- optimizers ---------------------------------------------------------------------------------------------

def problem_data(dtype):
    """Two parameters (a weight and a bias) and the data of problem()'s loss."""
    g = torch.Generator().manual_seed(7)
    w = torch.randn(3, 4, generator=g, dtype=dtype)
    b = torch.randn(4, generator=g, dtype=dtype)
    x = torch.randn(6, 3, generator=g, dtype=dtype)
    y = torch.randn(6, 4, generator=g, dtype=dtype)
    return [w, b], x, y


def problem(dtype):
    """Two parameters (a weight and a bias) and a smooth loss whose gradient depends on them."""
    params, x, y = problem_data(dtype)
    return params, lambda ps: ((x @ ps[0] + ps[1]).tanh() - y).pow(2).mean()


class NAdamPyTorch2(torch.optim.Optimizer):
    """torch.optim.NAdam's single-tensor update as PyTorch 2.0 computes it, which wick follows: 1.13 multiplies the
    current mu into the next step's product twice (mu_product * mu * mu_next after mu_product *= mu), fixed in 2.0.
    Like PyTorch, it keeps mu_product in a float32 tensor and uses its value as a Python float."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 foreach=False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state.update(step=0, mu_product=torch.tensor(1.), exp_avg=torch.zeros_like(p),
                                 exp_avg_sq=torch.zeros_like(p))
                state["step"] += 1
                step = state["step"]
                grad = p.grad if group["weight_decay"] == 0 else p.grad.add(p, alpha=group["weight_decay"])
                bias_correction2 = 1 - beta2 ** step
                mu = beta1 * (1. - 0.5 * (0.96 ** (step * group["momentum_decay"])))
                mu_next = beta1 * (1. - 0.5 * (0.96 ** ((step + 1) * group["momentum_decay"])))
                state["mu_product"] *= mu
                mu_product = state["mu_product"].item()
                state["exp_avg"].mul_(beta1).add_(grad, alpha=1 - beta1)
                state["exp_avg_sq"].mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                denom = state["exp_avg_sq"].div(bias_correction2).sqrt().add_(group["eps"])
                p.addcdiv_(grad, denom, value=-group["lr"] * (1. - mu) / (1. - mu_product))
                p.addcdiv_(state["exp_avg"], denom, value=-group["lr"] * mu_next / (1. - mu_product * mu_next))


# name -> (optimizer class, defaults, per-group options or None, steps at which p1 gets no gradient)
O = torch.optim
CASES = {
    "sgd": (O.SGD, dict(lr=0.1), None, ()),
    "sgd_momentum": (O.SGD, dict(lr=0.1, momentum=0.9), None, ()),
    "sgd_dampening": (O.SGD, dict(lr=0.1, momentum=0.9, dampening=0.5), None, ()),
    "sgd_nesterov": (O.SGD, dict(lr=0.1, momentum=0.9, nesterov=True), None, ()),
    "sgd_weight_decay": (O.SGD, dict(lr=0.1, momentum=0.5, weight_decay=0.1), None, ()),
    "sgd_maximize": (O.SGD, dict(lr=0.1, momentum=0.9, maximize=True), None, ()),
    "sgd_groups": (O.SGD, dict(lr=0.1, momentum=0.9), [dict(), dict(lr=0.01, momentum=0.0)], ()),
    "adam": (O.Adam, dict(lr=1e-2), None, ()),
    "adam_amsgrad": (O.Adam, dict(lr=1e-2, amsgrad=True), None, ()),
    "adam_weight_decay": (O.Adam, dict(lr=1e-2, weight_decay=0.1), None, ()),
    "adam_betas": (O.Adam, dict(lr=1e-2, betas=(0.8, 0.99), eps=1e-6), None, ()),
    "adam_maximize": (O.Adam, dict(lr=1e-2, maximize=True), None, ()),
    "adam_groups": (O.Adam, dict(lr=1e-2), [dict(), dict(lr=0.05, amsgrad=True)], ()),
    "adam_skip": (O.Adam, dict(lr=1e-2), None, (2, 3, 7)),
    "adam_f32": (O.Adam, dict(lr=1e-2), None, ()),
    "adamw": (O.AdamW, dict(lr=1e-2), None, ()),
    "adamw_amsgrad": (O.AdamW, dict(lr=1e-2, weight_decay=0.1, amsgrad=True), None, ()),
    "rmsprop": (O.RMSprop, dict(lr=1e-2), None, ()),
    "rmsprop_centered": (O.RMSprop, dict(lr=1e-2, centered=True), None, ()),
    "rmsprop_momentum": (O.RMSprop, dict(lr=1e-2, momentum=0.9), None, ()),
    "rmsprop_all": (O.RMSprop, dict(lr=1e-2, alpha=0.9, centered=True, momentum=0.5, weight_decay=0.1), None, ()),
    "adagrad": (O.Adagrad, dict(lr=1e-1), None, ()),
    "adagrad_lr_decay": (O.Adagrad, dict(lr=1e-1, lr_decay=0.1), None, ()),
    "adagrad_weight_decay": (O.Adagrad, dict(lr=1e-1, weight_decay=0.1), None, ()),
    "adagrad_initial": (O.Adagrad, dict(lr=1e-1, initial_accumulator_value=0.5, eps=1e-6), None, (4,)),
    "adadelta": (O.Adadelta, dict(), None, ()),
    "adadelta_all": (O.Adadelta, dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1, maximize=True), None, (3,)),
    "adamax": (O.Adamax, dict(lr=2e-2), None, ()),
    "adamax_all": (O.Adamax, dict(lr=2e-2, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, maximize=True), None, (5,)),
    "nadam": (NAdamPyTorch2, dict(lr=2e-2), None, ()),
    "nadam_all": (NAdamPyTorch2, dict(lr=2e-2, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, momentum_decay=1e-2),
                  None, (2,)),
    "nadam_f32": (NAdamPyTorch2, dict(lr=2e-2), None, ()),
    "radam": (O.RAdam, dict(lr=1e-2), None, ()),
    "radam_all": (O.RAdam, dict(lr=1e-2, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1), None, (6,)),
    "rprop": (O.Rprop, dict(lr=1e-2), None, ()),
    "rprop_all": (O.Rprop, dict(lr=2e-2, etas=(0.3, 1.5), step_sizes=(1e-3, 0.05), maximize=True), None, (4,)),
}


def optimizer_cases():
    tensors = {}
    for case, (cls, defaults, groups, skip) in CASES.items():
        dtype = torch.float32 if case.endswith("_f32") else torch.float64
        init, loss_fn = problem(dtype)
        params = [p.clone().requires_grad_(True) for p in init]
        if groups is None:
            opt = cls(params, foreach=False, **defaults)
        else:
            opt = cls([dict(params=[p], **g) for p, g in zip(params, groups)], foreach=False, **defaults)
        for i, p in enumerate(init):
            tensors[f"{case}.p{i}.init"] = p
        for t in range(STEPS):
            opt.zero_grad(set_to_none=True)
            loss_fn(params).backward()
            if t in skip:
                params[1].grad = None
            for i, p in enumerate(params):
                if p.grad is not None:
                    tensors[f"{case}.p{i}.grad{t}"] = p.grad.clone()
            opt.step()
            for i, p in enumerate(params):
                tensors[f"{case}.p{i}.step{t}"] = p.detach().clone()
    save("optim_optimizers.safetensors", tensors, {"cases": ",".join(CASES), "steps": STEPS})


# ---- LBFGS ------------------------------------------------------------------------------------------------

LBFGS_STEPS = 4
# name -> LBFGS options. LBFGS amplifies rounding: on this problem PyTorch's defaults (lr 1, 20 iterations) end
# 1e-7 apart after one step when the start moves by 1e-15 (wick and PyTorch round differently in the last bit),
# so these options keep that spread under 2e-12 (float64). lr 10 with strong_wolfe overshoots, so the
# line search zooms: both cubic interpolation branches, steps moved off the bracket's ends, the high end replaced.
LBFGS_CASES = {
    "lbfgs": dict(lr=0.5, max_iter=5),
    "lbfgs_history": dict(lr=0.5, max_iter=5, history_size=2),
    "lbfgs_strong_wolfe": dict(lr=3, max_iter=5, line_search_fn="strong_wolfe"),
    "lbfgs_strong_wolfe_zoom": dict(lr=10, max_iter=3, history_size=2, line_search_fn="strong_wolfe"),
    "lbfgs_strong_wolfe_history": dict(lr=10, max_iter=5, history_size=5, line_search_fn="strong_wolfe"),
    "lbfgs_tolerances": dict(lr=2, max_eval=12, tolerance_grad=1e-3, tolerance_change=1e-4,
                             line_search_fn="strong_wolfe"),
    "lbfgs_f32": dict(lr=0.3, max_iter=2),  # spread 1.3e-6 from a start 1e-7 away
}


def lbfgs_cases():
    tensors = {}
    # The problem draws from its own generator; the fork keeps the global one where the older cases leave it.
    with torch.random.fork_rng():
        torch.manual_seed(20)
        for case, options in LBFGS_CASES.items():
            dtype = torch.float32 if case.endswith("_f32") else torch.float64
            init, x, y = problem_data(dtype)  # saved too: wick evaluates the same loss
            _, loss_fn = problem(dtype)
            params = [p.clone().requires_grad_(True) for p in init]
            opt = torch.optim.LBFGS(params, **options)

            def closure():
                opt.zero_grad()
                loss = loss_fn(params)
                loss.backward()
                return loss

            tensors[f"{case}.x"], tensors[f"{case}.y"] = x, y
            for i, p in enumerate(init):
                tensors[f"{case}.p{i}.init"] = p
            for t in range(LBFGS_STEPS):
                loss = opt.step(closure)
                state = opt.state[params[0]]
                tensors[f"{case}.loss{t}"] = loss.detach().reshape(1).to(torch.float64)
                tensors[f"{case}.func_evals{t}"] = torch.tensor([state["func_evals"]], dtype=torch.int64)
                tensors[f"{case}.n_iter{t}"] = torch.tensor([state["n_iter"]], dtype=torch.int64)
                for i, p in enumerate(params):
                    tensors[f"{case}.p{i}.step{t}"] = p.detach().clone()
    save("optim_lbfgs.safetensors", tensors, {"cases": ",".join(LBFGS_CASES), "steps": LBFGS_STEPS})


# ---- schedulers ---------------------------------------------------------------------------------------------

S = torch.optim.lr_scheduler
SCHEDULES = {
    # name -> (optimizer kind, scheduler factory, steps)
    "step": ("sgd", lambda o: S.StepLR(o, step_size=3, gamma=0.5), 20),
    "multistep": ("sgd", lambda o: S.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.3), 20),
    "exponential": ("sgd", lambda o: S.ExponentialLR(o, gamma=0.9), 20),
    "cosine": ("sgd", lambda o: S.CosineAnnealingLR(o, T_max=8, eta_min=0.001), 40),
    "linear": ("sgd", lambda o: S.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=6), 20),
    "linear_decay": ("sgd", lambda o: S.LinearLR(o, start_factor=1.0, end_factor=0.25, total_iters=4), 10),
    "onecycle_sgd": ("sgd", lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=30), 29),
    "onecycle_adam_linear": ("adam", lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=25, pct_start=0.4,
                                                            anneal_strategy="linear", div_factor=10.0,
                                                            final_div_factor=100.0), 24),
    "onecycle_three_phase": ("sgd", lambda o: S.OneCycleLR(o, max_lr=2.0, total_steps=20, three_phase=True,
                                                           base_momentum=0.8, max_momentum=0.9), 19),
    "plateau": ("sgd", lambda o: S.ReduceLROnPlateau(o, patience=2, factor=0.5), 20),
    "plateau_max_abs": ("sgd", lambda o: S.ReduceLROnPlateau(o, mode="max", threshold_mode="abs", threshold=0.1,
                                                             patience=1, cooldown=2, min_lr=[0.02, 0.001]), 20),
}
PLATEAU_METRIC = [1.0, 0.9, 0.95, 0.93, 0.92, 0.91, 0.7, 0.71, 0.72, 0.73, 0.69, 0.69, 0.5, 0.6, 0.6, 0.6, 0.6,
                  0.65, 0.4, 0.4]


def scheduler_cases():
    tensors = {}
    for case, (kind, make, steps) in SCHEDULES.items():
        params = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
        if kind == "sgd":
            opt = torch.optim.SGD([dict(params=[params[0]]), dict(params=[params[1]], lr=0.3)], lr=0.1,
                                  momentum=0.9)
        else:
            opt = torch.optim.Adam([dict(params=[params[0]]), dict(params=[params[1]], lr=0.3)], lr=0.1)
        sched = make(opt)
        plateau = isinstance(sched, S.ReduceLROnPlateau)
        momentum_key = "momentum" if kind == "sgd" else "betas"

        def momenta():
            return [g[momentum_key] if kind == "sgd" else g["betas"][0] for g in opt.param_groups]

        lrs, moms = [[g["lr"] for g in opt.param_groups]], [momenta()]
        for t in range(steps):
            opt.step()
            if plateau:
                sched.step(PLATEAU_METRIC[t])
            else:
                sched.step()
            lrs.append([g["lr"] for g in opt.param_groups])
            moms.append(momenta())
        tensors[f"{case}.lr"] = torch.tensor(lrs, dtype=torch.float64)
        if case.startswith("onecycle"):
            tensors[f"{case}.momentum"] = torch.tensor(moms, dtype=torch.float64)
        if plateau:
            tensors[f"{case}.metric"] = torch.tensor(PLATEAU_METRIC[:steps], dtype=torch.float64)
    save("optim_schedulers.safetensors", tensors, {"cases": ",".join(SCHEDULES)})


# ---- gradient clipping --------------------------------------------------------------------------------------

CLIPS = {
    "norm2": ("norm", 1.0, 2.0),
    "norm1": ("norm", 2.0, 1.0),
    "norm_inf": ("norm", 0.5, math.inf),
    "norm_unclipped": ("norm", 100.0, 2.0),
    "value": ("value", 0.3, None),
}


def clip_cases():
    tensors = {}
    g = torch.Generator().manual_seed(3)
    for case, (kind, limit, norm_type) in CLIPS.items():
        params = [torch.zeros(3, 4, dtype=torch.float32, requires_grad=True),
                  torch.zeros(5, dtype=torch.float32, requires_grad=True)]
        for i, p in enumerate(params):
            p.grad = torch.randn(p.shape, generator=g)
            tensors[f"{case}.g{i}"] = p.grad.clone()
        if kind == "norm":
            total = torch.nn.utils.clip_grad_norm_(params, limit, norm_type)
            tensors[f"{case}.total"] = total.reshape(1).to(torch.float64)
        else:
            torch.nn.utils.clip_grad_value_(params, limit)
        for i, p in enumerate(params):
            tensors[f"{case}.c{i}"] = p.grad.clone()
    save("optim_clip.safetensors", tensors, {"cases": ",".join(CLIPS)})


if __name__ == "__main__":
    optimizer_cases()
    lbfgs_cases()
    scheduler_cases()
    clip_cases()
