// How many connections one listener may hold, in all and per client, so that a
// flood on the public API cannot take the hook listener's places, nor one client
// all of the API's (docs/operations.md, "Connection limits and malformed requests").
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace sevu::http {

class ConnectionBudget : public std::enable_shared_from_this<ConnectionBudget> {
 public:
  // A place held by one connection; given back when destroyed.
  class Lease {
   public:
    Lease(std::shared_ptr<ConnectionBudget> budget, std::string client);
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) noexcept = default;
    ~Lease();

   private:
    std::shared_ptr<ConnectionBudget> budget_;
    std::string client_;
  };

  // max_per_client 0: no per-client limit. Create with std::make_shared.
  ConnectionBudget(std::size_t max_total, std::size_t max_per_client);

  // A place for a connection from `client` (see client_key), or nullopt when the
  // listener or that client is at its limit.
  std::optional<Lease> take(const std::string& client);

 private:
  void give_back(const std::string& client);

  const std::size_t max_total_;
  const std::size_t max_per_client_;
  std::mutex mutex_;
  std::size_t total_ = 0;
  std::unordered_map<std::string, std::size_t> per_client_;
};

// The client a peer address counts as, from its network-order bytes (4 for IPv4,
// 16 for IPv6): the IPv4 address (also when mapped into IPv6), or an IPv6
// address's /64 prefix, since one host usually holds a whole /64.
std::string client_key(const unsigned char* bytes, std::size_t size);

}  // namespace sevu::http
