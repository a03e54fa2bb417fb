#pragma once
// An incremental reader of multipart/form-data bodies (RFC 7578) for POST /_upload: bytes go in
// as they arrive, parts come out as a name and a stream of data, and nothing but one partial
// delimiter is kept between two calls.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace mw::server {

// The boundary parameter of a multipart/form-data Content-Type, or nullopt.
std::optional<std::string> multipart_boundary(std::string_view content_type);

class MultipartReader {
 public:
  struct Events {
    std::function<void(const std::string& name)> begin;  // a part's form-data name ("" when absent)
    std::function<void(std::string_view bytes)> data;    // a piece of the current part's body
    std::function<void()> end;                           // the current part is complete
  };

  explicit MultipartReader(const std::string& boundary);

  // Consumes `bytes`; false when the body is malformed (error() says how).
  bool feed(std::string_view bytes, const Events& events);
  // The closing delimiter was seen.
  bool done() const { return state_ == State::Done; }
  const std::string& error() const { return error_; }

 private:
  enum class State { Preamble, AfterDelimiter, Headers, Body, Done, Failed };
  bool fail(std::string message);

  std::string delimiter_;  // "\r\n--" + boundary
  std::string pending_;
  State state_ = State::Preamble;
  std::string error_;
};

}  // namespace mw::server
