// The cart-pole of Barto, Sutton & Anderson (1983): a pole hinged on a cart that a controller pushes left or right
// with a fixed force; it fails when the pole leans past 12 degrees or the cart leaves the 4.8 m track. Their
// equations of motion, integrated by Euler steps of 20 ms, as in the classic benchmark.
#pragma once

#include <array>
#include <cmath>
#include <random>
#include <vector>

namespace neat {

struct CartPole {
  double x = 0, x_dot = 0, theta = 0, theta_dot = 0;  // m, m/s, rad (0 upright), rad/s

  void step(bool push_right) {
    constexpr double gravity = 9.8, cart_mass = 1.0, pole_mass = 0.1, half_length = 0.5, force_magnitude = 10.0;
    constexpr double tau = 0.02, total_mass = cart_mass + pole_mass;
    const double force = push_right ? force_magnitude : -force_magnitude;
    const double cos_theta = std::cos(theta), sin_theta = std::sin(theta);
    const double temp = (force + pole_mass * half_length * theta_dot * theta_dot * sin_theta) / total_mass;
    const double theta_acc = (gravity * sin_theta - cos_theta * temp) /
                             (half_length * (4.0 / 3.0 - pole_mass * cos_theta * cos_theta / total_mass));
    const double x_acc = temp - pole_mass * half_length * theta_acc * cos_theta / total_mass;
    x += tau * x_dot;
    x_dot += tau * x_acc;
    theta += tau * theta_dot;
    theta_dot += tau * theta_acc;
  }
  bool failed() const { return std::abs(x) > 2.4 || std::abs(theta) > 12 * M_PI / 180; }
  // The state scaled to about [-1, 1], what the network sees.
  std::array<float, 4> observation() const {
    return {float(x / 2.4), float(x_dot / 2), float(theta / (12 * M_PI / 180)), float(theta_dot / 2)};
  }
};

// Starting states drawn once from a fixed seed: off-centre, moving, leaning; every genome faces the same ones.
inline std::vector<CartPole> fixed_starts(int count, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> unit(-1, 1);
  std::vector<CartPole> starts;
  for (int i = 0; i < count; ++i)
    starts.push_back({1.8 * unit(rng), 1.0 * unit(rng), 0.15 * unit(rng), 1.0 * unit(rng)});
  return starts;
}

}  // namespace neat
