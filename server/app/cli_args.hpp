// The command line, on CLI11: how every subcommand parses, what an error
// exits with, and the layers an option's value comes from
// (docs/operations.md, "Options, environment and config file").
#pragma once

#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace sevu {

// A bad command line or option value: exit code 2, like CLI11's own errors.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// "HOST:PORT" or "[v6]:PORT"; throws UsageError.
std::pair<std::string, unsigned short> split_host_port(const std::string& text);

// The environment variable of a long option: SEVU_HOOK_TOKEN for hook-token.
std::string env_name(const std::string& option);

// Gives option (long name `name`, no dashes) its SEVU_<NAME> variable and
// returns it, so that a flag beats the environment, which beats the defaults.
CLI::Option* with_env(CLI::Option* option, const std::string& name);

// Parses argv for app; returns the exit code to leave with now (help,
// --version, or an error printed to stderr, 2), or nullopt to go on.
// Unknown options and stray arguments are errors naming them.
std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv);

// The config-file layer of cmd's options: each `key = value` of the TOML
// file at path sets the option --key unless a flag or its SEVU_<KEY> variable
// already did. Returns the keys it set. Unknown keys, sections and bad values
// throw UsageError naming the file.
std::set<std::string> apply_config_file(CLI::App& cmd, const std::string& path);

// A secret option, so that it need not show in ps: --NAME VALUE, or --NAME-file
// PATH (the file's text less one trailing newline). The two are one setting:
// the first layer giving either wins (flags, then SEVU_NAME / SEVU_NAME_FILE,
// then the config file, whose keys are in from_file), so the options carry no
// CLI11 envname. Nullopt when no layer gives one. Throws UsageError when one
// layer gives both, the file cannot be read, or the secret is empty or not
// one line.
std::optional<std::string> secret_option(const CLI::App& cmd, const std::string& name,
                                         const std::set<std::string>& from_file);

}  // namespace sevu
