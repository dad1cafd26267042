#include "legacy/commands/stream_users/json.hpp"

#include <array>
#include <string_view>
#include <utility>

#include "core/text.hpp"

namespace sevu::legacy {

namespace {

void write_segment_value(JsonWriter& w, const StreamUser& u) {
  w.Key("segment_value");
  if (u.segment_type == "size" || u.segment_type == "duration") {
    // Stored as the digits it was validated as; anything else (a row written by
    // hand) is shown as the text it is rather than guessed at.
    if (const std::optional<int64_t> n = parse_decimal(u.segment_value)) {
      w.Int64(*n);
    } else {
      w.String(u.segment_value.data(), static_cast<rapidjson::SizeType>(u.segment_value.size()));
    }
  } else if (u.segment_type == "schedule") {
    w.String(u.segment_value.data(), static_cast<rapidjson::SizeType>(u.segment_value.size()));
  } else {
    w.Null();
  }
}

}  // namespace

std::string origin_url(const LegacyConfig& config, const std::string& app) {
  return "rtmp://" + config.origin_host + "/" + app;
}

std::string playback_url(const LegacyConfig& config, const std::string& app,
                         const std::string& stream) {
  const std::string_view tmpl = config.playback_url_template.empty()
                                    ? std::string_view(kDefaultPlaybackTemplate)
                                    : std::string_view(config.playback_url_template);
  const std::array<std::pair<std::string_view, const std::string*>, 3> fills = {{
      {"{app}", &app},
      {"{stream}", &stream},
      {"{origin_host}", &config.origin_host},
  }};
  std::string out;
  std::size_t pos = 0;
  while (pos < tmpl.size()) {
    bool filled = false;
    if (tmpl[pos] == '{') {
      for (const auto& [placeholder, value] : fills) {
        if (tmpl.substr(pos, placeholder.size()) == placeholder) {
          out += *value;
          pos += placeholder.size();
          filled = true;
          break;
        }
      }
    }
    if (!filled) out += tmpl[pos++];
  }
  return out;
}

void write_stream_user(JsonWriter& w, const StreamUser& u, const LegacyConfig& config) {
  w.StartObject();
  w.Key("id");
  w.Int64(u.id);
  put(w, "app", u.app);
  put(w, "stream", u.stream);
  w.Key("user");
  if (u.user) {
    w.String(u.user->data(), static_cast<rapidjson::SizeType>(u.user->size()));
  } else {
    w.Null();
  }
  put(w, "origin_url", origin_url(config, u.app));
  // Upstream's example spells this "playback_url " (trailing space): a typo we do not copy.
  put(w, "playback_url", playback_url(config, u.app, u.stream));
  put(w, "ga_key", u.ga_key);
  w.Key("record");
  w.Bool(u.record);
  put(w, "record_type", u.record_type);
  put(w, "segment_type", u.segment_type.empty() ? std::string("disabled") : u.segment_type);
  write_segment_value(w, u);
  put(w, "save_folder", u.save_folder);
  w.Key("playlist_count");
  w.Int64(u.playlist_count);
  w.Key("playlist_timeout");
  w.Int64(u.playlist_timeout);
  w.Key("enable_dvr");
  w.Bool(u.enable_dvr);
  w.EndObject();
}

}  // namespace sevu::legacy
