// The staging controls of the hook listener, on only with --test-controls
// (docs/operations.md, Staging controls): POST /test/clock moves ticket time,
// POST /test/reset empties the data but the accounts, POST /test/fixtures
// inserts tickets and stream users exactly as given.
#include <rapidjson/document.h>

#include <cmath>
#include <set>
#include <string>

#include "app/app.hpp"
#include "app/test_fixtures.hpp"
#include "auth/password_hash.hpp"
#include "core/datetime.hpp"
#include "core/json_util.hpp"

namespace sevu {

namespace {

HttpResponse json_text(std::string body) {
  HttpResponse r;
  r.body = std::move(body);
  return r;
}

// A bad row: the whole request is rolled back and answered 400 naming it.
struct FixtureRefused : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace

// Guarded by the hook token exactly like /hooks/*, and checked first, so
// without it no one learns whether test controls are on.
void App::test_route(const HttpRequest& req, const Responder& respond) {
  if (auto denied = hooks_.check_token(req)) return respond(std::move(*denied));
  const auto path = req.path();
  const bool known = path == "/test/clock" || path == "/test/reset" || path == "/test/fixtures";
  if (!known || !config_.test_controls)
    return respond(json_error(404, "NOT_FOUND", "no such route"));
  if (req.method != "POST") return respond(method_not_allowed("POST", "use POST"));
  // Refused on every route, /test/reset too, which reads no body (docs/decisions.md).
  if (auto refused = too_deep_refusal(req)) return respond(std::move(*refused));
  if (path == "/test/clock") return test_clock(req, respond);
  if (path == "/test/reset") return test_reset(respond);
  test_fixtures(req, respond);
}

// {"now": "YYYY-MM-DD HH:MM:SS"} sets ticket time, {"advance": seconds} moves
// it, {"now": null} goes back to the wall clock.
void App::test_clock(const HttpRequest& req, const Responder& respond) {
  JsonDocument doc;
  std::string problem = parse_json(req.body, doc);
  if (problem.empty() && !doc.IsObject()) problem = "body must be a JSON object";
  if (!problem.empty()) return respond(json_error(400, "INVALID_JSON", problem));
  const bool has_now = doc.HasMember("now"), has_advance = doc.HasMember("advance");
  if (!has_now && !has_advance)
    return respond(
        json_error(400, "REQUIRED_FIELD", "give \"now\" (a date or null) or \"advance\""));
  if (has_now && has_advance)
    return respond(
        json_error(400, "INVALID_VALUE", "give \"now\" or \"advance\", not both", "advance"));
  if (has_now && doc["now"].IsNull()) {
    clock_.use_wall();
  } else if (has_now) {
    auto t = datetime_value(doc["now"], clock_.wall());
    if (!t) return respond(json_error(400, "INVALID_VALUE", "now: not a date (or null)", "now"));
    clock_.set(*t);
  } else if (auto seconds = int_member(doc, "advance")) {
    clock_.advance(*seconds);
  } else if (doc["advance"].IsNumber() && std::abs(doc["advance"].GetDouble()) < 1e12) {
    clock_.advance(static_cast<int64_t>(doc["advance"].GetDouble()));
  } else {
    return respond(json_error(400, "INVALID_VALUE", "advance: not a number of seconds", "advance"));
  }
  respond(json_text("{\"now\":\"" + format_datetime(clock_.now()) + "\"}"));
}

void App::test_reset(const Responder& respond) {
  test_store_job(
      [this](Store& store) {
        store.reset_data();
        usher_.forget_sessions();
        return json_text("{\"reset\":true}");
      },
      respond);
}

void App::test_fixtures(const HttpRequest& req, const Responder& respond) {
  JsonDocument doc;
  std::string problem = parse_json(req.body, doc);
  if (!problem.empty()) return respond(json_error(400, "INVALID_JSON", problem));
  auto fixtures = parse_fixtures(doc, clock_.now(), problem);
  if (!fixtures) return respond(json_error(400, "INVALID_VALUE", problem));
  auto rows = std::make_shared<Fixtures>(std::move(*fixtures));
  test_store_job(
      [this, rows](Store& store) {
        try {
          store.transaction([&] {
            std::set<std::string> given;
            for (std::size_t i = 0; i < rows->tickets.size(); ++i) {
              Ticket& t = rows->tickets[i];
              const std::string where = "tickets[" + std::to_string(i) + "]";
              if (!store.account(t.cdn_id))
                throw FixtureRefused(where + ".cdn_id: no such account");
              if (!given.insert(t.key).second)
                throw FixtureRefused(where + ".key: given twice in this request");
              // A row is as given even where a ticket had its key: the upstream
              // example's, which --demo seeds, above all (docs/staging.md).
              if (const auto old = store.ticket_by_key(t.key))
                store.delete_ticket(old->cdn_id, t.key);
              if (!store.insert_ticket(t)) throw FixtureRefused(where + ".key: already taken");
            }
            for (std::size_t i = 0; i < rows->stream_users.size(); ++i) {
              FixtureStreamUser& u = rows->stream_users[i];
              const std::string where = "stream_users[" + std::to_string(i) + "]";
              if (!store.account(u.row.cdn_id))
                throw FixtureRefused(where + ".cdn_id: no such account");
              if (u.pass) u.row.pass_hash = hash_password(*u.pass);
              if (!store.insert_stream_user(u.row))
                throw FixtureRefused(where + ": that app, stream and user exist already");
            }
          });
        } catch (const FixtureRefused& e) {
          return json_error(400, "INVALID_VALUE", e.what());
        }
        usher_.tickets_changed();
        return json_text("{\"tickets\":" + std::to_string(rows->tickets.size()) +
                         ",\"stream_users\":" + std::to_string(rows->stream_users.size()) + "}");
      },
      respond);
}

// On a store worker of the hooks lane; an internal error is counted and answered 500.
void App::test_store_job(std::function<HttpResponse(Store&)> job, const Responder& respond) {
  bool queued = pool_.submit(
      [this, job = std::move(job), respond](Store& store) {
        try {
          respond(job(store));
        } catch (...) {
          errors_.report_current("test control");
          respond(json_error(500, "INTERNAL", "internal error"));
        }
      },
      StorePool::Lane::hooks);
  if (!queued) respond(json_error(503, "BUSY", "server busy, try again"));
}

}  // namespace sevu
