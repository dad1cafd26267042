#include "app/cli_args.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace sevu {

CliArgs::CliArgs(const std::vector<std::string>& args, const std::set<std::string>& valued,
                 const std::set<std::string>& flags) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0) {
      positional_.push_back(a);
      continue;
    }
    std::string name = a.substr(2), value;
    bool inline_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
      inline_value = true;
    }
    if (flags.count(name) && !inline_value) {
      flags_.insert(name);
    } else if (valued.count(name)) {
      if (!inline_value) {
        if (i + 1 >= args.size()) throw UsageError("--" + name + " needs a value");
        value = args[++i];
      }
      values_[name] = value;
    } else {
      throw UsageError("unknown option --" + name);
    }
  }
}

std::optional<std::string> CliArgs::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string CliArgs::get_or(const std::string& name, const std::string& fallback) const {
  return get(name).value_or(fallback);
}

long long CliArgs::get_int(const std::string& name, long long fallback, long long min,
                           long long max) const {
  auto v = get(name);
  if (!v) return fallback;
  errno = 0;
  char* end = nullptr;
  long long n = std::strtoll(v->c_str(), &end, 10);
  if (v->empty() || *end || errno || n < min || n > max)
    throw UsageError("--" + name + " must be a whole number from " + std::to_string(min) + " to " +
                     std::to_string(max));
  return n;
}

std::pair<std::string, unsigned short> split_host_port(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size())
    throw UsageError("'" + text + "' is not HOST:PORT");
  std::string host = text.substr(0, colon), port = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  char* end = nullptr;
  long p = std::strtol(port.c_str(), &end, 10);
  if (*end || p < 0 || p > 65535) throw UsageError("'" + text + "': bad port");
  return {host, static_cast<unsigned short>(p)};
}

namespace {

// SEVU_HOOK_TOKEN for hook-token.
std::string env_name(const std::string& option) {
  std::string out = "SEVU_";
  for (char c : option)
    out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string read_secret_file(const std::string& option, const std::string& path) {
  constexpr std::size_t kMaxSecretFile = 64 * 1024;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError("--" + option + ": cannot read " + path + ": " + std::strerror(errno));
  std::string text;
  text.resize(kMaxSecretFile + 1);
  in.read(&text[0], static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxSecretFile) throw UsageError("--" + option + ": " + path + " is too big");
  // One trailing newline is what `echo` and editors add; it is not part of the secret.
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (!text.empty() && text.back() == '\r') text.pop_back();
  return text;
}

}  // namespace

std::optional<std::string> secret_option(const CliArgs& opt, const std::string& name) {
  auto flag = opt.get(name);
  auto file = opt.get(name + "-file");
  if (flag && file) throw UsageError("give --" + name + " or --" + name + "-file, not both");
  std::optional<std::string> value = flag;
  std::string source = "--" + name;
  if (file) {
    value = read_secret_file(name + "-file", *file);
    source = "--" + name + "-file " + *file;
  } else if (!flag) {
    const std::string var = env_name(name);
    if (const char* env = std::getenv(var.c_str())) value = std::string(env);
    source = var;
  }
  if (!value) return std::nullopt;
  std::string what = name;  // "hook token"
  std::replace(what.begin(), what.end(), '-', ' ');
  if (value->empty()) throw UsageError(source + ": the " + what + " is empty");
  if (value->find_first_of("\r\n") != std::string::npos)
    throw UsageError(source + ": the " + what + " must be one line");
  return value;
}

}  // namespace sevu
