// Command-line options: "--name value" and "--flag" pairs after the subcommand.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace sevu {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class CliArgs {
 public:
  // flags: options that take no value. Throws UsageError on an unknown option
  // (anything not in `valued` or `flags`) or a missing value.
  CliArgs(const std::vector<std::string>& args, const std::set<std::string>& valued,
          const std::set<std::string>& flags);

  std::optional<std::string> get(const std::string& name) const;
  std::string get_or(const std::string& name, const std::string& fallback) const;
  long long get_int(const std::string& name, long long fallback, long long min,
                    long long max) const;
  bool flag(const std::string& name) const { return flags_.count(name) > 0; }
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::string> values_;
  std::set<std::string> flags_;
  std::vector<std::string> positional_;
};

// "HOST:PORT" or "[v6]:PORT"; throws UsageError.
std::pair<std::string, unsigned short> split_host_port(const std::string& text);

// A secret option, so that it need not show in ps: --NAME VALUE, or --NAME-file
// PATH (the file's text less one trailing newline), else the environment
// variable SEVU_<NAME> (upper case, '-' -> '_'); nullopt when none is given.
// `valued` must list both NAME and NAME-file. Throws UsageError when both
// options are given, the file cannot be read, or the secret is empty or not
// one line.
std::optional<std::string> secret_option(const CliArgs& opt, const std::string& name);

}  // namespace sevu
