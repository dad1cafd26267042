#include "usher_service/failure_delay.hpp"

#include <algorithm>
#include <cmath>

namespace sevu::usher_service {

namespace {
// Past this score the delay is at its maximum anyway; capping it lets the
// delay fall back within a few half-lives once the failures stop.
constexpr double kMaxScore = 16;
}  // namespace

FailureDelay::FailureDelay(Policy policy) : policy_(policy) {}

double FailureDelay::decayed(const Score& s, Time now) const {
  const double age = std::chrono::duration<double>(now - s.at).count();
  if (age <= 0) return s.value;
  return s.value * std::exp2(-age / policy_.half_life_seconds);
}

// first * 2^(score - 1): 0.1 s, 0.2 s, 0.4 s ... for a key's 1st, 2nd, 3rd failure.
std::chrono::milliseconds FailureDelay::delay_of(double score) const {
  const double ms = static_cast<double>(policy_.first.count()) * std::exp2(score - 1);
  const double max = static_cast<double>(policy_.max.count());
  return std::chrono::milliseconds(static_cast<long long>(std::min(ms, max)));
}

std::chrono::milliseconds FailureDelay::fail(const std::vector<std::string>& keys, Time now) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::chrono::milliseconds longest{0};
  for (const std::string& key : keys) {
    if (scores_.size() >= policy_.max_keys && !scores_.count(key)) make_room(now);
    Score& s = scores_[key];
    s.value = std::min(kMaxScore, decayed(s, now) + 1);
    s.at = now;
    longest = std::max(longest, delay_of(s.value));
  }
  return longest;
}

std::size_t FailureDelay::keys() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return scores_.size();
}

void FailureDelay::make_room(Time now) {
  // Keys whose failures have mostly decayed are forgotten first...
  for (auto it = scores_.begin(); it != scores_.end();)
    it = decayed(it->second, now) < 0.5 ? scores_.erase(it) : std::next(it);
  if (scores_.size() < policy_.max_keys) return;
  // ...then the lower-scoring half, so this scan is paid once per many inserts.
  std::vector<double> values;
  values.reserve(scores_.size());
  for (const auto& entry : scores_) values.push_back(decayed(entry.second, now));
  const auto mid = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), mid, values.end());
  const double cutoff = *mid;
  for (auto it = scores_.begin(); it != scores_.end();)
    it = decayed(it->second, now) <= cutoff ? scores_.erase(it) : std::next(it);
}

std::vector<std::string> failure_keys(const std::string& ip, const std::string& app,
                                      const std::string* user) {
  // Prefixes keep an address from ever sharing a key with a stream user.
  std::vector<std::string> keys{"ip " + ip};
  if (user) keys.push_back("user " + std::to_string(app.size()) + ":" + app + *user);
  return keys;
}

}  // namespace sevu::usher_service
