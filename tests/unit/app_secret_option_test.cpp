// secret_option: a secret from --NAME or --NAME-file: flags, then SEVU_<NAME>, then the
// config file.
#include <doctest/doctest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "app/cli_args.hpp"

#include <CLI/CLI.hpp>

namespace {

using sevu::secret_option;
using sevu::UsageError;

// The two options as serve defines them, parsed from args; keys in from_file
// count as set by the config file.
std::optional<std::string> token(std::vector<std::string> args,
                                 const std::set<std::string>& from_file = {}) {
  CLI::App app;
  app.add_option("--hook-token");
  app.add_option("--hook-token-file");
  std::reverse(args.begin(), args.end());
  app.parse(args);
  return secret_option(app, "hook-token", from_file);
}

struct TempFile {
  std::string path;
  explicit TempFile(const std::string& text) {
    char pattern[] = "/tmp/sevu-secret-XXXXXX";
    const int fd = mkstemp(pattern);
    REQUIRE(fd >= 0);
    close(fd);
    path = pattern;
    std::ofstream(path, std::ios::binary) << text;
  }
  ~TempFile() { std::remove(path.c_str()); }
};

struct Env {
  explicit Env(const char* value) {
    if (value)
      setenv("SEVU_HOOK_TOKEN", value, 1);
    else
      unsetenv("SEVU_HOOK_TOKEN");
  }
  ~Env() { unsetenv("SEVU_HOOK_TOKEN"); }
};

}  // namespace

TEST_CASE("no source: no secret") {
  Env env(nullptr);
  CHECK(!token({}));
}

TEST_CASE("a token file loses one trailing newline, no more") {
  Env env(nullptr);
  CHECK(token({"--hook-token-file", TempFile("s3cret\n").path}) == "s3cret");
  CHECK(token({"--hook-token-file", TempFile("s3cret\r\n").path}) == "s3cret");
  CHECK(token({"--hook-token-file", TempFile("s3cret").path}) == "s3cret");
  CHECK(token({"--hook-token-file", TempFile("  s3cret ").path}) == "  s3cret ");
  CHECK_THROWS_AS(token({"--hook-token-file", TempFile("s3cret\n\n").path}), UsageError);
  CHECK_THROWS_AS(token({"--hook-token-file", TempFile("a\nb\n").path}), UsageError);
}

TEST_CASE("an empty secret is refused wherever it comes from") {
  {
    Env env(nullptr);
    CHECK_THROWS_AS(token({"--hook-token", ""}), UsageError);
    CHECK_THROWS_AS(token({"--hook-token-file", TempFile("\n").path}), UsageError);
    CHECK_THROWS_AS(token({"--hook-token-file", TempFile("").path}), UsageError);
  }
  Env env("");
  CHECK_THROWS_AS(token({}), UsageError);
}

TEST_CASE("the flag or its file beats the environment; both spellings at once are refused") {
  Env env("from-env");
  CHECK(token({}) == "from-env");
  CHECK(token({"--hook-token", "from-flag"}) == "from-flag");
  CHECK(token({"--hook-token-file", TempFile("from-file\n").path}) == "from-file");
  CHECK_THROWS_AS(token({"--hook-token", "a", "--hook-token-file", TempFile("b").path}),
                  UsageError);
  CHECK_THROWS_AS(token({"--hook-token-file", "/nonexistent/sevu/token"}), UsageError);
}

TEST_CASE("the environment beats the config file, whichever of the two each gives") {
  Env env("from-env");
  CHECK(token({"--hook-token", "in-file"}, {"hook-token"}) == "from-env");
  CHECK(token({"--hook-token-file", TempFile("in-file").path}, {"hook-token-file"}) == "from-env");
  // A flag beside the file's value is the flag layer's.
  CHECK(token({"--hook-token", "flag", "--hook-token-file", "unused"}, {"hook-token-file"}) ==
        "flag");
}

TEST_CASE("the config file alone gives the secret") {
  Env env(nullptr);
  CHECK(token({"--hook-token", "in-file"}, {"hook-token"}) == "in-file");
  CHECK(token({"--hook-token-file", TempFile("t\n").path}, {"hook-token-file"}) == "t");
}
