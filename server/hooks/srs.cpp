#include "hooks/srs.hpp"

#include "core/json_util.hpp"
#include "core/text.hpp"
#include "core/utf8.hpp"
#include "hooks/hook_replies.hpp"
#include "hooks/wire_fields.hpp"

namespace sevu::hooks {

namespace {

HttpResponse allow() {
  return plain_reply(200, "0");
}

HttpResponse encode(const UsherDecision& d) {
  return d.allowed ? allow() : decision_reply(403, d);
}

UsherRequest usher_request(const SrsCall& c, UsherAction action) {
  UsherRequest r;
  r.action = action;
  r.credentials = c.credentials;
  r.client_ip = c.ip;
  r.app = c.app;
  r.video = c.stream;
  r.media_server = "srs";
  r.protocol = "play";
  r.pageurl = c.page_url;
  r.session_id = c.client_id;
  return r;
}

// client_id as SRS 4+ sends it (a string) or SRS 3 did (an integer).
bool read_client_id(std::string_view body, std::string& out) {
  JsonDocument doc;
  if (!parse_json(body, doc, JsonUtf8::kPassedThrough).empty() || !doc.IsObject()) return false;
  auto it = doc.FindMember("client_id");
  if (it == doc.MemberEnd() || it->value.IsNull()) return true;
  if (it->value.IsString()) {
    out.assign(it->value.GetString(), it->value.GetStringLength());
  } else if (it->value.IsInt64()) {
    out = std::to_string(it->value.GetInt64());
  } else {
    return false;
  }
  return true;
}

// SRS names an HLS viewer's stream by its playlist's file name: its HLS
// context (hls_ctx, on by default) sets the stream to the URL's basename,
// "mystream.m3u8", where RTMP and HTTP-FLV say "mystream" (SrsHlsStream::
// serve_m3u8_ctx in ossrs/srs, srs_app_http_static.cpp). The ticket names the
// stream, so the playlist's extension goes (docs/hooks.md, SRS).
void drop_playlist_extension(std::string& stream) {
  constexpr std::string_view kPlaylist = ".m3u8";
  if (stream.size() > kPlaylist.size() && ends_with(stream, kPlaylist))
    stream.resize(stream.size() - kPlaylist.size());
}

bool event_only(const std::string& action) {
  for (const char* event :
       {"on_connect", "on_close", "on_unpublish", "on_dvr", "on_hls"}) {
    if (action == event) return true;
  }
  return false;
}

}  // namespace

std::optional<SrsCall> decode_srs(std::string_view body, std::string& problem) {
  SrsCall c;
  if (!read_json_strings(body,
                         {{"action", &c.action},
                           {"ip", &c.ip},
                          {"app", &c.app},
                          {"stream", &c.stream},
                          {"param", &c.param},
                          {"pageUrl", &c.page_url},
                          {"tcUrl", &c.tc_url}},
                         problem))
    return std::nullopt;
  if (!read_client_id(body, c.client_id)) {
    problem = "client_id: must be a string or an integer";
    return std::nullopt;
  }
  if (c.action.empty()) {
    problem = "action: required";
    return std::nullopt;
  }
  drop_playlist_extension(c.stream);
  // SRS before v4 sent no param; the credentials then ride in tcUrl's query.
  c.credentials = credentials_from_query(c.param, c.tc_url);
  if ((c.action == "on_play" || c.action == "on_publish") && c.ip.empty()) {
    problem = "ip: required";
    return std::nullopt;
  }
  return c;
}

HookCall srs_call(const HttpRequest& req) {
  std::string problem;
  auto call = decode_srs(req.body, problem);
  if (!call) return HookCall::answered(malformed(problem));
  if (call->action == "on_play") return HookCall::ask(usher_request(*call, UsherAction::kStart), encode);
  // The viewer left: its session closes. SRS ignores this answer; without a
  // key there is no session to close.
  if (call->action == "on_stop") {
    if (!call->credentials.key) return HookCall::answered(allow());
    return HookCall::ask(usher_request(*call, UsherAction::kEnd),
                         [](const UsherDecision&) { return allow(); });
  }
  if (call->action == "on_publish")
    return HookCall::ask(usher_request(*call, UsherAction::kPublish), encode);
  if (event_only(call->action)) return HookCall::answered(allow());
  return HookCall::answered(
      malformed("unknown action '" + to_valid_utf8(call->action, 64) + "'"));
}

}  // namespace sevu::hooks
