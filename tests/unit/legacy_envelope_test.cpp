// Reply envelope and the code table.
#include <doctest/doctest.h>

#include <rapidjson/document.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <set>
#include <string>

#include "legacy/wire/envelope.hpp"

using namespace sevu::legacy;

TEST_CASE("envelope: status, numeric code, message, payload, handle_time in that order") {
  Reply r = reply(Code::kTicketFound);
  r.payload = [](sevu::JsonWriter& w) {
    w.Key("ticket");
    w.StartObject();
    sevu::put(w, "key", std::string("k"));
    w.EndObject();
  };
  CHECK(render_envelope(r, 0.00041) ==
        "{\"status\":\"success\",\"code\":2010,\"message\":\"ScaleEngine Virtual Usher Ticket "
        "found\",\"ticket\":{\"key\":\"k\"},\"handle_time\":\"0.0004 seconds\"}");
}

TEST_CASE("envelope: failures, details and the project's name in code 4") {
  CHECK(render_envelope(reply(Code::kMissingFields, "app, video"), 0) ==
        "{\"status\":\"failure\",\"code\":6,\"message\":\"One or more required fields are "
        "missing: app, video\",\"handle_time\":\"0.0000 seconds\"}");
  CHECK(reply(Code::kUnexpectedError).message == "sevu-server API encountered an unexpected error");
  CHECK(reply(Code::kBadFilter, "limit").message == "Invalid filter value: limit");
  rapidjson::Document d;
  d.Parse(render_envelope(reply(Code::kUnknownCommand), 1.23456).c_str());
  REQUIRE(d.IsObject());
  CHECK(d["code"].IsInt());
  CHECK(d["code"].GetInt() == 0);
  CHECK(std::string(d["status"].GetString()) == "failure");
  CHECK(std::string(d["handle_time"].GetString()) == "1.2346 seconds");
}

TEST_CASE("handle_time: 4 decimals, never negative") {
  CHECK(format_handle_time(0.3795) == "0.3795 seconds");
  CHECK(format_handle_time(0) == "0.0000 seconds");
  CHECK(format_handle_time(-1) == "0.0000 seconds");
  CHECK(format_handle_time(12.5) == "12.5000 seconds");
  CHECK(format_handle_time(0.00004) == "0.0000 seconds");
  CHECK(format_handle_time(0.99996) == "1.0000 seconds");
  CHECK(format_handle_time(std::nan("")) == "0.0000 seconds");
}

TEST_CASE("handle_time: the digits printf's %.4f writes") {
  std::mt19937_64 random(20261204);
  for (int i = 0; i < 100000; ++i) {
    // Most requests take well under a second; some take minutes.
    const double seconds = std::ldexp(static_cast<double>(random() >> 11), -53) *
                           (i % 10 == 0 ? 1000.0 : 0.01);
    char expected[64];
    std::snprintf(expected, sizeof expected, "%.4f seconds", seconds);
    REQUIRE_MESSAGE(format_handle_time(seconds) == expected, seconds);
  }
}

TEST_CASE("code table: one entry per code, upstream messages, statuses") {
  std::set<int> seen;
  for (const auto& info : all_codes()) {
    CHECK(seen.insert(static_cast<int>(info.code)).second);
    CHECK(&code_info(info.code) == &info);
    CHECK(std::string(info.message).size() > 0);
  }
  CHECK(seen.size() >= 21);  // plus the stream-user rows
  CHECK(std::string(code_info(Code::kAuthFailed).message) ==
        "CDN Authorization failed. Invalid API Key or not authorized for that account.");
  CHECK(std::string(code_info(Code::kTicketGranted).message) ==
        "ScaleEngine Virtual Usher Ticket Granted");
  CHECK(code_info(Code::kTicketGranted).success);
  CHECK(code_info(Code::kNoAttempts).success);
  CHECK_FALSE(code_info(Code::kTicketNotFound).success);
  CHECK_FALSE(code_info(Code::kBusy).success);
  CHECK(kReplayMessage.substr(0, 29) == "Failed HMAC-SHA256 Signature.");
}
