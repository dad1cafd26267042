#include "hooks/auth_request.hpp"

#include <algorithm>

#include "core/json_util.hpp"
#include "core/query_string.hpp"
#include "core/text.hpp"
#include "hooks/hook_replies.hpp"
#include "hooks/wire_fields.hpp"

namespace sevu::hooks {

namespace {

bool is_playlist(std::string_view ext) {
  return ext == "m3u8" || ext == "mpd";
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_digit);
}

// "mystream-12.ts" -> "mystream"; "mystream.m3u8" -> "mystream".
std::string flat_video_name(std::string_view file) {
  std::string_view stem = file;
  std::string_view ext;
  auto dot = file.rfind('.');
  if (dot != std::string_view::npos && dot > 0) {
    stem = file.substr(0, dot);
    ext = file.substr(dot + 1);
  }
  if (!is_playlist(ext)) {
    auto sep = stem.find_last_of("-_");
    if (sep != std::string_view::npos && sep > 0) {
      auto tail = stem.substr(sep + 1);
      if (all_digits(tail) || tail == "init") stem = stem.substr(0, sep);
    }
  }
  return std::string(stem);
}

HttpResponse encode(const UsherDecision& d) {
  return decision_reply(d.allowed ? 200 : 403, d);
}

std::optional<std::string_view> non_empty_header(const HttpRequest& req, std::string_view name) {
  auto v = req.header(name);
  if (!v || v->empty()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<AppVideo> derive_app_video(std::string_view raw_path,
                                         std::optional<std::string_view> app_header,
                                         std::optional<std::string_view> video_header,
                                         std::string& problem) {
  // Decoded into a copy only when there is an escape to decode: a media
  // path rarely has one, and the segments below are views of it.
  std::string decoded;
  std::string_view path = raw_path;
  if (raw_path.find('%') != std::string_view::npos) {
    auto d = percent_decode(raw_path, false);
    if (!d) {
      problem = "X-Original-URI: malformed %-escape";
      return std::nullopt;
    }
    decoded = std::move(*d);
    path = decoded;
  }
  if (path.find('\0') != std::string_view::npos) {
    problem = "X-Original-URI: NUL in path";
    return std::nullopt;
  }
  auto parts = path_segments(path);  // "//" collapses, as nginx merges slashes
  for (auto p : parts) {
    if (p == "." || p == "..") {
      problem = "X-Original-URI: dot segment in path";
      return std::nullopt;
    }
  }

  AppVideo out;
  std::string_view slot = parts.empty() ? std::string_view{} : parts.front();
  out.app = std::string(app_header ? *app_header : slot);
  if (!parts.empty()) parts.erase(parts.begin());

  if (video_header) {
    out.video = std::string(*video_header);
  } else if (parts.size() >= 2) {
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
      if (i) out.video += '/';
      out.video += parts[i];
    }
  } else if (parts.size() == 1) {
    out.video = flat_video_name(parts.front());
  }
  return out;
}

std::optional<UsherRequest> decode_auth_request(const HttpRequest& req, std::string& problem) {
  auto uri = req.header("X-Original-URI");
  if (!uri || uri->empty()) {
    problem = "missing X-Original-URI header";
    return std::nullopt;
  }
  auto ip = req.header("X-Real-IP");
  if (!ip || ip->empty()) {
    problem = "missing X-Real-IP header";
    return std::nullopt;
  }
  // An absolute-form request line ("http://host/a/b?x") counts by its path.
  const auto [path, query] = split_url(*uri);

  auto where = derive_app_video(path, non_empty_header(req, "X-Sevu-App"),
                                non_empty_header(req, "X-Sevu-Video"), problem);
  if (!where) return std::nullopt;
  UsherRequest r;
  r.action = UsherAction::kView;
  r.credentials = credentials_from_query(query);
  r.client_ip = std::string(*ip);
  r.app = std::move(where->app);
  r.video = std::move(where->video);
  r.media_server = "auth-request";
  r.protocol = "play";
  r.refurl = std::string(req.header("Referer").value_or(""));
  return r;
}

HookCall auth_request_call(const HttpRequest& req) {
  // nginx sends no body; one nested too deep is refused here as on every
  // route (docs/decisions.md), before any decision.
  if (nested_too_deep(req.body)) return HookCall::answered(malformed(json_too_deep()));
  std::string problem;
  auto request = decode_auth_request(req, problem);
  if (request) return HookCall::ask(std::move(*request), encode);
  // Without its headers the subrequest is misconfigured: 400. With them, the
  // viewer's own URI could not be read ("?key=%zz", "/../"): a denial, 403,
  // which nginx hands on as 403; any other status reaches the viewer as 500.
  const bool configured =
      non_empty_header(req, "X-Original-URI") && non_empty_header(req, "X-Real-IP");
  if (!configured) return HookCall::answered(malformed(problem));
  return HookCall::answered(encode(refused(problem)));
}

}  // namespace sevu::hooks
