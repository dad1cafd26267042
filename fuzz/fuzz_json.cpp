// libFuzzer: the one JSON entry point (core parse_json) and the v2 body reader
// over it. The first byte picks the v2 content type and whether an empty body
// is allowed; the rest is the text. Beyond not crashing: an accepted document
// is never nested deeper than kMaxJsonDepth, v2 accepts only what the core
// parser accepts, as an object, and read_top_members (the hook bodies' reader)
// reads what parse_json and present_member read.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <rapidjson/document.h>

#include "core/json_util.hpp"
#include "v2/errors.hpp"
#include "v2/request_body.hpp"

namespace {

// Depth of a parsed document, walked with an explicit stack (no recursion).
int depth_of(const rapidjson::Value& root) {
  int deepest = 0;
  std::vector<std::pair<const rapidjson::Value*, int>> todo{{&root, 1}};
  while (!todo.empty()) {
    auto [v, depth] = todo.back();
    todo.pop_back();
    if (v->IsArray()) {
      deepest = std::max(deepest, depth);
      for (const auto& item : v->GetArray()) todo.emplace_back(&item, depth + 1);
    } else if (v->IsObject()) {
      deepest = std::max(deepest, depth);
      for (const auto& m : v->GetObject()) todo.emplace_back(&m.value, depth + 1);
    }
  }
  return deepest;
}

// read_top_members against the document: the same refusal, and the same
// value for each name asked for (names short enough for the fuzzer to hit).
void same_as_document(std::string_view text, sevu::JsonUtf8 utf8, const std::string& problem,
                      const rapidjson::Document& doc) {
  static constexpr std::string_view kNames[] = {"a", "b", "ip", "key"};
  constexpr std::size_t kCount = sizeof kNames / sizeof kNames[0];
  sevu::TopMember members[kCount];
  bool is_object = false;
  if (sevu::read_top_members(text, utf8, kNames, kCount, members, is_object) != problem)
    std::abort();
  if (!problem.empty()) return;
  if (is_object != doc.IsObject()) std::abort();
  for (std::size_t i = 0; i < kCount; ++i) {
    const rapidjson::Value* v = sevu::present_member(doc, kNames[i].data());
    if (members[i].present() != (v != nullptr)) std::abort();
    if (v == nullptr) continue;
    if ((members[i].kind == sevu::TopMember::Kind::kString) != v->IsString()) std::abort();
    if (v->IsString() && members[i].text != std::string_view(v->GetString(), v->GetStringLength()))
      std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const char* kTypes[] = {"application/json", "text/plain; charset=utf-8",
                                 "application/problem+json", "multipart/form-data"};
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  rapidjson::Document doc;
  const std::string core_problem = sevu::parse_json(text, doc);
  const bool core_ok = core_problem.empty();
  same_as_document(text, sevu::JsonUtf8::kRequired, core_problem, doc);
  {
    rapidjson::Document loose;
    same_as_document(text, sevu::JsonUtf8::kPassedThrough,
                     sevu::parse_json(text, loose, sevu::JsonUtf8::kPassedThrough), loose);
  }
  if (core_ok) {
    if (depth_of(doc) > sevu::kMaxJsonDepth) std::abort();
    if (doc.IsObject()) {
      for (const auto& m : doc.GetObject()) sevu::datetime_value(m.value, 1700000000);
    }
  }

  sevu::HttpRequest req;
  req.method = "PUT";
  req.target = "/v2/sevu_token";
  req.body = std::string(text);
  req.headers = {{"Content-Type", kTypes[data[0] % 4]}};
  rapidjson::Document body;
  try {
    if (sevu::v2::read_json_object(req, body, (data[0] & 4) != 0)) {
      if (!core_ok || !body.IsObject()) std::abort();
    }
  } catch (const sevu::v2::V2Error&) {
  }
  return 0;
}
