#include "midclt/api_key.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include <boost/json.hpp>

#include <mw/util/base64.hpp>
#include <mw/util/text.hpp>

namespace midclt {
namespace json = boost::json;

namespace {

bool is_raw_key(std::string_view s) {
  std::size_t dash = s.find('-');
  if (dash == 0 || dash == std::string_view::npos || dash + 1 == s.size()) return false;
  auto digits = s.substr(0, dash), rest = s.substr(dash + 1);
  return std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c); }) &&
         std::all_of(rest.begin(), rest.end(), [](unsigned char c) { return std::isalnum(c); });
}

RawApiKey make_raw(std::string_view raw) {
  if (!is_raw_key(raw)) throw ApiKeyError("raw_key is not a valid API key (format: <id>-<key>)");
  RawApiKey key;
  key.raw = std::string(raw);
  std::size_t dash = raw.find('-');
  auto res = std::from_chars(raw.data(), raw.data() + dash, key.id);
  if (res.ec != std::errc()) throw ApiKeyError("API key id is out of range");
  key.secret = std::string(raw.substr(dash + 1));
  return key;
}

std::string decode_field(const std::string& name, const std::string& value) {
  std::string bytes;
  if (!mw::util::base64_decode(value, bytes)) throw ApiKeyError(name + " is not valid base64");
  return bytes;
}

// The fields of a parsed JSON object or INI section, as strings (api_key_id as its digits).
ApiKeyMaterial from_fields(const std::map<std::string, std::string>& fields) {
  if (auto it = fields.find("raw_key"); it != fields.end()) return make_raw(mw::util::trim(it->second));
  for (const char* required : {"client_key", "stored_key", "server_key", "api_key_id"}) {
    if (!fields.count(required))
      throw ApiKeyError(std::string("Missing required field in key data: '") + required + "'");
  }
  PrecomputedApiKey key;
  key.keys.client_key = decode_field("client_key", fields.at("client_key"));
  key.keys.stored_key = decode_field("stored_key", fields.at("stored_key"));
  key.keys.server_key = decode_field("server_key", fields.at("server_key"));
  const std::string& id = fields.at("api_key_id");
  auto res = std::from_chars(id.data(), id.data() + id.size(), key.id);
  if (res.ec != std::errc() || res.ptr != id.data() + id.size()) throw ApiKeyError("api_key_id must be an int");
  return key;
}

std::map<std::string, std::string> json_fields(const json::object& obj) {
  std::map<std::string, std::string> fields;
  for (const auto& kv : obj) {
    std::string key(kv.key());
    if (kv.value().is_string())
      fields[key] = std::string(kv.value().get_string());
    else if (kv.value().is_int64())
      fields[key] = std::to_string(kv.value().get_int64());
    else if (key == "raw_key")
      throw ApiKeyError("raw_key must be a string");
    else if (key == "api_key_id")
      throw ApiKeyError("api_key_id must be an int");
    else
      throw ApiKeyError(key + " must be a string");
  }
  if (auto it = obj.find("api_key_id"); it != obj.end() && !it->value().is_int64())
    throw ApiKeyError("api_key_id must be an int");
  return fields;
}

// ConfigParser's view: sections, "key = value" or "key: value", keys case-folded, '#'/';'
// comment lines. Returns the [TRUENAS_API_KEY] section, the only section, or the section-less
// keys.
std::map<std::string, std::string> ini_fields(std::string_view text) {
  std::vector<std::pair<std::string, std::map<std::string, std::string>>> sections;
  std::map<std::string, std::string> top;
  std::map<std::string, std::string>* current = &top;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    std::string t = mw::util::trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    if (t.front() == '[') {
      if (t.back() != ']') throw ApiKeyError("Invalid section header: " + t);
      sections.emplace_back(t.substr(1, t.size() - 2), std::map<std::string, std::string>{});
      current = &sections.back().second;
      continue;
    }
    std::size_t sep = t.find_first_of("=:");
    if (sep == std::string::npos) throw ApiKeyError("Invalid line in key file: " + t);
    (*current)[mw::util::ascii_lower(mw::util::trim(t.substr(0, sep)))] = mw::util::trim(t.substr(sep + 1));
  }
  if (sections.empty()) {
    if (top.empty()) throw ApiKeyError("Key data is empty");
    return top;
  }
  for (auto& [name, values] : sections)
    if (name == "TRUENAS_API_KEY") return values;
  if (sections.size() == 1) return sections.front().second;
  throw ApiKeyError("Multiple sections found but [TRUENAS_API_KEY] not present");
}

}  // namespace

ApiKeyMaterial parse_api_key_text(std::string_view input) {
  std::string text = mw::util::trim(input);
  if (is_raw_key(text)) return make_raw(text);
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (!ec) {
    if (!parsed.is_object()) throw ApiKeyError("Key data must be a JSON object");
    return from_fields(json_fields(parsed.get_object()));
  }
  try {
    return from_fields(ini_fields(text));
  } catch (const ApiKeyError& e) {
    throw ApiKeyError(std::string("Key material must be either a raw API key (format: <id>-<key>), valid JSON, "
                                  "or valid INI/ConfigParser format. ") +
                      e.what());
  }
}

ApiKeyMaterial load_api_key(const std::string& argument) {
  std::filesystem::path path(argument);
  std::error_code ec;
  bool is_file = !is_raw_key(mw::util::trim(argument)) && std::filesystem::is_regular_file(path, ec);
  if (path.is_absolute() || is_file) {
    std::ifstream file(path);
    if (!file) {
      if (!std::filesystem::exists(path, ec)) throw ApiKeyError("Key file not found: " + argument);
      throw ApiKeyError("Permission denied reading key file: " + argument);
    }
    std::ostringstream content;
    content << file.rdbuf();
    return parse_api_key_text(content.str());
  }
  return parse_api_key_text(argument);
}

}  // namespace midclt
