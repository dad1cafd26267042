#include "legacy/commands/attempt_filter.hpp"

#include <algorithm>
#include <limits>

#include "core/json_util.hpp"
#include "legacy/wire/request_fields.hpp"

namespace sevu::legacy {

AttemptFilterResult read_attempt_filter(const rapidjson::Value& request, int64_t now,
                                        bool with_paging) {
  AttemptFilterResult result;
  AttemptFilter f;
  auto bad = [&result](const char* field) {
    result.bad_field = field;
    return std::move(result);
  };

  struct TextFilter {
    const char* name;
    std::optional<std::string>* slot;
  };
  for (const auto& [name, slot] :
       {TextFilter{"key", &f.key}, TextFilter{"app", &f.app}, TextFilter{"video", &f.video},
        TextFilter{"ip", &f.ip}, TextFilter{"pass", &f.pass}}) {
    const rapidjson::Value* v = given_field(request, name);
    if (v == nullptr) continue;
    if (!v->IsString()) return bad(name);
    *slot = string_value(*v);
  }

  for (const char* name : {"starttime", "datetime"}) {
    const rapidjson::Value* v = given_field(request, name);
    if (v == nullptr) continue;
    auto since = time_value(*v, now);
    if (!since) return bad(name);
    f.since = f.since ? std::max(*f.since, *since) : *since;
  }

  if (const rapidjson::Value* v = given_field(request, "success")) {
    auto flag = bool_value(*v);
    if (!flag) return bad("success");
    f.success = *flag;
  }

  // Counting ignores paging; the widest limit keeps any store honest about that.
  f.limit = with_paging ? kDefaultAttemptLimit : std::numeric_limits<int64_t>::max();
  f.offset = 0;
  if (with_paging) {
    if (const rapidjson::Value* v = given_field(request, "limit")) {
      auto limit = int_value(*v);
      if (!limit || *limit < 1 || *limit > kMaxAttemptLimit) return bad("limit");
      f.limit = *limit;
    }
    if (const rapidjson::Value* v = given_field(request, "seek")) {
      auto seek = int_value(*v);
      if (!seek || *seek < 0) return bad("seek");
      f.offset = *seek;
    }
  }
  result.filter = std::move(f);
  return result;
}

}  // namespace sevu::legacy
