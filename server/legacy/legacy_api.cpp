// POST /stable/: decode the body, then the checks of docs/legacy-api.md in their order
//   JSON parse -> command known -> account (cdn + api_key) -> timestamp ->
//   signature -> replay -> account enabled -> command fields -> the command,
// the first failing check answering with its code.
#include "legacy/legacy_api.hpp"

#include <chrono>
#include <memory>
#include <stdexcept>
#include <cmath>
#include <optional>
#include <string>

#include "auth/crypto.hpp"
#include "core/json_util.hpp"
#include "legacy/commands/command.hpp"
#include "legacy/wire/envelope.hpp"
#include "legacy/wire/form_body.hpp"
#include "legacy/wire/request_fields.hpp"
#include "legacy/wire/request_json.hpp"
#include "legacy/wire/signature.hpp"
#include "legacy/wire/write_once.hpp"

namespace sevu {

namespace {

using legacy::Code;
using legacy::Reply;
using legacy::reply;

// Compared against when the cdn names no account, so that an unknown cdn costs
// the same work as a wrong key.
const std::string kNoSuchApiKey(32, '\0');

HttpResponse envelope_response(const Reply& r, std::chrono::steady_clock::time_point start) {
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  HttpResponse resp;
  resp.status = 200;
  resp.body = legacy::render_envelope(r, took.count());
  return resp;
}

// Code 1 for every way the credentials can fail, so that none of them tells an
// unknown cdn (account null) from a wrong key. A disabled account passes here:
// whether it may use the API is decided (code 5) only once the signature has
// proven the caller holds its secret, so the answer confirms nothing to anyone
// else.
bool key_matches(const rapidjson::Value& request, const Account* account) {
  auto api_key = string_member(request, "api_key");
  bool key_ok = constant_time_equal(api_key.value_or(std::string()),
                                    account ? account->api_key : kNoSuchApiKey);
  return account && api_key && key_ok;
}

// Whether two copies of an account hold the same credentials.
bool same_credentials(const Account& a, const Account& b) {
  return constant_time_equal(a.api_key, b.api_key) && constant_time_equal(a.secret, b.secret);
}

// Unix seconds as an integer or a string of digits, or a JSON number with a
// fraction (time.time() in Python), truncated (decided).
std::optional<int64_t> request_timestamp(const rapidjson::Value& request) {
  if (auto ts = int_member(request, "timestamp")) return ts;
  auto it = request.FindMember("timestamp");
  if (it == request.MemberEnd() || !it->value.IsDouble()) return std::nullopt;
  const double seconds = it->value.GetDouble();
  // Far outside any window anyway; the bound keeps the conversion defined.
  if (!(std::fabs(seconds) < 1e15)) return std::nullopt;
  return static_cast<int64_t>(std::floor(seconds));
}

// The checks that follow replay, then the command itself.
Reply run_command(const legacy::CommandSpec& command, const legacy::CommandContext& c) {
  if (!c.account.active) return reply(Code::kUnauthorized);
  auto missing = legacy::missing_fields(c.request, command.required);
  if (!missing.empty()) return reply(Code::kMissingFields, legacy::join_names(missing));
  return command.handler(c);
}

std::string failed_where(std::string_view command_name) {
  return command_name.empty() ? std::string("legacy request")
                              : "legacy command '" + std::string(command_name) + "'";
}

}  // namespace

// A request past the global checks, kept alive until it is answered: a write
// runs later, on whichever store worker commits its batch.
struct LegacyApi::Checked {
  std::string text;  // the request JSON as received: what form (a) signatures cover
  legacy::ParsedRequest parsed;
  const rapidjson::Value& request() const { return parsed.doc; }
  Account account;
  bool account_copied = false;  // checked against AccountCopies, not a read of the store
  const legacy::CommandSpec* command = nullptr;
  legacy::Prepared prepared;
  legacy::SignedWrite write;
  Reply reply;
  std::vector<ViewingSession> ended;  // by the write, once it has committed
  std::chrono::steady_clock::time_point start;
  // The request's connection thread (HttpRequest::on_own_thread): where a
  // write's reply is rendered once its batch commits, not on the writer every
  // signed write waits on (docs/performance.md, "Signed writes answered on
  // their own thread").
  OwnThread on_own_thread;

  // A request just read, timed from now.
  static std::shared_ptr<Checked> arrived(const HttpRequest& req) {
    auto checked = std::make_shared<Checked>();
    checked->start = std::chrono::steady_clock::now();
    checked->on_own_thread = req.on_own_thread;
    return checked;
  }
};

LegacyApi::LegacyApi(const Clock& clock, LegacyConfig config, ErrorSink& errors,
                     GroupCommit* writes, SessionsEnded sessions_ended)
    : clock_(clock),
      config_(std::move(config)),
      errors_(errors),
      writes_(writes),
      sessions_ended_(std::move(sessions_ended)) {}

HttpResponse LegacyApi::busy() const {
  return envelope_response(reply(Code::kBusy), std::chrono::steady_clock::now());
}

HttpResponse LegacyApi::handle(const HttpRequest& req, Store& store) {
  std::optional<HttpResponse> out;
  handle(req, store, [&out](HttpResponse r) { out = std::move(r); });
  if (!out) throw std::logic_error("LegacyApi: a write went to the group commit; pass a callback");
  return std::move(*out);
}

void LegacyApi::handle(const HttpRequest& req, Store& store, Respond respond) {
  auto checked = Checked::arrived(req);
  std::optional<HttpResponse> now;
  try {
    now = answer(req, store, checked, respond);
  } catch (const StoreUnavailable& e) {
    // Not the request's fault, nor a bug: "try again" (code 1000).
    errors_.report(failed_where(checked->command ? checked->command->name : ""), e.what());
    now = busy();
  } catch (...) {
    // The client learns only that something went wrong; the operator learns what.
    errors_.report_current(failed_where(checked->command ? checked->command->name : ""));
    now = envelope_response(reply(Code::kUnexpectedError), checked->start);
  }
  if (now) respond(std::move(*now));
}

// What comes before the account: the method, the body's JSON, the command. An
// answer when one of them fails; else checked holds the request and command.
std::optional<HttpResponse> LegacyApi::read_request(const HttpRequest& req,
                                                    Checked& checked) const {
  const auto start = checked.start;
  if (req.method != "POST") return method_not_allowed("POST", "the legacy API takes POST only");
  // JSON parse: a body that does not yield one JSON object names `json`.
  auto text = legacy::extract_request_json(req.header("Content-Type").value_or(""), req.body);
  if (!text.ok || text.value.empty()) {
    return envelope_response(reply(Code::kMissingFields, "json"), start);
  }
  checked.text = std::move(text.value);
  checked.parsed = legacy::parse_request_json(checked.text);
  if (!checked.parsed.ok) {
    HttpResponse refused = envelope_response(reply(Code::kMissingFields, "json"), start);
    // The one JSON problem every route answers alike: HTTP 400, here with the
    // envelope a legacy client reads (docs/legacy-api.md, "Check order").
    if (checked.parsed.problem == json_too_deep()) refused.status = 400;
    return refused;
  }

  auto name = string_member(checked.request(), "command");
  checked.command = name ? legacy::find_command(*name) : nullptr;
  if (checked.command == nullptr) return envelope_response(reply(Code::kUnknownCommand), start);
  return std::nullopt;
}

// The checks against the account, in their documented order: the cdn and
// api_key (account null: no such cdn), the timestamp, the signature. The first
// failing one's code, or nullopt.
std::optional<Code> LegacyApi::refusal(const Checked& checked, const Account* account) const {
  const rapidjson::Value& request = checked.request();
  if (!key_matches(request, account)) return Code::kAuthFailed;
  // Freshness is judged on the wall clock, never the test clock (docs/legacy-api.md).
  const int64_t wall = clock_.wall();
  const int64_t window = config_.timestamp_window;
  auto timestamp = request_timestamp(request);
  if (!timestamp || *timestamp < wall - window || *timestamp > wall + window) {
    return Code::kBadTimestamp;
  }
  auto signature = string_member(request, "signature");
  if (!signature || !legacy::signature_matches(checked.text, checked.parsed.doc, *signature,
                                               account->secret)) {
    return Code::kBadSignature;
  }
  return std::nullopt;
}

// The answer, or nullopt when a write went to the group commit, which answers it.
std::optional<HttpResponse> LegacyApi::answer(const HttpRequest& req, Store& store,
                                              const std::shared_ptr<Checked>& checked,
                                              const Respond& respond) {
  const auto start = checked->start;
  if (auto early = read_request(req, *checked)) return early;
  const rapidjson::Value& request = checked->request();
  const legacy::CommandSpec* command = checked->command;

  auto cdn = int_member(request, "cdn");
  std::optional<Account> account;
  if (cdn) account = store.account(*cdn);
  if (auto code = refusal(*checked, account ? &*account : nullptr)) {
    return envelope_response(reply(*code), start);
  }
  accounts_.keep(*account);

  // Replay: a read is answered afresh however often it comes; a write runs
  // once and its repeats get the first reply, kept as long as the request
  // stays fresh (its own timestamp + window).
  if (command->effect == legacy::Effect::kReads) {
    legacy::CommandContext context{request, *account, store, clock_, config_, {}};
    return envelope_response(run_command(*command, context), start);
  }
  set_write(*checked, std::move(*account));
  // Slow work (a password hash) happens here, before the write lock, so no
  // other write waits on it; a repeat is answered without it. A disabled
  // account is refused (code 5) before its command runs: nothing to prepare.
  if (command->prepare && checked->account.active) {
    if (auto repeat = legacy::held_answer(store, checked->write))
      return envelope_response(*repeat, start);
    checked->prepared = command->prepare(request);
  }
  run_write(&store, checked, respond);
  return std::nullopt;
}

// A request that passed refusal() against `account` becomes a signed write.
void LegacyApi::set_write(Checked& checked, Account account) const {
  const rapidjson::Value& request = checked.request();
  const int64_t timestamp = *request_timestamp(request);
  checked.account = std::move(account);
  checked.write = legacy::SignedWrite{checked.account.cdn_id, *string_member(request, "signature"),
                                      timestamp, timestamp + config_.timestamp_window,
                                      clock_.wall() - config_.timestamp_window};
}

bool LegacyApi::write_without_store_hop(const HttpRequest& req, const Respond& respond) {
  if (writes_ == nullptr) return false;
  auto checked = Checked::arrived(req);
  try {
    if (read_request(req, *checked)) return false;
    const legacy::CommandSpec* command = checked->command;
    // A slow preparation (a password hash) must not run on the io thread.
    if (command->effect != legacy::Effect::kWrites || command->prepare) return false;
    auto cdn = int_member(checked->request(), "cdn");
    std::optional<Account> account = cdn ? accounts_.find(*cdn) : std::nullopt;
    if (!account || !account->active || refusal(*checked, &*account)) return false;
    set_write(*checked, std::move(*account));
    checked->account_copied = true;
  } catch (...) {
    return false;  // handle() runs it again, and reports what went wrong
  }
  run_write(nullptr, checked, respond);  // with a GroupCommit, no store is needed
  return true;
}

// In the write's transaction, for a write checked against AccountCopies: the
// account as it is now. The request is checked again when the key or secret
// has changed since the copy was taken, and its command sees the account's
// current state, so a secret rotated or an account disabled by another process
// (`sevu-server account`, another instance) holds at the very next write, as
// it does for a request read on a store worker. The failing code, or nullopt.
std::optional<Code> LegacyApi::check_again(Store& writer, Checked& checked) {
  std::optional<Account> now = writer.account(checked.account.cdn_id);
  if (!now) {
    accounts_.forget(checked.account.cdn_id);
    return Code::kAuthFailed;
  }
  accounts_.keep(*now);
  if (!same_credentials(*now, checked.account)) {
    if (auto code = refusal(checked, &*now)) return code;
  }
  checked.account = std::move(*now);
  return std::nullopt;
}

// store: where the write runs without a GroupCommit (tests); unused with one.
void LegacyApi::run_write(Store* store, const std::shared_ptr<Checked>& checked,
                          const Respond& respond) {
  BatchedWrite write;
  write.work = [this, checked](Store& writer, IfRolledBack&) {
    checked->ended.clear();  // a batch run again runs its writes again
    std::optional<Code> refused;
    if (checked->account_copied) refused = check_again(writer, *checked);
    // A disabled account's calls all fail, its repeats too (docs/legacy-api.md,
    // check order): before the held reply is looked for.
    if (!refused && !checked->account.active) refused = Code::kUnauthorized;
    if (refused) {
      checked->reply = reply(*refused);
      return true;  // nothing written; answered with the commit all the same
    }
    checked->reply = legacy::answer_once(writer, checked->write, [&](Store& in) {
      legacy::CommandContext c{checked->parsed.doc, checked->account, in, clock_, config_,
                               checked->prepared,   &checked->ended};
      return run_command(*checked->command, c);
    });
    return true;  // its reply is promised: answered once committed
  };
  // Read ahead with the batch's others (Store::read_ahead): the reply a repeat
  // would find, and the number of the ticket sevu.request makes.
  const legacy::SignedWrite& signed_write = checked->write;
  write.reads_reply =
      ReplyAsked{signed_write.cdn_id, signed_write.signed_at, signed_write.signature};
  write.adds_ticket = checked->command->adds_ticket;
  // With a group commit, done is called on its writer: the reply is rendered
  // on the request's own thread instead. Without one it runs where it is.
  const OwnThread hop = writes_ != nullptr ? checked->on_own_thread : OwnThread{};
  write.done = heard_through<WriteOutcome>(hop, [this, checked, respond](WriteOutcome outcome) {
    switch (outcome.status) {
      case WriteOutcome::Status::kDone:
        if (!checked->ended.empty() && sessions_ended_) sessions_ended_(checked->ended);
        return respond(envelope_response(checked->reply, checked->start));
      case WriteOutcome::Status::kFailed:
        errors_.report(failed_where(checked->command->name), outcome.failure);
        return respond(envelope_response(reply(Code::kUnexpectedError), checked->start));
      case WriteOutcome::Status::kUnavailable:
        errors_.report(failed_where(checked->command->name), outcome.failure);
        return respond(busy());
      case WriteOutcome::Status::kBusy:
        return respond(busy());
    }
  });
  if (writes_ == nullptr) return run_alone(*store, std::move(write));
  if (!writes_->submit(std::move(write))) respond(busy());
}

}  // namespace sevu

namespace sevu {

std::optional<Account> LegacyApi::AccountCopies::find(int64_t cdn_id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = accounts_.find(cdn_id);
  if (it == accounts_.end()) return std::nullopt;
  return it->second;
}

// Called for every checked request: copies only what changed.
void LegacyApi::AccountCopies::keep(const Account& account) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = accounts_.find(account.cdn_id);
  if (it != accounts_.end() && it->second.active == account.active &&
      same_credentials(it->second, account)) {
    return;
  }
  accounts_.insert_or_assign(account.cdn_id, account);
}

void LegacyApi::AccountCopies::forget(int64_t cdn_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  accounts_.erase(cdn_id);
}

}  // namespace sevu
