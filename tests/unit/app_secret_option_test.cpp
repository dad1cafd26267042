// secret_option: a secret from --NAME, --NAME-file or SEVU_<NAME>, in that order.
#include <doctest/doctest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "app/cli_args.hpp"

namespace {

using sevu::CliArgs;
using sevu::secret_option;
using sevu::UsageError;

const std::set<std::string> kValued = {"hook-token", "hook-token-file"};

std::optional<std::string> token(const std::vector<std::string>& args) {
  return secret_option(CliArgs(args, kValued, {}), "hook-token");
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
