#include "midclt/login.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "midclt/api_key.hpp"
#include "midclt/py_format.hpp"

#include <mw/util/base64.hpp>
#include <mw/util/random.hpp>
#include <mw/util/scram.hpp>

namespace midclt {
namespace json = boost::json;

namespace {

constexpr std::size_t kScramNonceBytes = 32;

std::string response_type(const json::value& response) {
  if (!response.is_object()) return "None";
  const json::value* type = response.get_object().if_contains("response_type");
  return type && type->is_string() ? std::string(type->get_string()) : "None";
}

std::string string_member(const json::value& response, std::string_view key) {
  if (!response.is_object()) return {};
  const json::value* v = response.get_object().if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// auth.login_ex answers other than SUCCESS, as the Python client words them.
[[noreturn]] void fail_login_ex(const json::value& response, const std::string& auth_err_text) {
  std::string type = response_type(response);
  if (type == "OTP_REQUIRED")
    throw LoginError(
        "Two-factor authentication is required for this account. "
        "Call login_with_password again with otp_token specified.");
  if (type == "REDIRECT") {
    std::string urls;
    if (const json::value* list = response.get_object().if_contains("urls"); list && list->is_array()) {
      for (const auto& url : list->get_array()) {
        if (!urls.empty()) urls += ", ";
        urls += python_print_form(url);
      }
    }
    throw LoginError("Authentication must be performed on active storage controller. Redirect URLs: " + urls);
  }
  if (type == "EXPIRED") throw LoginError("Account credentials have expired");
  if (type == "DENIED") throw LoginError("Account does not have API access");
  throw LoginError(auth_err_text);
}

json::value call_for_login(Client& client, std::string_view method, json::array params,
                           std::optional<Seconds> timeout) {
  try {
    return client.call_value(method, std::move(params), timeout);
  } catch (const ClientError& e) {
    throw LoginError(e.error());
  }
}

std::vector<std::string> mechanism_choices(Client& client, std::optional<Seconds> timeout) {
  json::value choices;
  try {
    choices = client.call_value("auth.mechanism_choices", {}, timeout);
  } catch (const ClientError& e) {
    if (e.error().find("Method does not exist") != std::string::npos) return {"API_KEY_PLAIN"};
    throw LoginError(e.error());
  }
  std::vector<std::string> out;
  if (choices.is_array())
    for (const auto& c : choices.get_array())
      if (c.is_string()) out.emplace_back(c.get_string());
  return out;
}

void scram_login(Client& client, const std::string& username, const ApiKeyMaterial& key,
                 std::optional<Seconds> timeout) {
  long long key_id = std::visit([](const auto& k) { return k.id; }, key);
  // TrueNAS names the key as well as the user ("<user>:<key id>") so the server can pick the
  // key's SCRAM data among the user's keys.
  using mw::util::scram::ClientExchange;
  const std::string scram_user = username + ":" + std::to_string(key_id);
  const std::string nonce = mw::util::base64_encode(mw::util::random_bytes(kScramNonceBytes));
  const auto* raw = std::get_if<RawApiKey>(&key);
  ClientExchange scram =
      raw ? ClientExchange(mw::util::HashAlg::Sha512, scram_user, raw->secret, nonce)
          : ClientExchange(mw::util::HashAlg::Sha512, scram_user, std::get<PrecomputedApiKey>(key).keys, nonce);
  json::value first = call_for_login(
      client, "auth.login_ex",
      json::array{json::object{
          {"mechanism", "SCRAM"}, {"scram_type", "CLIENT_FIRST_MESSAGE"}, {"rfc_str", scram.client_first()}}},
      timeout);
  if (response_type(first) != "SCRAM_RESPONSE") throw LoginError(response_type(first) + ": unexpected server response");

  std::string final_message;
  try {
    final_message = scram.client_final(string_member(first, "rfc_str"));
  } catch (const mw::util::scram::ScramError& e) {
    throw LoginError(e.what());
  }
  json::value second =
      call_for_login(client, "auth.login_ex",
                     json::array{json::object{
                         {"mechanism", "SCRAM"}, {"scram_type", "CLIENT_FINAL_MESSAGE"}, {"rfc_str", final_message}}},
                     timeout);
  std::string type = response_type(second);
  if (type == "AUTH_ERR") throw LoginError("Failed to authenticate with API key");
  if (type != "SCRAM_RESPONSE") throw LoginError(type + ": unexpected server response");
  if (!scram.verify_server_final(string_member(second, "rfc_str"))) {
    // The server accepted us without proving it knows the key: do not keep that session.
    try {
      client.call_value("auth.logout", {}, timeout);
    } catch (const ClientError&) {
    }
    throw LoginError("Remote server validation failed! Server signature does not match");
  }
}

}  // namespace

void login_with_password(Client& client, const std::string& username, const std::string& password,
                         std::optional<Seconds> timeout) {
  auto legacy_login = [&] {
    json::value ok = call_for_login(client, "auth.login", json::array{username, password, nullptr}, timeout);
    if (!python_truthy(ok)) throw LoginError("Invalid username or password");
  };
  if (client.legacy()) return legacy_login();
  json::value response;
  try {
    response = client.call_value(
        "auth.login_ex",
        json::array{json::object{{"mechanism", "PASSWORD_PLAIN"}, {"username", username}, {"password", password}}},
        timeout);
  } catch (const ClientError& e) {
    if (e.error() == "Method does not exist") return legacy_login();
    throw LoginError(e.error());
  }
  if (response_type(response) != "SUCCESS") fail_login_ex(response, "Invalid username or password");
}

void login_with_api_key(Client& client, const std::optional<std::string>& username, const std::string& key_argument,
                        ApiKeyMechanism mechanism, std::optional<Seconds> timeout) {
  ApiKeyMaterial key;
  try {
    key = load_api_key(key_argument);
  } catch (const ApiKeyError& e) {
    throw LoginError(e.what());
  }
  const auto* raw = std::get_if<RawApiKey>(&key);
  if (client.legacy()) {
    if (mechanism == ApiKeyMechanism::Scram)
      throw LoginError("Legacy TrueNAS servers do not implement SCRAM authentication");
    if (!raw) throw LoginError("Raw API key is required in order to do legacy API key authentication");
    json::value ok = call_for_login(client, "auth.login_with_api_key", json::array{raw->raw}, timeout);
    if (!python_truthy(ok)) throw LoginError("Invalid API key");
    return;
  }
  auto available = mechanism_choices(client, timeout);
  auto offers = [&](std::string_view m) { return std::find(available.begin(), available.end(), m) != available.end(); };
  if (mechanism == ApiKeyMechanism::Plain) {
    if (!raw) throw LoginError("Raw API key is required in order to do legacy API key authentication");
    if (!username || username->empty()) throw LoginError("username is required for API_KEY_PLAIN authentication");
    json::value response = call_for_login(
        client, "auth.login_ex",
        json::array{json::object{{"mechanism", "API_KEY_PLAIN"}, {"username", *username}, {"api_key", raw->raw}}},
        timeout);
    if (response_type(response) != "SUCCESS") fail_login_ex(response, "Invalid API key");
    return;
  }
  if (!offers("SCRAM")) throw LoginError("SCRAM authentication is not supported on the remote server");
  if (!username || username->empty()) throw LoginError("username is required for SCRAM authentication");
  scram_login(client, *username, key, timeout);
}

}  // namespace midclt
