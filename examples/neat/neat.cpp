// NEAT, NeuroEvolution of Augmenting Topologies (Stanley & Miikkulainen 2002): no gradients at all. A population
// of networks, each described by a genome, is scored, and the fitter ones breed the next generation; mutations
// tune weights and also add nodes and connections, so the search finds the network's shape as well as its weights.
// Every network runs as wick tensors (network.h), a batch of inputs at a time.
//
//   neat [--quick] [--seed N]
//
// It evolves XOR (which needs a hidden node, so structure must grow) and then a controller that balances a
// simulated cart-pole from fixed starting states, and prints each winner as a Graphviz graph. --quick runs XOR
// only. Exits non-zero if a task is not solved within its generation limit.
#include <wick/wick.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <numeric>
#include <string>
#include <vector>

#include "cart_pole.h"
#include "dot.h"
#include "network.h"
#include "population.h"

namespace {

constexpr int kPopulation = 150;
// Generation limits, from runs of seeds 1-300 (XOR: median 22, worst 86) and 1-20 (cart-pole: 1 to 4).
constexpr int kXorLimit = 150, kPoleLimit = 30;

// Runs generations until `solved` accepts the best genome or `limit` generations have been scored. Returns the
// number of generations it took (0 when it failed) and leaves the winner in `winner`.
int evolve(const char* task, int inputs, int outputs, unsigned seed, int limit,
           const std::function<double(const neat::Genome&)>& fitness,
           const std::function<bool(const neat::Genome&)>& solved, neat::Genome& winner) {
  neat::Population population(kPopulation, inputs, outputs, seed);
  for (int generation = 1; generation <= limit; ++generation) {
    population.evaluate(fitness);
    const neat::Genome& best = population.best();
    const bool done = solved(best);
    if (done || generation % 10 == 0)
      std::printf("%s generation %3d: best fitness %.3f, %zu species, best has %d hidden nodes, %d connections\n", task,
                  generation, best.fitness, population.species_count(), best.hidden_nodes(),
                  best.enabled_connections());
    if (done) {
      winner = best;
      return generation;
    }
    population.reproduce();
  }
  return 0;
}

// ---- XOR: the four cases as one batch [4, 2] ------------------------------------------------------------------
const wick::Tensor& xor_inputs() {
  static const wick::Tensor inputs = wick::tensor({{0.f, 0.f}, {0.f, 1.f}, {1.f, 0.f}, {1.f, 1.f}});
  return inputs;
}
const wick::Tensor& xor_targets() {
  static const wick::Tensor targets = wick::tensor({{0.f}, {1.f}, {1.f}, {0.f}});
  return targets;
}

// The paper's fitness: (4 - sum of squared errors)^2, so getting closer matters more near the answer.
double xor_fitness(const neat::Genome& g) {
  const wick::Tensor error = (neat::Network(g).forward(xor_inputs()) - xor_targets()).pow(2).sum();
  return std::pow(4.0 - error.item<double>(), 2);
}
// Solved when every case lands on the right side of 0.5.
bool xor_solved(const neat::Genome& g) {
  const wick::Tensor predicted = neat::Network(g).forward(xor_inputs()).gt(0.5);
  return wick::equal(predicted, xor_targets().gt(0.5));
}

// ---- Cart-pole: every start balanced at once, one batch row per cart ------------------------------------------
constexpr int kStarts = 10, kSteps = 2000;  // 2000 steps of 20 ms: 40 simulated seconds from each start

// How many steps (up to kSteps) the network keeps each cart's pole up.
std::vector<int> balance(const neat::Genome& g, std::vector<neat::CartPole> carts) {
  const neat::Network network(g);
  const auto n = int64_t(carts.size());
  std::vector<int> steps(carts.size(), 0);
  std::vector<float> observations(carts.size() * 4);
  int64_t alive = n;
  for (int step = 0; step < kSteps && alive > 0; ++step) {
    for (size_t i = 0; i < carts.size(); ++i) {
      const std::array<float, 4> o = carts[i].observation();
      std::copy(o.begin(), o.end(), observations.begin() + std::ptrdiff_t(4 * i));
    }
    // from_blob views the loop's buffer: no copy into the network.
    const wick::Tensor push = network.forward(wick::from_blob(observations.data(), {n, 4}));
    const float* right = push.data_ptr<float>();
    for (size_t i = 0; i < carts.size(); ++i) {
      if (steps[i] < step) continue;  // fell earlier
      carts[i].step(right[i] > 0.5f);
      if (carts[i].failed())
        --alive;
      else
        ++steps[i];
    }
  }
  return steps;
}

// The mean fraction of the kSteps steps that the carts from the fixed starts stayed up; 1 when all survived.
double balance_fitness(const neat::Genome& g) {
  static const std::vector<neat::CartPole> starts = neat::fixed_starts(kStarts, /*seed=*/7);
  const std::vector<int> steps = balance(g, starts);
  return double(std::accumulate(steps.begin(), steps.end(), 0)) / (kStarts * kSteps);
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  unsigned seed = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      quick = true;
    } else if (std::strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
      seed = unsigned(std::strtoul(argv[++i], nullptr, 10));
    } else {
      std::fprintf(stderr, "usage: neat [--quick] [--seed N]\n");
      return 2;
    }
  }
  // Evolution needs no gradients: nothing is recorded.
  wick::InferenceMode inference;
  const auto start = std::chrono::steady_clock::now();
  const auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };

  neat::Genome xor_winner;
  const int xor_generations = evolve("xor", 2, 1, seed, kXorLimit, xor_fitness, xor_solved, xor_winner);
  if (xor_generations == 0) {
    std::printf("XOR not solved in %d generations (seed %u)\n", kXorLimit, seed);
    return 1;
  }
  std::printf("XOR solved in generation %d (%.2f s)\n%s", xor_generations, seconds(),
              neat::to_dot(xor_winner, {"a", "b"}, {"a xor b"}).c_str());
  if (quick) return 0;

  neat::Genome pole_winner;
  const int pole_generations = evolve(
      "cart-pole", 4, 1, seed, kPoleLimit, balance_fitness, [](const neat::Genome& g) { return g.fitness >= 1.0; },
      pole_winner);
  if (pole_generations == 0) {
    std::printf("cart-pole not balanced in %d generations (seed %u)\n", kPoleLimit, seed);
    return 1;
  }
  // Starts it never trained on tell whether it learned to balance or learned its ten starts.
  const std::vector<int> unseen = balance(pole_winner, neat::fixed_starts(100, /*seed=*/seed + 1000));
  std::printf(
      "cart-pole balanced from all %d starts for %d steps in generation %d (%.2f s); from %d of 100 unseen "
      "starts\n%s",
      kStarts, kSteps, pole_generations, seconds(), int(std::count(unseen.begin(), unseen.end(), kSteps)),
      neat::to_dot(pole_winner, {"x", "x'", "theta", "theta'"}, {"push right"}).c_str());
  return 0;
}
