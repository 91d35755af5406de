// A NEAT population: genomes grouped into species by compatibility distance, so that a new structure competes
// first within its own niche (fitness sharing) instead of against networks whose weights have long been tuned.
#pragma once

#include <functional>
#include <vector>

#include "genome.h"

namespace neat {

struct Species {
  Genome representative;        // a member of the previous generation; newcomers are compared with it
  std::vector<size_t> members;  // indices into the population
  double best_fitness = 0;
  int stale_generations = 0;  // since best_fitness last improved
};

class Population {
 public:
  Population(int size, int inputs, int outputs, unsigned seed);

  // Scores every genome, then groups them into species.
  void evaluate(const std::function<double(const Genome&)>& fitness);
  // Breeds the next generation from the scored one.
  void reproduce();

  const Genome& best() const;
  size_t species_count() const { return species_.size(); }

 private:
  void speciate();

  Rng rng_;
  Innovations innovations_;
  std::vector<Genome> genomes_;
  std::vector<Species> species_;
};

}  // namespace neat
