// Signed legacy request bodies for the unit tests, as the upstream PHP example
// builds them: {"command":..,"api_key":..,"timestamp":..,"cdn":..,<fields>},
// signed over that compact text (forms (a) and (b) coincide), with the signature
// appended.
//
// A request signed twice with the same timestamp is the same request, and a
// repeated write answers its first reply instead of running
// (docs/legacy-api.md, "Timestamp and repeated requests"). So a default
// timestamp is the current second unless this very request already had it,
// then the latest earlier second it has not had. Now minus a call counter is
// not enough: two calls that straddle a second's turn get the same second.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "core/clock.hpp"
#include "core/records.hpp"
#include "legacy/wire/signature.hpp"

class SignedRequests {
 public:
  explicit SignedRequests(const sevu::Clock& clock) : clock_(clock) {}

  std::string operator()(const std::string& command, const std::string& fields,
                         const sevu::Account& who, std::optional<int64_t> timestamp = {}) {
    const std::string request = std::to_string(who.cdn_id) + ' ' + command + ' ' + fields;
    int64_t ts = timestamp ? *timestamp : clock_.wall();
    while (!timestamp && used_.count({request, ts}) > 0) --ts;
    used_.emplace(request, ts);
    const std::string text = "{\"command\":\"" + command + "\",\"api_key\":\"" + who.api_key +
                             "\",\"timestamp\":" + std::to_string(ts) +
                             ",\"cdn\":" + std::to_string(who.cdn_id) +
                             (fields.empty() ? "" : "," + fields) + "}";
    return text.substr(0, text.size() - 1) + ",\"signature\":\"" +
           sevu::legacy::sign_message(text, who.secret) + "\"}";
  }

 private:
  const sevu::Clock& clock_;
  std::set<std::pair<std::string, int64_t>> used_;  // (request, timestamp) already signed
};
