#include "app/cli_args.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>

namespace sevu {

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

std::string env_name(const std::string& option) {
  std::string out = "SEVU_";
  for (char c : option)
    out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

CLI::Option* with_env(CLI::Option* option, const std::string& name) {
  return option->envname(env_name(name));
}

namespace {

// CLI11 lists what it did not expect; name each the way the old parser did.
std::string describe_extras(const std::vector<std::string>& extras) {
  std::string out;
  for (const auto& arg : extras) {
    if (!out.empty()) out += "; ";
    out += arg.rfind("-", 0) == 0 ? "unknown option " + arg : "unexpected argument '" + arg + "'";
  }
  return out;
}

int usage_error(const std::string& message) {
  std::cerr << "sevu-server: " << message << "\n(see --help)\n";
  return 2;
}

}  // namespace

std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
  // CLI11 takes the arguments last first and, on extras, leaves them in args.
  std::vector<std::string> args(argv + 1, argv + argc);
  std::reverse(args.begin(), args.end());
  try {
    app.parse(args);
  } catch (const CLI::ExtrasError&) {
    return usage_error(describe_extras(args));
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return usage_error(e.what());
  }
  return std::nullopt;
}

std::set<std::string> apply_config_file(CLI::App& cmd, const std::string& path) {
  CLI::ConfigTOML toml;
  std::vector<CLI::ConfigItem> items;
  try {
    items = toml.from_file(path);
  } catch (const CLI::ParseError& e) {
    throw UsageError("--config " + path + ": " + e.what());
  }
  std::set<std::string> set;
  for (const auto& item : items) {
    const std::string where = "--config " + path + ": ";
    if (!item.parents.empty() || item.name == "++" || item.name == "--")
      throw UsageError(where + "sections are not used: write every key at the top");
    CLI::Option* op = cmd.get_option_no_throw("--" + item.name);
    if (op == nullptr) throw UsageError(where + "unknown key '" + item.name + "'");
    if (!op->get_configurable())
      throw UsageError(where + "'" + item.name + "' is for the command line only");
    const char* env = std::getenv(env_name(item.name).c_str());
    if (op->count() > 0 || (env && *env)) continue;  // a flag or the environment set it
    try {
      if (op->get_expected_min() == 0)
        op->add_result(op->get_flag_value(item.name, toml.to_flag(item)));
      else
        op->add_result(item.inputs);
      op->run_callback();
    } catch (const CLI::ParseError& e) {
      throw UsageError(where + item.name + ": " + e.what());
    }
    set.insert(item.name);
  }
  return set;
}

namespace {

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

// One layer's values of the two options.
struct SecretLayer {
  std::string source;  // for messages
  std::optional<std::string> value, file;
};

std::optional<std::string> option_value(const CLI::App& cmd, const std::string& name,
                                        bool want_file_layer,
                                        const std::set<std::string>& from_file) {
  const CLI::Option* op = cmd.get_option("--" + name);
  if (op->count() == 0 || from_file.count(name) != static_cast<std::size_t>(want_file_layer))
    return std::nullopt;
  return op->as<std::string>();
}

std::optional<std::string> env_value(const std::string& name) {
  const std::string var = env_name(name);
  const char* env = std::getenv(var.c_str());
  if (!env) return std::nullopt;
  // An empty variable is a mistake worth stopping on (no token opens the hooks).
  if (!*env) throw UsageError(var + " is set but empty");
  return std::string(env);
}

std::vector<SecretLayer> secret_layers(const CLI::App& cmd, const std::string& name,
                                       const std::set<std::string>& from_file) {
  const std::string file = name + "-file";
  return {{"--" + name + " and --" + file, option_value(cmd, name, false, from_file),
           option_value(cmd, file, false, from_file)},
          {env_name(name) + " and " + env_name(file), env_value(name), env_value(file)},
          {"the config file's " + name + " and " + file, option_value(cmd, name, true, from_file),
           option_value(cmd, file, true, from_file)}};
}

}  // namespace

std::optional<std::string> secret_option(const CLI::App& cmd, const std::string& name,
                                         const std::set<std::string>& from_file) {
  for (auto& layer : secret_layers(cmd, name, from_file)) {
    if (!layer.value && !layer.file) continue;
    if (layer.value && layer.file) throw UsageError("give one of " + layer.source + ", not both");
    std::string source = "--" + name;
    if (layer.file) {
      layer.value = read_secret_file(name + "-file", *layer.file);
      source = "--" + name + "-file " + *layer.file;
    }
    std::string what = name;  // "hook token"
    std::replace(what.begin(), what.end(), '-', ' ');
    if (layer.value->empty()) throw UsageError(source + ": the " + what + " is empty");
    if (layer.value->find_first_of("\r\n") != std::string::npos)
      throw UsageError(source + ": the " + what + " must be one line");
    return layer.value;
  }
  return std::nullopt;
}

}  // namespace sevu
