// `sevu-server account create|list|rotate-secret|disable|enable`.
#include <CLI/CLI.hpp>

#include <ctime>
#include <iostream>
#include <memory>

#include "app/cli_args.hpp"
#include "app/commands.hpp"
#include "auth/keygen.hpp"
#include "core/datetime.hpp"
#include "core/json_util.hpp"

namespace sevu {

namespace {

constexpr int64_t kMaxCdnId = 2147483647;

bool valid_username(const std::string& u) {
  if (u.empty() || u.size() > 64) return false;
  for (char c : u)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

void print_account(const Account& a) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("cdn_id");
  w.Int64(a.cdn_id);
  put(w, "username", a.username);
  put(w, "api_key", a.api_key);
  put(w, "secret", a.secret);
  w.Key("active");
  w.Bool(a.active);
  w.Key("max_stream_users");
  w.Int64(a.max_stream_users);
  put(w, "created", format_datetime(a.created));
  w.EndObject();
  std::cout << buf.GetString() << "\n";
}

int64_t now_seconds() {
  return static_cast<int64_t>(std::time(nullptr));
}

struct CreateOptions {
  std::string db, username;
  int64_t cdn_id = 0;  // 0: the next free one
  int64_t max_stream_users = 50;
};

int create(const CreateOptions& o) {
  if (!valid_username(o.username))
    throw UsageError("--username " + o.username + ": 1-64 characters of [a-z0-9_]");
  auto store = open_existing_store(o.db);
  Account a;
  a.username = o.username;
  a.cdn_id = o.cdn_id ? o.cdn_id : store->next_cdn_id();
  a.max_stream_users = o.max_stream_users;
  a.api_key = make_api_key();
  a.secret = make_secret();
  a.created = now_seconds();
  if (!store->insert_account(a)) {
    std::cerr << "sevu-server: cdn id " << a.cdn_id << " or username '" << a.username
              << "' is already taken\n";
    return 1;
  }
  print_account(a);
  return 0;
}

Command add_create(CLI::App& account) {
  auto* cmd = account.add_subcommand("create", "create an account; prints it as JSON");
  auto o = std::make_shared<CreateOptions>();
  add_db_option(*cmd, o->db, "database");
  cmd->add_option("--username", o->username, "account name, 1-64 characters of [a-z0-9_]")
      ->required();
  cmd->add_option("--cdn-id", o->cdn_id,
                  "the account's cdn id [default: the highest in use + 1, at least 1000]")
      ->check(CLI::Range(int64_t{1}, kMaxCdnId))
      ->default_str("");
  cmd->add_option("--max-stream-users", o->max_stream_users, "most stream users it may hold")
      ->check(CLI::Range(int64_t{0}, int64_t{1000000}));
  return {cmd, [o] { return create(*o); }};
}

Command add_list(CLI::App& account) {
  auto* cmd = account.add_subcommand("list", "print every account as a line of JSON");
  auto db = std::make_shared<std::string>();
  add_db_option(*cmd, *db, "database");
  return {cmd, [db] {
            for (const auto& a : open_existing_store(*db)->accounts()) print_account(a);
            return 0;
          }};
}

// rotate-secret, disable, enable: one account by --cdn-id, printed after.
Command add_change(CLI::App& account, const std::string& verb, const std::string& meaning) {
  auto* cmd = account.add_subcommand(verb, meaning + "; prints the account");
  struct Options {
    std::string db;
    int64_t cdn_id = 0;
  };
  auto o = std::make_shared<Options>();
  add_db_option(*cmd, o->db, "database");
  cmd->add_option("--cdn-id", o->cdn_id, "the account [required: no default]")
      ->required()
      ->check(CLI::Range(int64_t{1}, kMaxCdnId))
      ->default_str("");
  return {cmd, [o, verb] {
            auto store = open_existing_store(o->db);
            bool ok = verb == "rotate-secret"
                          ? store->set_account_secret(o->cdn_id, make_secret())
                          : store->set_account_active(o->cdn_id, verb == "enable");
            if (!ok) {
              std::cerr << "sevu-server: no account with cdn id " << o->cdn_id << "\n";
              return 1;
            }
            print_account(*store->account(o->cdn_id));
            return 0;
          }};
}

}  // namespace

std::vector<Command> add_account_commands(CLI::App& parent) {
  auto* account = parent.add_subcommand("account", "manage accounts (tenants)");
  return {add_create(*account), add_list(*account),
          add_change(*account, "rotate-secret", "give an account a new secret (the old one stops)"),
          add_change(*account, "disable",
                     "disable an account: its API calls, tickets and stream users stop"),
          add_change(*account, "enable", "enable a disabled account again")};
}

}  // namespace sevu
