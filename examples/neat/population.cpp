// Speciation, fitness sharing and reproduction, with the paper's settings for a population of 150.
#include "population.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace neat {

namespace {

constexpr double kCompatibilityThreshold = 3.0;  // distance below which a genome joins a species
constexpr int kStaleLimit = 15;                  // generations without improvement before a species dies out
constexpr double kSurvivors = 0.2;               // the fittest fifth of each species breeds
constexpr double kMutationOnly = 0.25;           // offspring copied from one parent instead of crossed
constexpr size_t kChampionSpeciesSize = 5;       // larger species pass their champion on unchanged

}  // namespace

Population::Population(int size, int inputs, int outputs, unsigned seed)
    : rng_(seed), innovations_(inputs + 1 + outputs) {
  for (int i = 0; i < size; ++i) genomes_.push_back(Genome::minimal(inputs, outputs, innovations_, rng_));
}

void Population::evaluate(const std::function<double(const Genome&)>& fitness) {
  for (Genome& g : genomes_) g.fitness = fitness(g);
  speciate();
}

const Genome& Population::best() const {
  return *std::max_element(genomes_.begin(), genomes_.end(),
                           [](const Genome& a, const Genome& b) { return a.fitness < b.fitness; });
}

void Population::speciate() {
  for (Species& s : species_) s.members.clear();
  for (size_t i = 0; i < genomes_.size(); ++i) {
    auto home = std::find_if(species_.begin(), species_.end(), [&](const Species& s) {
      return distance(genomes_[i], s.representative) < kCompatibilityThreshold;
    });
    if (home == species_.end()) home = species_.insert(species_.end(), Species{genomes_[i], {}});
    home->members.push_back(i);
  }
  std::erase_if(species_, [](const Species& s) { return s.members.empty(); });
  for (Species& s : species_) {
    double best = 0;
    for (size_t i : s.members) best = std::max(best, genomes_[i].fitness);
    s.stale_generations = best > s.best_fitness ? 0 : s.stale_generations + 1;
    s.best_fitness = std::max(s.best_fitness, best);
  }
}

void Population::reproduce() {
  const double top = best().fitness;
  std::erase_if(species_, [&](const Species& s) { return s.stale_generations > kStaleLimit && s.best_fitness < top; });

  // Fitness sharing: each genome's fitness is divided by its species' size, so a species' share of the offspring
  // is its mean fitness and no single species can take over the population by sheer numbers.
  std::vector<double> share;
  for (const Species& s : species_) {
    double sum = 0;
    for (size_t i : s.members) sum += genomes_[i].fitness;
    share.push_back(sum / double(s.members.size()));
  }
  const double total = std::accumulate(share.begin(), share.end(), 0.0);
  const size_t size = genomes_.size();
  std::vector<size_t> offspring(species_.size());
  for (size_t s = 0; s < species_.size(); ++s)
    offspring[s] = total > 0 ? size_t(std::floor(share[s] / total * double(size))) : size / species_.size();
  std::vector<size_t> by_share(species_.size());
  std::iota(by_share.begin(), by_share.end(), size_t(0));
  std::sort(by_share.begin(), by_share.end(), [&](size_t a, size_t b) { return share[a] > share[b]; });
  for (size_t k = 0; std::accumulate(offspring.begin(), offspring.end(), size_t(0)) < size; ++k)
    ++offspring[by_share[k % by_share.size()]];  // what rounding down left over goes to the best species first

  std::vector<Genome> next;
  for (size_t s = 0; s < species_.size(); ++s) {
    std::vector<size_t>& members = species_[s].members;
    std::sort(members.begin(), members.end(),
              [&](size_t a, size_t b) { return genomes_[a].fitness > genomes_[b].fitness; });
    size_t n = offspring[s];
    if (n > 0 && members.size() > kChampionSpeciesSize) {
      next.push_back(genomes_[members[0]]);
      --n;
    }
    const size_t parents = std::max<size_t>(1, size_t(std::ceil(kSurvivors * double(members.size()))));
    std::uniform_int_distribution<size_t> parent(0, parents - 1);
    for (; n > 0; --n) {
      const Genome& a = genomes_[members[parent(rng_)]];
      const Genome& b = genomes_[members[parent(rng_)]];
      const bool clone = parents == 1 || std::uniform_real_distribution<double>(0, 1)(rng_) < kMutationOnly;
      Genome child = clone ? a : a.fitness >= b.fitness ? crossover(a, b, rng_) : crossover(b, a, rng_);
      child.mutate(innovations_, rng_);
      next.push_back(std::move(child));
    }
    // Next generation's newcomers are compared with a random member of this one.
    species_[s].representative = genomes_[members[std::uniform_int_distribution<size_t>(0, members.size() - 1)(rng_)]];
  }
  genomes_ = std::move(next);
}

}  // namespace neat
