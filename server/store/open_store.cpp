// Choosing the backend from --db, and showing a --db without its password.
#include <string>

#include "store/store.hpp"

namespace sevu {
namespace {

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// Replaces the value of every "password=" parameter after the '?'.
std::string hide_password_parameters(std::string uri) {
  const auto query = uri.find('?');
  if (query == std::string::npos) return uri;
  for (auto at = uri.find("password=", query); at != std::string::npos;
       at = uri.find("password=", at + 1)) {
    const char before = uri[at - 1];
    if (before != '?' && before != '&') continue;
    const auto value = at + std::string("password=").size();
    const auto end = uri.find_first_of("&#", value);
    uri.replace(value, (end == std::string::npos ? uri.size() : end) - value, "***");
  }
  return uri;
}

}  // namespace

bool is_postgres_uri(const std::string& db) {
  return starts_with(db, "postgresql://") || starts_with(db, "postgres://");
}

std::unique_ptr<Store> open_store(const std::string& db, OpenMode mode) {
  return is_postgres_uri(db) ? open_postgres_store(db, mode) : open_sqlite_store(db, mode);
}

void check_database(const std::string& db) {
  if (is_postgres_uri(db))
    check_postgres_database(db);
  else
    check_sqlite_database(db);
}

std::string db_display_name(const std::string& db) {
  if (!is_postgres_uri(db)) return db;
  std::string uri = db;
  const auto authority = uri.find("://") + 3;
  const auto authority_end = uri.find_first_of("/?#", authority);
  const auto at = uri.rfind('@', authority_end == std::string::npos ? uri.size() : authority_end);
  if (at != std::string::npos && at >= authority) {
    const auto colon = uri.find(':', authority);
    if (colon != std::string::npos && colon < at) uri.replace(colon + 1, at - colon - 1, "***");
  }
  return hide_password_parameters(uri);
}

}  // namespace sevu
