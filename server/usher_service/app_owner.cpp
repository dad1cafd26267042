#include "usher_service/app_owner.hpp"

namespace sevu::usher_service {

std::optional<int64_t> app_owner(Store& store, const std::string& app) {
  auto dash = app.find('-');
  if (dash == std::string::npos || dash == 0) return std::nullopt;
  auto account = store.account_by_username(app.substr(0, dash));
  if (!account) return std::nullopt;
  return account->cdn_id;
}

}  // namespace sevu::usher_service
