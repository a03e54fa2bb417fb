#include "midclt/api_key.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

using namespace midclt;

namespace {
constexpr const char* kRaw = "7-VqZfWCloeIoYsJbquX7BGaD45JBtOUx0NFHxg5ll7e4QLH1cG5XTtdGU0KbBxxRL";

std::filesystem::path write_temp(const std::string& name, const std::string& content) {
  auto path = std::filesystem::temp_directory_path() / ("midclt_api_key_test_" + std::to_string(::getpid()) + name);
  std::ofstream(path) << content;
  return path;
}
}  // namespace

TEST(ApiKey, RawKeySplitsIdAndSecret) {
  auto key = std::get<RawApiKey>(parse_api_key_text(std::string(kRaw) + "\n"));
  EXPECT_EQ(key.raw, kRaw);
  EXPECT_EQ(key.id, 7);
  EXPECT_EQ(key.secret, "VqZfWCloeIoYsJbquX7BGaD45JBtOUx0NFHxg5ll7e4QLH1cG5XTtdGU0KbBxxRL");
}

TEST(ApiKey, JsonRawKeyField) {
  auto key = std::get<RawApiKey>(parse_api_key_text(std::string(R"({"raw_key": ")") + kRaw + "\"}"));
  EXPECT_EQ(key.id, 7);
}

TEST(ApiKey, JsonPrecomputedKeys) {
  auto key = std::get<PrecomputedApiKey>(
      parse_api_key_text(R"({"client_key":"AQID","stored_key":"BAUG","server_key":"BwgJ","api_key_id":3})"));
  EXPECT_EQ(key.id, 3);
  EXPECT_EQ(key.keys.client_key, std::string("\x01\x02\x03"));
  EXPECT_EQ(key.keys.server_key, std::string("\x07\x08\x09"));
}

TEST(ApiKey, JsonPrecomputedRequiresEveryField) {
  EXPECT_THROW(parse_api_key_text(R"({"client_key":"AQID","api_key_id":3})"), ApiKeyError);
  EXPECT_THROW(parse_api_key_text(R"({"raw_key":5})"), ApiKeyError);
}

TEST(ApiKey, IniSectionTruenasApiKey) {
  auto key = std::get<RawApiKey>(
      parse_api_key_text(std::string("[other]\nx = 1\n\n[TRUENAS_API_KEY]\n# comment\nRAW_KEY = ") + kRaw + "\n"));
  EXPECT_EQ(key.id, 7);
}

TEST(ApiKey, IniPrecomputedWithoutSection) {
  auto key = std::get<PrecomputedApiKey>(
      parse_api_key_text("client_key = AQID\nstored_key = BAUG\nserver_key: BwgJ\napi_key_id = 12\n"));
  EXPECT_EQ(key.id, 12);
}

TEST(ApiKey, RejectsGarbage) { EXPECT_THROW(parse_api_key_text("not a key"), ApiKeyError); }

TEST(ApiKey, LoadsAbsolutePathFile) {
  auto path = write_temp("raw", std::string(kRaw) + "\n");
  auto key = std::get<RawApiKey>(load_api_key(path.string()));
  EXPECT_EQ(key.raw, kRaw);
  std::filesystem::remove(path);
}

TEST(ApiKey, MissingAbsoluteFileIsReported) {
  try {
    load_api_key("/nonexistent/dir/key.json");
    FAIL() << "expected ApiKeyError";
  } catch (const ApiKeyError& e) {
    EXPECT_EQ(std::string(e.what()), "Key file not found: /nonexistent/dir/key.json");
  }
}

TEST(ApiKey, RawKeyArgumentIsNotTreatedAsPath) { EXPECT_EQ(std::get<RawApiKey>(load_api_key(kRaw)).id, 7); }
