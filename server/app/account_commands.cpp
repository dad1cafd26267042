#include <sys/stat.h>

#include <ctime>
#include <iostream>

#include "app/cli_args.hpp"
#include "app/commands.hpp"
#include "auth/keygen.hpp"
#include "core/datetime.hpp"
#include "core/json_util.hpp"

namespace sevu {

namespace {

const char* kAccountUsage =
    "usage: sevu-server account create --username NAME [--cdn-id N] [--max-stream-users N] [--db "
    "PATH]\n"
    "       sevu-server account list [--db PATH]\n"
    "       sevu-server account rotate-secret --cdn-id N [--db PATH]\n"
    "       sevu-server account disable|enable --cdn-id N [--db PATH]\n";

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

}  // namespace

std::unique_ptr<Store> open_or_create_store(const std::string& path) {
  // mkdir -p for the parent, owner-only like the database it will hold; real
  // errors surface when the database file is created.
  for (auto i = path.find('/', 1); i != std::string::npos; i = path.find('/', i + 1))
    ::mkdir(path.substr(0, i).c_str(), 0700);
  return open_sqlite_store(path, OpenMode::kCreate);
}

std::unique_ptr<Store> open_existing_store(const std::string& path) {
  return open_sqlite_store(path, OpenMode::kMustExist);
}

bool ensure_demo_account(Store& store, int64_t now) {
  if (store.account(158)) return false;
  Account a;
  a.cdn_id = 158;
  a.username = "demo";
  a.api_key = "APX4GKLM0RKQLSP2FBO1ROPKSSW47DZE";
  a.secret = "8fc8c48da81e6a2a06a9556379bf798af508dc0792497c678b4c3532ba8b637f";
  a.created = now;
  return store.insert_account(a);
}

int run_account_command(const std::vector<std::string>& args) {
  if (args.empty()) {
    std::cerr << kAccountUsage;
    return 2;
  }
  const std::string& verb = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  CliArgs opt(rest, {"db", "username", "cdn-id", "max-stream-users"}, {});
  auto store = open_existing_store(opt.get_or("db", kDefaultDbPath));

  if (verb == "create") {
    Account a;
    a.username = opt.get_or("username", "");
    if (!valid_username(a.username))
      throw UsageError("--username is required: 1-64 characters of [a-z0-9_]");
    a.cdn_id = opt.get_int("cdn-id", store->next_cdn_id(), 1, 2147483647);
    a.max_stream_users = opt.get_int("max-stream-users", 50, 0, 1000000);
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
  if (verb == "list") {
    for (const auto& a : store->accounts()) print_account(a);
    return 0;
  }
  if (verb == "rotate-secret" || verb == "disable" || verb == "enable") {
    auto id = opt.get_int("cdn-id", -1, 1, 2147483647);
    if (id < 0) throw UsageError("--cdn-id is required");
    bool ok = verb == "rotate-secret" ? store->set_account_secret(id, make_secret())
                                      : store->set_account_active(id, verb == "enable");
    if (!ok) {
      std::cerr << "sevu-server: no account with cdn id " << id << "\n";
      return 1;
    }
    print_account(*store->account(id));
    return 0;
  }
  std::cerr << kAccountUsage;
  return 2;
}

int run_backup_command(const std::vector<std::string>& args) {
  CliArgs opt(args, {"db"}, {});
  if (opt.positional().size() != 1) throw UsageError("usage: sevu-server backup --db PATH DEST");
  auto store = open_existing_store(opt.get_or("db", kDefaultDbPath));
  store->backup_to(opt.positional()[0]);
  std::cout << "backup written to " << opt.positional()[0] << "\n";
  return 0;
}

}  // namespace sevu
