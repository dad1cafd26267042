// How a stream user appears in replies: never its password (not even its hash),
// plus the URLs an encoder and a player need.
#pragma once

#include <string>

#include "core/json_util.hpp"
#include "legacy/commands/config.hpp"
#include "core/records.hpp"

namespace sevu::legacy {

// "rtmp://<origin_host>/<app>" (the encoder adds the stream name itself).
std::string origin_url(const LegacyConfig& config, const std::string& app);

constexpr const char* kDefaultPlaybackTemplate =
    "http://{origin_host}/{app}/{stream}/playlist.m3u8";

// config.playback_url_template (kDefaultPlaybackTemplate when empty) with every
// {app}, {stream} and {origin_host} replaced in one pass, so a value that itself
// contains "{app}" is not expanded again; all other text is kept as it is.
std::string playback_url(const LegacyConfig& config, const std::string& app,
                         const std::string& stream);

// One user object of sevu.liststreamusers / sevu.retrievestreamuser: id, app,
// stream, user (string, or null without authentication), origin_url,
// playback_url, ga_key, record, record_type, segment_type, segment_value (a
// number for size/duration, the crontab string for schedule, null when
// disabled), save_folder, playlist_count, playlist_timeout, enable_dvr.
void write_stream_user(JsonWriter& w, const StreamUser& user, const LegacyConfig& config);

}  // namespace sevu::legacy
