#include "http/connection_budget.hpp"

#include <algorithm>

namespace sevu::http {

ConnectionBudget::Lease::Lease(std::shared_ptr<ConnectionBudget> budget, std::string client)
    : budget_(std::move(budget)), client_(std::move(client)) {}

ConnectionBudget::Lease::~Lease() {
  if (budget_) budget_->give_back(client_);  // null once moved from
}

ConnectionBudget::ConnectionBudget(std::size_t max_total, std::size_t max_per_client)
    : max_total_(max_total), max_per_client_(max_per_client) {}

std::optional<ConnectionBudget::Lease> ConnectionBudget::take(const std::string& client) {
  std::lock_guard lock(mutex_);
  if (total_ >= max_total_) return std::nullopt;
  if (max_per_client_) {
    auto& held = per_client_[client];
    if (held >= max_per_client_) return std::nullopt;
    ++held;
  }
  ++total_;
  return Lease(shared_from_this(), client);
}

void ConnectionBudget::give_back(const std::string& client) {
  std::lock_guard lock(mutex_);
  --total_;
  if (!max_per_client_) return;
  auto it = per_client_.find(client);
  if (it != per_client_.end() && --it->second == 0) per_client_.erase(it);
}

std::string client_key(const unsigned char* bytes, std::size_t size) {
  static const unsigned char v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (size == 16 && std::equal(bytes, bytes + 12, v4_mapped)) return client_key(bytes + 12, 4);
  if (size == 16) return std::string(reinterpret_cast<const char*>(bytes), 8);
  return std::string(reinterpret_cast<const char*>(bytes), size);
}

}  // namespace sevu::http
