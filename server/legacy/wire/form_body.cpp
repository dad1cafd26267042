#include "legacy/wire/form_body.hpp"

#include <algorithm>
#include <cstddef>

#include "core/query_string.hpp"
#include "core/text.hpp"

namespace sevu::legacy {

namespace {

constexpr std::size_t kMaxBoundary = 200;  // RFC 2046 says 70; longer ones are tolerated

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

// Header values here are trimmed of a stray CR too (a line end doubled by a client).
constexpr std::string_view kHeaderSpace = " \t\r";

FormField failure(std::string problem) {
  FormField f;
  f.problem = std::move(problem);
  return f;
}

FormField success(std::string value) {
  FormField f;
  f.ok = true;
  f.value = std::move(value);
  return f;
}

// A delimiter line "--boundary" (or the close delimiter "--boundary--") starting
// at a line start, followed by optional transport padding and a line end.
struct Delimiter {
  std::size_t content_end = 0;  // where the part before it ends (its CRLF belongs to the delimiter)
  std::size_t next = 0;         // first byte after the delimiter line
  bool close = false;
};

std::optional<Delimiter> find_delimiter(std::string_view body, std::string_view dash_boundary,
                                        std::size_t from) {
  for (std::size_t p = body.find(dash_boundary, from); p != std::string_view::npos;
       p = body.find(dash_boundary, p + 1)) {
    if (p != 0 && body[p - 1] != '\n') continue;  // not at a line start: part content
    std::size_t q = p + dash_boundary.size();
    Delimiter d;
    if (body.substr(q, 2) == "--") {
      d.close = true;
      q += 2;
    }
    while (q < body.size() && is_space(body[q])) ++q;
    if (q == body.size()) {
      d.next = q;
    } else if (body.substr(q, 2) == "\r\n") {
      d.next = q + 2;
    } else if (body[q] == '\n') {  // tolerated: LF-only line ends
      d.next = q + 1;
    } else {
      continue;  // "--boundaryX...": a longer line that merely starts like the boundary
    }
    d.content_end = p;
    if (d.content_end > 0 && body[d.content_end - 1] == '\n') --d.content_end;
    if (d.content_end > 0 && body[d.content_end - 1] == '\r') --d.content_end;
    return d;
  }
  return std::nullopt;
}

struct Part {
  std::optional<std::string> name;  // from Content-Disposition
  std::string_view content;
};

// Part headers up to the first empty line, then the content. Folded header
// lines (starting with a space or tab) continue the previous header.
Part parse_part(std::string_view part) {
  Part out;
  std::string header;  // current (unfolded) header line
  auto finish_header = [&]() {
    auto colon = header.find(':');
    if (colon != std::string::npos &&
        iequals(trim(std::string_view(header).substr(0, colon), kHeaderSpace),
                "content-disposition")) {
      out.name = header_param(std::string_view(header).substr(colon + 1), "name");
    }
    header.clear();
  };
  std::size_t pos = 0;
  while (pos < part.size()) {
    std::size_t eol = part.find('\n', pos);
    std::size_t line_end = eol == std::string_view::npos ? part.size() : eol;
    std::string_view line = part.substr(pos, line_end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = eol == std::string_view::npos ? part.size() : eol + 1;
    if (line.empty()) {  // end of headers
      finish_header();
      out.content = part.substr(pos);
      return out;
    }
    if (is_space(line.front()) && !header.empty()) {
      header += ' ';
      header += trim(line, kHeaderSpace);
    } else {
      finish_header();
      header = std::string(line);
    }
  }
  finish_header();  // headers only, no content
  return out;
}

}  // namespace

std::optional<std::string> header_param(std::string_view header_value, std::string_view name) {
  std::size_t pos = header_value.find(';');
  if (pos == std::string_view::npos) return std::nullopt;
  std::optional<std::string> found;
  while (pos < header_value.size() && header_value[pos] == ';') {
    ++pos;
    while (pos < header_value.size() && is_space(header_value[pos])) ++pos;
    std::size_t name_end = pos;
    while (name_end < header_value.size() && header_value[name_end] != '=' &&
           header_value[name_end] != ';')
      ++name_end;
    std::string_view param = trim(header_value.substr(pos, name_end - pos), kHeaderSpace);
    pos = name_end;
    std::string value;
    if (pos < header_value.size() && header_value[pos] == '=') {
      ++pos;
      while (pos < header_value.size() && is_space(header_value[pos])) ++pos;
      if (pos < header_value.size() && header_value[pos] == '"') {  // quoted-string
        ++pos;
        while (pos < header_value.size() && header_value[pos] != '"') {
          if (header_value[pos] == '\\' && pos + 1 < header_value.size()) ++pos;
          value += header_value[pos++];
        }
        if (pos < header_value.size()) ++pos;  // closing quote
        while (pos < header_value.size() && header_value[pos] != ';') ++pos;
      } else {
        std::size_t end = header_value.find(';', pos);
        if (end == std::string_view::npos) end = header_value.size();
        value = std::string(trim(header_value.substr(pos, end - pos), kHeaderSpace));
        pos = end;
      }
    }
    if (!found && iequals(param, name)) found = std::move(value);
  }
  return found;
}

FormField multipart_field(std::string_view body, std::string_view boundary, std::string_view name) {
  if (boundary.empty() || boundary.size() > kMaxBoundary) {
    return failure("multipart body without a usable boundary");
  }
  const std::string dash_boundary = "--" + std::string(boundary);
  auto delim = find_delimiter(body, dash_boundary, 0);  // skips the preamble
  if (!delim) return failure("multipart body without its boundary");
  std::optional<std::string> value;
  while (!delim->close) {
    std::size_t part_start = delim->next;
    auto next = find_delimiter(body, dash_boundary, part_start);
    if (!next) return failure("multipart body without a closing boundary");
    // An empty part sits between two adjacent delimiter lines.
    std::string_view part = next->content_end >= part_start
                                ? body.substr(part_start, next->content_end - part_start)
                                : std::string_view{};
    Part parsed = parse_part(part);
    if (parsed.name && *parsed.name == name) value = std::string(parsed.content);
    delim = next;
  }
  // Whatever follows the close delimiter is the epilogue and is ignored.
  if (!value) return failure("multipart body has no field '" + std::string(name) + "'");
  return success(std::move(*value));
}

FormField urlencoded_field(std::string_view body, std::string_view name) {
  std::optional<std::string> value;
  std::size_t pos = 0;
  while (pos <= body.size()) {
    std::size_t amp = body.find('&', pos);
    if (amp == std::string_view::npos) amp = body.size();
    std::string_view pair = body.substr(pos, amp - pos);
    pos = amp + 1;
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq), true);
    auto val = percent_decode(
        eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
    if (!key || !val) return failure("malformed %-escape in form body");
    if (*key == name) value = std::move(*val);
  }
  if (!value) return failure("form body has no field '" + std::string(name) + "'");
  return success(std::move(*value));
}

FormField extract_request_json(std::string_view content_type, std::string_view body) {
  const std::string type = media_type(content_type);
  if (type == "multipart/form-data") {
    auto boundary = header_param(content_type, "boundary");
    if (!boundary) return failure("multipart/form-data without a boundary parameter");
    return multipart_field(body, *boundary, "json");
  }
  if (type == "application/x-www-form-urlencoded") {
    // `curl -d '{...}'` labels a raw JSON body as a form. No form field name
    // starts with '{', so such a body can only be meant as the JSON itself.
    std::string_view start = body.substr(std::min(body.find_first_not_of(" \t\r\n"), body.size()));
    if (!start.empty() && start.front() == '{') return success(std::string(body));
    return urlencoded_field(body, "json");
  }
  return success(std::string(body));
}

}  // namespace sevu::legacy
