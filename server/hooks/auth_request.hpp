// nginx auth_request (HLS/DASH over HTTP): GET subrequest carrying the viewer's
// request line in X-Original-URI ($request_uri) and address in X-Real-IP.
// Allow = 2xx, deny = 403 (docs/hooks.md, nginx auth_request). Every request
// is a kView: the usher service keeps the viewing sessions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/http_message.hpp"
#include "hooks/hook_call.hpp"
#include "usher_service/usher_request.hpp"

namespace sevu::hooks {

struct AppVideo {
  std::string app, video;
};

// docs/hooks.md (decided): the first path segment is the app slot, dropped either way;
// app = app_header if given, else that segment. video = video_header if given,
// else the remaining directories without the file name; when no directory
// remains (flat layout), the file name without its extension and, for media
// segments (anything but .m3u8/.mpd), without a trailing -N/_N segment number
// or -init/_init. The path is percent-decoded first (as nginx does); "." and ".."
// segments are refused, since nginx would serve another directory than the one
// the app was derived from. nullopt with `problem` set when refused.
std::optional<AppVideo> derive_app_video(std::string_view raw_path,
                                         std::optional<std::string_view> app_header,
                                         std::optional<std::string_view> video_header,
                                         std::string& problem);

// The viewer's request (a kView) from the subrequest's headers; nullopt with
// `problem` set when X-Original-URI / X-Real-IP are missing or unreadable.
std::optional<UsherRequest> decode_auth_request(const HttpRequest& req, std::string& problem);

HookCall auth_request_call(const HttpRequest& req);

}  // namespace sevu::hooks
